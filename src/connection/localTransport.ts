/**
 * The agent on this machine: spawned as a child with pipes for JSON-RPC, as root directly or through
 * `sudo -n` (never asking for a password on a pipe nobody can answer).
 *
 * "Enter" needs a terminal. Node has no pty without a native module, so a pty comes from util-linux
 * `script`, which allocates one and runs the command in it; the window size is set with `stty` inside
 * that pty before the command runs. Later resizes can't reach it, which is why this transport's resize
 * is a no-op: the SSH transport has a real pty channel and forwards them.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AgentStderr } from './agentStderr';
import type { AgentTransport, ExecChannel, ExecOptions } from './transport';

export interface LocalOptions {
  /** Path of the agent bundle; default: agent.js beside the running bundle (dist/). */
  agentPath?: string;
  /** `never`: fail unless root. `auto`: use `sudo -n` when not root. */
  useSudo?: 'auto' | 'never';
}

export function defaultAgentPath(): string {
  const candidates = [
    path.join(__dirname, 'agent.js'),
    path.join(__dirname, '..', 'dist', 'agent.js'),
    path.join(__dirname, '..', '..', 'dist', 'agent.js'),
  ];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function asRoot(argv: string[], useSudo: 'auto' | 'never'): string[] {
  if (process.getuid?.() === 0) return argv;
  if (useSudo === 'never') throw new Error('the agent needs root: run as root or allow sudo');
  return ['sudo', '-n', '--', ...argv];
}

export async function openLocalTransport(opts: LocalOptions = {}): Promise<AgentTransport> {
  const agent = opts.agentPath ?? defaultAgentPath();
  if (!fs.existsSync(agent)) throw new Error(`agent bundle not found at ${agent}; run \`npm run build\``);
  const useSudo = opts.useSudo ?? 'auto';
  const argv = asRoot([process.execPath, agent], useSudo);
  // In a desktop editor process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node. The agent
  // makes no TLS connection, and Node 18-22 parse NODE_EXTRA_CA_CERTS while starting (tens of ms): dropped.
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, ELECTRON_RUN_AS_NODE: '1' } });
  let stderr = '';
  const agentStderr = new AgentStderr();
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    agentStderr.feed(d);
  });
  const closeListeners: ((reason: string | null) => void)[] = [];
  let closedByUs = false;
  let exited = false;
  child.on('exit', (code, signal) => {
    exited = true;
    const lastLine = stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('nodescope-agent ') || !l.includes('ready'))
      .pop();
    let reason: string | null = null;
    if (!closedByUs) {
      reason = /sudo: a (terminal|password) is required/.test(stderr)
        ? 'sudo needs a password to run the agent as root; run `sudo -v` in a terminal first, or run as root'
        : `agent exited (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`;
    }
    closeListeners.forEach((l) => l(reason));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`cannot start the agent: ${err.message}`)));
  });
  return {
    reader: child.stdout,
    writer: child.stdin,
    description: 'this machine',
    agentStderr,
    onClose: (l) => void closeListeners.push(l),
    exec: (cmd, execOpts) => Promise.resolve(localExec(asRoot(cmd, useSudo), execOpts)),
    async close() {
      if (exited) return;
      closedByUs = true;
      child.stdin.end();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 2000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}

export function localExec(argv: string[], opts?: ExecOptions): ExecChannel {
  let child: ChildProcess;
  if (opts?.pty) {
    const { cols, rows, term } = opts.pty;
    const inner = `stty cols ${cols} rows ${rows} 2>/dev/null; exec ${argv.map(shellQuote).join(' ')}`;
    // script: -q quiet, -f flush each write, -e return the child's exit code, -c the command.
    // COLUMNS/LINES too: programs that read the size once from the environment get it right at start.
    const env = { ...process.env, TERM: term ?? 'xterm-256color', COLUMNS: String(cols), LINES: String(rows) };
    child = spawn('script', ['-qfec', inner, '/dev/null'], { stdio: 'pipe', env });
  } else {
    child = spawn(argv[0], argv.slice(1), { stdio: 'pipe' });
  }
  return {
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: child.stderr!,
    resize: () => undefined,
    onExit: (l) => void child.on('exit', (code, signal) => l(code, signal)),
    kill: () => void child.kill('SIGHUP'),
  };
}
