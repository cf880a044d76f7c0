/**
 * A terminal inside a container's namespaces: a vscode.Pseudoterminal over an EnterSession (the logic,
 * in enterSession.ts). The agent plans the entry first (enter.plan: the PID is still the container's, a
 * shell exists in its root, nsenter exists), then the plan's argv runs as root on the node through the
 * transport's pty channel (SSH pty, or a local pty).
 */
import * as vscode from 'vscode';
import type { AgentClient } from '../connection/agentClient';
import { EnterSession } from './enterSession';
import { exitCodeForVsCode } from './ptyOutput';

/** `as`: a shell and a user of the container to enter with (Enter Namespaces as…); default: root, the first shell found. */
export function enterTerminal(
  client: AgentClient,
  container: { id: string; name: string },
  pid: number | undefined,
  onError: (msg: string) => void,
  as: { shell?: string; user?: string } = {},
  /** The terminal closed after its command ended with this code (undefined: it never ran). */
  onClose?: (code: number | undefined) => void,
): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const session = new EnterSession(
    {
      name: container.name,
      plan: () => client.request('enter.plan', { container: container.id, pid, shell: as.shell, user: as.user }),
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
