/**
 * ProxyCommand (ssh_config(5)): a local command whose stdin and stdout carry the SSH connection, as
 * OpenSSH runs it: its %-tokens expanded, then `exec COMMAND` through /bin/sh -c, so the shell is
 * replaced and the process we hold is the proxy itself (a cloud session manager, `nc`, `ip netns exec`).
 *
 * It runs in a process group of its own: ending the connection ends every process it started (a
 * pipeline, a helper it forks), not only the shell's pid. Its stderr is kept (the last 4 KB) because
 * when a proxy fails that is where it says why ("ip: cannot open network namespace"); the caller puts
 * its last line in the one-line error.
 */
import { spawn } from 'child_process';
import * as os from 'os';
import { Duplex } from 'stream';

/** What the tokens of a ProxyCommand stand for, for one hop. */
export interface ProxyTokens {
  /** The host to reach (HostName, else the alias): %h. */
  host: string;
  port: number;
  /** The remote user: %r. */
  user: string;
  /** The name as given (the Host alias): %n. */
  alias?: string;
}

/**
 * `ProxyCommand` with its tokens expanded: %h host, %p port, %r remote user, %n alias, %u local user,
 * %% a percent sign. Any other token is an error, as in OpenSSH, rather than a command run half-expanded.
 */
export function expandProxyCommand(template: string, t: ProxyTokens): string {
  return template.replace(/%(.?)/g, (whole, c: string) => {
    const value = { '%': '%', h: t.host, p: String(t.port), r: t.user, n: t.alias ?? t.host, u: os.userInfo().username }[c];
    if (value === undefined) throw new Error(`ProxyCommand "${template}": unknown token ${whole || '%'} (known: %h %p %r %n %u %%)`);
    return value;
  });
}

export interface ProxyProcess {
  /** The connection's byte stream: writes go to the command's stdin, reads come from its stdout. */
  readonly sock: Duplex;
  /** Why the command is gone ("exited with 1: <its last stderr line>"), or null while it runs. */
  failure(): string | null;
  /** Settles when the command has exited and its stderr is read, or after `ms`, whichever comes first. */
  settled(ms: number): Promise<void>;
  /** The last line the command wrote on stderr, if any. */
  lastStderrLine(): string | undefined;
  /** Ends the command's process group: SIGTERM, then SIGKILL 2 s later if anything is left. */
  kill(): void;
}

const STDERR_KEPT = 4096;
const KILL_GRACE_MS = 2000;

export function startProxyCommand(command: string): ProxyProcess {
  // detached: a process group of its own, so kill() reaches everything the command started.
  const child = spawn('/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let ended: string | null = null;
  let killed = false;
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-STDERR_KEPT)));
  const lastStderrLine = (): string | undefined =>
    stderr
      .trim()
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop();
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  // A write after the proxy is gone fails with EPIPE; the failure is reported from its exit instead.
  child.stdin.on('error', () => undefined);
  sock.on('error', () => undefined);
  child.on('error', (err) => {
    ended = `could not start (${err.message})`;
    sock.destroy();
  });
  // 'close': exited and its stdio drained, so the stderr kept is all there will be.
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  child.on('exit', (code, signal) => {
    const last = lastStderrLine();
    // Ended by us (the connection closed): not a failure of the command's.
    if (killed) return;
    ended = `${code !== null ? `exited with ${code}` : `was killed by ${signal}`}${last ? `: ${last}` : ''}`;
  });
  return {
    sock,
    failure: () => ended,
    settled: (ms) =>
      Promise.race([
        closed,
        new Promise<void>((r) => {
          const timer = setTimeout(r, ms);
          timer.unref();
        }),
      ]),
    lastStderrLine,
    kill() {
      if (killed || child.pid === undefined) return;
      killed = true;
      sock.destroy();
      const signalGroup = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          /* already gone */
        }
      };
      // The group, even when the command itself has exited: a pipeline's other members may not have.
      signalGroup('SIGTERM');
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
      force.unref();
      child.once('exit', () => clearTimeout(force));
    },
  };
}
