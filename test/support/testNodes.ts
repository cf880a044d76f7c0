/**
 * Test nodes: each a network namespace (`ip netns add`, loopback up) with a PID and mount namespace of
 * its own (`unshare --pid --fork --mount-proc`, so its /proc shows only its processes), its own OpenSSH
 * server on ITS 127.0.0.1:22 with its own host key, and a marker process (`sleep <marker>`) to tell it
 * apart. Nothing listens for it on the host's network: a client reaches it only through a ProxyCommand
 * that relays stdio into the namespace (`ip netns exec NS node relay.js 127.0.0.1 %p`, as `nc 127.0.0.1 %p`; the rig has no nc).
 *
 * `hideNode`: node is bind-mounted over with /dev/null in the node's mount namespace, so `command -v
 * node` finds nothing there (a Bottlerocket-like node), while the host keeps its own.
 * `unreachable`: the namespace exists but no sshd runs in it; its relay fails with ECONNREFUSED.
 *
 * The independent truth a test compares the agent with: the namespace inodes read from the host
 * (`/run/netns/NS`, `/proc/<sshd>/ns/pid`) and the marker's command line.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TestNode {
  /** The Host alias (also the name known_hosts knows it by: ProxyCommand targets keep port 22). */
  name: string;
  netns: string;
  dir: string;
  /** Private key authorised for root on every node of the set. */
  clientKey: string;
  hostKeyPub: string;
  /** `NAME keytype key`: this node's key under its alias. */
  knownHostsLine: string;
  /** With %h %p left for the client to expand. */
  proxyCommand: string;
  /** `sleep MARKER` runs in the node's PID namespace. */
  marker: string;
  /** The inode of the node's network namespace, read on the host. */
  netnsInode: number;
  /** The inode of the node's PID namespace (null for an unreachable node, which has none of its own). */
  pidnsInode: number | null;
  sshdLog: string;
  /** Runs argv inside the node's net, mount and PID namespaces; its stdout. */
  run(argv: string[]): string;
  dispose(): void;
}

/** A stdio ⇄ TCP relay, what `nc HOST PORT` does; its error on stderr and exit 1 when it cannot connect. */
const RELAY = `const s = require('net').connect(Number(process.argv[3]), process.argv[2]);
s.on('error', (e) => { process.stderr.write('relay: ' + e.message + '\\n'); process.exit(1); });
s.on('connect', () => { process.stdin.pipe(s); s.pipe(process.stdout); });
s.on('close', () => process.exit(0));
process.stdin.on('end', () => s.end());
`;

function inode(p: string): number {
  return fs.statSync(p).ino;
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The host pids of the processes in a network namespace (`ip netns pids`). */
function netnsPids(netns: string): number[] {
  return execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
}

function commOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

let counter = 0;

export interface TestNodeOptions {
  hideNode?: boolean;
  unreachable?: boolean;
  /** The client key to authorise (one set of nodes shares one); made when absent. */
  clientKey?: string;
}

export async function startTestNode(name: string, opts: TestNodeOptions = {}): Promise<TestNode> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nodescope-node-${name}-`));
  const netns = `nsc-${process.pid}-${++counter}`;
  const keygen = (file: string): void => void execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file, '-C', name]);
  const hostKey = path.join(dir, 'host_key');
  keygen(hostKey);
  const clientKey = opts.clientKey ?? path.join(dir, 'client_key');
  if (!opts.clientKey) keygen(clientKey);
  const authorized = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorized, fs.readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const relay = path.join(dir, 'relay.js');
  fs.writeFileSync(relay, RELAY);
  const sshdLog = path.join(dir, 'sshd.log');
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      'Port 22',
      `HostKey ${hostKey}`,
      `PidFile ${dir}/sshd.pid`,
      'UsePAM no',
      'StrictModes no',
      `AuthorizedKeysFile ${authorized}`,
      'PermitRootLogin yes',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
    ].join('\n') + '\n',
  );
  const marker = String(860000 + Math.floor(Math.random() * 100000));
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
  const hostKeyPub = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  let unsharePid: number | undefined;
  let sshdPid: number | undefined;
  if (!opts.unreachable) {
    // In the node's own mount namespace: hide node (every path of it on the host's PATH), then the
    // marker, then sshd in the foreground. --kill-child: the namespace dies with unshare.
    const hide = opts.hideNode ? 'for n in $(which -a node | sort -u); do mount --bind /dev/null "$(readlink -f "$n")"; done; ' : '';
    const script = `${hide}mkdir -p /run/sshd; sleep ${marker} & exec /usr/sbin/sshd -D -f ${config} -E ${sshdLog}`;
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        'unshare',
        '--pid',
        '--fork',
        '--mount-proc',
        '--kill-child',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
      ],
      { stdio: 'ignore', detached: true },
    );
    child.unref();
    unsharePid = child.pid;
    await until(
      `sshd in ${netns}`,
      () => {
        sshdPid = netnsPids(netns).find((p) => commOf(p) === 'sshd');
        return sshdPid !== undefined && fs.existsSync(sshdLog) && /Server listening/.test(fs.readFileSync(sshdLog, 'utf8'));
      },
      15_000,
    );
  }
  const node: TestNode = {
    name,
    netns,
    dir,
    clientKey,
    hostKeyPub,
    knownHostsLine: `${name} ${hostKeyPub}`,
    proxyCommand: `ip netns exec ${netns} ${process.execPath} ${relay} 127.0.0.1 %p`,
    marker,
    netnsInode: inode(`/run/netns/${netns}`),
    pidnsInode: sshdPid !== undefined ? inode(`/proc/${sshdPid}/ns/pid`) : null,
    sshdLog,
    run(argv) {
      if (sshdPid === undefined) throw new Error(`${name} runs nothing (unreachable)`);
      return execFileSync('nsenter', ['-t', String(sshdPid), '-n', '-m', '-p', '--', ...argv], { encoding: 'utf8' });
    },
    dispose() {
      if (unsharePid !== undefined) {
        try {
          process.kill(unsharePid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      // Every process left in the namespace (sessions, agents), then the namespace itself.
      for (const p of netnsPids(netns)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      try {
        execFileSync('ip', ['netns', 'delete', netns]);
      } catch {
        /* already gone */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

/**
 * `count` nodes sharing one client key, the ones listed in `hideNode`/`unreachable` (by index) so; an
 * ssh_config with a Host block for each (ProxyCommand, User root, the key, a known_hosts with their keys).
 */
export async function startTestNodes(
  count: number,
  opts: { prefix?: string; hideNode?: number[]; unreachable?: number[] } = {},
): Promise<{ nodes: TestNode[]; clientKey: string; sshConfig: string; knownHosts: string; dir: string; dispose(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-nodes-'));
  const clientKey = path.join(dir, 'client_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey, '-C', 'nodescope-test-nodes']);
  const nodes: TestNode[] = [];
  const dispose = (): void => {
    for (const n of nodes) n.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(
        await startTestNode(`${opts.prefix ?? 'tnode'}${i + 1}`, {
          clientKey,
          hideNode: opts.hideNode?.includes(i),
          unreachable: opts.unreachable?.includes(i),
        }),
      );
    }
  } catch (err) {
    dispose();
    throw err;
  }
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, nodes.map((n) => n.knownHostsLine).join('\n') + '\n');
  const sshConfig = path.join(dir, 'ssh_config');
  fs.writeFileSync(
    sshConfig,
    nodes
      .map((n) =>
        [
          `Host ${n.name}`,
          `  User root`,
          `  IdentityFile ${clientKey}`,
          `  IdentitiesOnly yes`,
          `  UserKnownHostsFile ${knownHosts}`,
          `  ProxyCommand ${n.proxyCommand}`,
          '',
        ].join('\n'),
      )
      .join('\n'),
  );
  return { nodes, clientKey, sshConfig, knownHosts, dir, dispose };
}
