/**
 * A terminal inside a container's namespaces: a Pseudoterminal over the transport's pty channel (SSH pty
 * or a local pty). The agent plans the entry first (enter.plan: the PID is still the container's, a
 * shell exists in its root, nsenter exists), then the plan's argv runs as root on the node.
 */
import * as vscode from 'vscode';
import type { AgentClient } from '../connection/agentClient';
import type { ExecChannel } from '../connection/transport';
import { exitLine, PtyOutput } from './ptyOutput';

export function enterTerminal(client: AgentClient, container: { id: string; name: string }, pid: number | undefined, onError: (msg: string) => void): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const output = new PtyOutput();
  let channel: ExecChannel | null = null;
  let ended = false;
  let size = { cols: 80, rows: 24 };

  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    async open(dims) {
      if (dims) size = { cols: dims.columns, rows: dims.rows };
      try {
        const plan = await client.request('enter.plan', { container: container.id, pid });
        write.fire(`\x1b[2mnodescope: entering ${container.name} through pid ${plan.pid} (${plan.shell ?? plan.argv.slice(plan.argv.indexOf('--') + 1).join(' ')})\x1b[0m\r\n`);
        channel = await client.transport.exec(plan.argv, { pty: { ...size, term: 'xterm-256color' } });
      } catch (err) {
        const msg = (err as Error).message.split('\n')[0];
        onError(msg);
        write.fire(`\x1b[31m${msg}\x1b[0m\r\n`);
        ended = true;
        return;
      }
      const show = (d: Buffer) => write.fire(output.text(d));
      channel.stdout.on('data', show);
      channel.stderr.on('data', show);
      channel.onExit((code, signal) => {
        ended = true;
        write.fire(output.flush() + exitLine(code, signal));
      });
    },
    handleInput(data) {
      if (ended) return close.fire();
      channel?.stdin.write(data);
    },
    setDimensions(dims) {
      size = { cols: dims.columns, rows: dims.rows };
      channel?.resize?.(dims.columns, dims.rows);
    },
    close() {
      if (!ended) channel?.kill();
    },
  };
}
