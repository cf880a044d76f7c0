/**
 * A terminal inside a container's namespaces: a vscode.Pseudoterminal over an EnterSession (the logic,
 * in enterSession.ts). The agent plans the entry first (enter.plan: the PID is still the container's, a
 * shell exists in its root, nsenter exists; or debug.plan: the toolbox is a static busybox of root's), then
 * the plan's argv runs as root on the node through the transport's pty channel (SSH pty, or a local pty).
 */
import * as vscode from 'vscode';
import type { AgentClient } from '../connection/agentClient';
import type { EnterPlan } from '../../server/protocol';
import { EnterSession } from './enterSession';
import { exitCodeForVsCode } from './ptyOutput';

/** `plan`: the agent's enter.plan or debug.plan request for this terminal, asked when it opens. */
export function enterTerminal(
  client: AgentClient,
  container: { id: string; name: string },
  plan: () => Promise<EnterPlan>,
  onError: (msg: string) => void,
  /** The terminal closed after its command ended with this code (undefined: it never ran). */
  onClose?: (code: number | undefined) => void,
): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const session = new EnterSession(
    {
      name: container.name,
      plan,
      exec: (argv, options) => client.transport.exec(argv, options),
    },
    // The exit line in the terminal shows the code; VS Code is told only a 0 (exitCodeForVsCode says why).
    {
      write: (text) => write.fire(text),
      close: (code) => {
        onClose?.(code);
        close.fire(exitCodeForVsCode(code));
      },
      error: onError,
    },
  );
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: (dims) => void session.open(dims && { cols: dims.columns, rows: dims.rows }),
    handleInput: (data) => session.input(data),
    setDimensions: (dims) => session.resize(dims.columns, dims.rows),
    close: () => session.close(),
  };
}
