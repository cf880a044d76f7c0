/**
 * A real OpenSSH server on loopback for tests: its own host key, client keys, config and pid file in a
 * temporary directory; never the system's sshd. `stop()`/`start()` let a test drop and restore it.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface Sshd {
  port: number;
  dir: string;
  /** Client private key authorised for root (and for extra users given). */
  clientKey: string;
  /** A known_hosts file with this server's key under [127.0.0.1]:port. */
  knownHosts: string;
  /** known_hosts line for this server. */
  knownHostsLine: string;
  hostKeyPub: string;
  log: string;
  start(): Promise<void>;
  stop(): void;
  dispose(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startSshd(
  opts: { extraConfig?: string[]; authorizedKeys?: string[]; hostKeyType?: 'ed25519' | 'ecdsa' } = {},
): Promise<Sshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-sshd-'));
  const port = await freePort();
  const keygen = (file: string, type: string, pass = ''): void => {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', pass, '-f', file, '-C', 'nodescope-test']);
  };
  const hostKey = path.join(dir, 'host_key');
  keygen(hostKey, opts.hostKeyType ?? 'ed25519');
  const clientKey = path.join(dir, 'client_key');
  keygen(clientKey, 'ed25519');
  const authorized = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorized, [fs.readFileSync(`${clientKey}.pub`, 'utf8'), ...(opts.authorizedKeys ?? [])].join('\n'), { mode: 0o600 });
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${dir}/sshd.pid`,
      'UsePAM no',
      'StrictModes no',
      `AuthorizedKeysFile ${authorized} .ssh/authorized_keys`,
      'PermitRootLogin yes',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      ...(opts.extraConfig ?? []),
    ].join('\n') + '\n',
  );
  fs.mkdirSync('/run/sshd', { recursive: true });
  const hostKeyPub = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHostsLine = `[127.0.0.1]:${port} ${hostKeyPub}`;
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, `${knownHostsLine}\n`);
  const log = path.join(dir, 'sshd.log');
  const pidFile = path.join(dir, 'sshd.pid');
  const sshd: Sshd = {
    port,
    dir,
    clientKey,
    knownHosts,
    knownHostsLine,
    hostKeyPub,
    log,
    async start() {
      // -D keeps it in the foreground as our child; -e would send logs to stderr, -E writes them to a file.
      const child = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', log], { stdio: 'ignore', detached: true });
      child.unref();
      fs.writeFileSync(pidFile, String(child.pid));
      await waitForPort(port, 10_000);
    },
    stop() {
      try {
        const pid = Number(fs.readFileSync(pidFile, 'utf8'));
        // Kill the listener and every session it forked, as a dropped network would.
        execFileSync('sh', ['-c', `pkill -KILL -P ${pid} 2>/dev/null; kill -KILL ${pid} 2>/dev/null; true`]);
      } catch {
        /* not running */
      }
    },
    dispose() {
      sshd.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await sshd.start();
  return sshd;
}
