/**
 * The built agent (dist/agent.js) as a child on pipes, spoken to over JSON-RPC as clients do, and what a
 * test needs to see its lifetime from outside: whether a pid still runs, which children a process has.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { PROTOCOL_VERSION } from '../../server/protocol';

export const repo = path.resolve(__dirname, '..', '..');
export const agentJs = path.join(repo, 'dist', 'agent.js');
export const cliJs = path.join(repo, 'dist', 'cli.js');
/** A probe for requireReal/skipUnlessReal: the bundles exist. */
export const built = (): string | null => (fs.existsSync(agentJs) && fs.existsSync(cliJs) ? null : 'needs dist/ (npm run --silent build)');

export interface AgentChild {
  child: ChildProcess;
  rpc: MessageConnection;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/** An agent of our own, started as the local transport starts it (node dist/agent.js, pipes). */
export function spawnAgent(env: NodeJS.ProcessEnv = process.env): AgentChild {
  const child = spawn(process.execPath, [agentJs], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  rpc.listen();
  return { child, rpc, exited, stderr: () => err };
}

export const hello = (rpc: MessageConnection): Promise<unknown> =>
  rpc.sendRequest('initialize', { clientVersion: 'test', protocolVersion: PROTOCOL_VERSION });

export const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `work`'s value, or `late` when it takes longer than `ms` (the timer does not outlive the race). */
export async function within<T, L>(ms: number, work: Promise<T>, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<L>((r) => (timer = setTimeout(() => r(late), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleepMs(50);
  }
}

/** Whether `pid` is a process that has not exited (a zombie has: it only waits to be reaped). */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Children of `pid`, from /proc (every thread's children file). */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether the main thread of `pid` sleeps in a futex wait (the agent's test stall), from /proc/PID/wchan. */
export function inFutexWait(pid: number): boolean {
  try {
    return /futex/.test(fs.readFileSync(`/proc/${pid}/wchan`, 'utf8'));
  } catch {
    return false;
  }
}
