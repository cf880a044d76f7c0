/**
 * The life of one "enter" terminal, without VS Code: plan → exec with a pty → bytes both ways → exit line
 * → close on the next key. enterTerminal.ts adapts it to a vscode.Pseudoterminal; keeping the logic here
 * lets the unit tests drive it with a scripted channel and the integration test with a real one.
 *
 * Order of events, and why each case is handled:
 *   open(dims)     plan first (the agent re-checks the PID), then exec with the size known at that moment.
 *   input(data)    typed before the channel exists is queued, not lost (the plan takes a round trip);
 *                  Ctrl-C arrives as the byte \x03 and is written as-is: the pty's line discipline turns
 *                  it into SIGINT for the foreground job inside the container, as in any terminal.
 *   resize(c, r)   before the channel: remembered for the exec; after: forwarded to the pty.
 *   output         stdout and stderr bytes are decoded as UTF-8 in stream mode (a character may be split
 *                  across chunks); with a pty stderr is empty, without one it shares the decoder's order.
 *   exit           the rest of the decoder, then "[process exited with code N; press any key to close]";
 *                  the next key closes the terminal.
 *   close()        the person closed the terminal: kill the process, also when the channel arrives later.
 */
import type { DebugPlan, EnterPlan } from '../../server/protocol';
import type { ExecChannel, ExecOptions } from '../connection/transport';
import { exitLine, PtyOutput, shellExitCode } from './ptyOutput';

export interface EnterTarget {
  /** Shown in the first line, e.g. the container's name. */
  name: string;
  plan(): Promise<EnterPlan>;
  exec(argv: string[], options: ExecOptions): Promise<ExecChannel>;
}

export interface TerminalSink {
  write(text: string): void;
  /**
   * Close the terminal (the exit line has been seen and a key pressed, or the start failed), with the
   * command's exit code when it ran (128 + N for signal N, as a shell reports it); the adapter decides what
   * VS Code is told (ptyOutput.ts exitCodeForVsCode).
   */
  close(exitCode?: number): void;
  /** A start that failed, as one line for a notification. */
  error(message: string): void;
}

type State = 'new' | 'starting' | 'running' | 'ended' | 'closed';

export class EnterSession {
  private state: State = 'new';
  private channel: ExecChannel | null = null;
  private readonly pending: string[] = [];
  private readonly output = new PtyOutput();
  private size = { cols: 80, rows: 24 };
  private exitCode: number | undefined;

  constructor(
    private readonly target: EnterTarget,
    private readonly sink: TerminalSink,
  ) {}

  async open(dims?: { cols: number; rows: number }): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'starting';
    if (dims) this.size = dims;
    let channel: ExecChannel;
    let started: { cols: number; rows: number };
    try {
      const plan = await this.target.plan();
      if (this.closed()) return;
      this.sink.write(`\x1b[2mnodescope: ${firstLineOf(this.target.name, plan)}\x1b[0m\r\n`);
      started = this.size;
      channel = await this.target.exec(plan.argv, { pty: { ...started, term: 'xterm-256color' } });
    } catch (err) {
      if (this.closed()) return;
      const msg = firstLine(err);
      this.state = 'ended';
      this.sink.error(msg);
      this.sink.write(`\x1b[31m${msg}\x1b[0m\r\n\x1b[2m[press any key to close]\x1b[0m\r\n`);
      return;
    }
    // Closed while the exec was on its way: nobody will ever see this shell.
    if (this.closed()) return channel.kill();
    this.channel = channel;
    this.state = 'running';
    const show = (d: Buffer): void => {
      if (this.state === 'running') this.sink.write(this.output.text(d));
    };
    channel.stdout.on('data', show);
    channel.stderr.on('data', show);
    // The pipes may report errors (EPIPE after the process ended); the exit line says how it ended.
    channel.stdin.on('error', () => undefined);
    channel.onExit((code, signal) => {
      if (this.state !== 'running') return;
      this.state = 'ended';
      this.exitCode = shellExitCode(code, signal);
      this.sink.write(this.output.flush() + exitLine(code, signal));
    });
    // A size that changed while starting, and what was typed meanwhile.
    if (this.size !== started) channel.resize?.(this.size.cols, this.size.rows);
    for (const data of this.pending.splice(0)) channel.stdin.write(data);
  }

  input(data: string): void {
    if (this.state === 'ended') {
      this.state = 'closed';
      this.sink.close(this.exitCode);
    } else if (this.state === 'starting') this.pending.push(data);
    else if (this.state === 'running') this.channel!.stdin.write(data);
  }

  resize(cols: number, rows: number): void {
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    if (this.state === 'running') this.channel!.resize?.(cols, rows);
  }

  /** The terminal was closed by the person (or VS Code): end the process if it still runs. */
  close(): void {
    const wasRunning = this.state === 'running';
    this.state = 'closed';
    if (wasRunning) this.channel!.kill();
  }

  private closed(): boolean {
    return this.state === 'closed';
  }
}

/** What the terminal says first: what is entered, through which process, running what. */
export function firstLineOf(name: string, plan: EnterPlan | DebugPlan): string {
  if ('toolboxAt' in plan) {
    // The user's command is the debug argv's tail, after its last "--" (server/act/debug.ts).
    const what = plan.shell ?? plan.argv.slice(plan.argv.lastIndexOf('--') + 1).join(' ');
    return `debug shell in ${name} through pid ${plan.pid} (${what}; busybox from ${plan.toolbox} over ${plan.toolboxAt}, in this shell's view only)`;
  }
  const what = plan.shell ?? plan.argv.slice(plan.argv.indexOf('--') + 1).join(' ');
  const as = plan.user ? ` as ${plan.user.name ?? `uid ${plan.user.uid}`}` : '';
  return `entering ${name}${as} through pid ${plan.pid} (${what})`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
