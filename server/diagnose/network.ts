/**
 * The container's network namespace as the kernel keeps it, read through /proc/PID/net/* of one of its
 * processes: those files show the reader's view of PID's namespace, so no tool runs inside the container.
 * (/sys/class/net would show the agent's own namespace, not the container's.)
 *
 * Two facts procfs does not print per interface, its state and MTU and its IPv4 addresses, come from the
 * node's own `ip -j addr` run in the namespace (nsenter -n: the net namespace only, the node's files), as
 * an awaited child with a deadline; without it they are null and a Problem says why. Sockets are matched to
 * their processes by inode (socket:[N] links under /proc/PID/fd), over the container's processes only and
 * bounded: a namespace shared with other processes (a pod) shows their sockets without owners.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import type { DiagnoseNetwork, NetInterface, NetSocket, Problem } from '../protocol';
import { parseInetSockets, parseIpAddrJson, parseNetDev, parseRoutes4, parseRoutes6, parseUnixSockets } from './netTables';
import { commOf, readProcText } from './procText';

/** A table of 100,000 sockets is about 15 MiB; past this bound the namespace is said to be cut. */
const TABLE_MAX_BYTES = 16 * 1024 * 1024;
export const SOCKETS_MAX = 2000;
/** fd links read in all, to find socket owners. */
const FD_LINKS_MAX = 100_000;
const IP_TIMEOUT_MS = 3000;

/** The socket inode → owning processes, from /proc/PID/fd links of `pids`, bounded. */
export function socketOwners(pids: number[], maxLinks = FD_LINKS_MAX): { owners: Map<number, number[]>; cut: boolean } {
  const owners = new Map<number, number[]>();
  let left = maxLinks;
  for (const pid of pids) {
    let names: string[];
    try {
      names = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or a kernel thread
    }
    for (const fd of names) {
      if (left-- <= 0) return { owners, cut: true };
      let link: string;
      try {
        link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m) continue;
      const inode = Number(m[1]);
      const list = owners.get(inode) ?? [];
      if (!list.includes(pid)) list.push(pid);
      owners.set(inode, list);
    }
  }
  return { owners, cut: false };
}

/** Listening first (what a person asks first), then established, then the rest; SOCKETS_MAX kept. */
function rank(s: NetSocket): number {
  return s.state === 'LISTEN' || s.state === 'UNCONN' ? 0 : s.state === 'ESTABLISHED' || s.state === 'CONNECTED' ? 1 : 2;
}

/** `ip -j addr show` in the namespace of `pid`, or why not. */
function ipAddrIn(pid: number): Promise<{ text: string } | { why: string }> {
  return new Promise((resolve) => {
    execFile(
      'nsenter',
      ['-t', String(pid), '-n', '--', 'ip', '-j', 'addr', 'show'],
      { timeout: IP_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          resolve({
            why:
              e.code === 'ENOENT'
                ? 'nsenter is not on the node'
                : e.killed
                  ? `ip was killed after ${IP_TIMEOUT_MS / 1000} s`
                  : `ip failed (${err.message.split('\n')[0]})`,
          });
        } else resolve({ text: stdout });
      },
    );
  });
}

export async function networkOf(
  pid: number,
  pids: number[],
  netns: number | null,
  sharesHost: boolean,
  problems: Problem[],
): Promise<DiagnoseNetwork> {
  // Started first: the child runs while the tables below are read.
  const ip = ipAddrIn(pid);
  const table = (name: string): string => {
    const text = readProcText(`/proc/${pid}/net/${name}`, TABLE_MAX_BYTES);
    if (text === null)
      problems.push({
        source: `/proc/${pid}/net/${name}`,
        message: 'unreadable (the process is gone, or the table is larger than 16 MiB)',
      });
    return text ?? '';
  };
  const dev = parseNetDev(table('dev'));
  const routes = [...parseRoutes4(table('route')), ...parseRoutes6(table('ipv6_route'))];
  const all: NetSocket[] = [
    ...parseInetSockets(table('tcp'), 'tcp'),
    ...parseInetSockets(table('tcp6'), 'tcp6'),
    ...parseInetSockets(table('udp'), 'udp'),
    ...parseInetSockets(table('udp6'), 'udp6'),
    ...parseUnixSockets(table('unix')),
  ];
  const { owners, cut } = socketOwners(pids);
  if (cut) problems.push({ source: 'socket owners', message: `stopped after ${FD_LINKS_MAX} open files: some sockets show no owner` });
  const commands = new Map<number, string>();
  for (const s of all) {
    s.owners = (owners.get(s.inode) ?? []).map((p) => {
      if (!commands.has(p)) commands.set(p, commOf(p));
      return { pid: p, command: commands.get(p)! };
    });
  }
  all.sort((a, b) => rank(a) - rank(b));
  const sockets = all.slice(0, SOCKETS_MAX);

  const got = await ip;
  const info = 'text' in got ? parseIpAddrJson(got.text) : null;
  if (!info)
    problems.push({
      source: 'ip -j addr',
      message: `interface state, MTU and addresses unknown: ${'why' in got ? got.why : 'its output was not JSON'}`,
    });
  const interfaces: NetInterface[] = dev.map((d) => ({
    ...d,
    state: info?.get(d.name)?.state ?? null,
    mtu: info?.get(d.name)?.mtu ?? null,
    addresses: info?.get(d.name)?.addresses ?? [],
  }));
  return { netns, sharesHost, interfaces, routes, sockets, ...(all.length > SOCKETS_MAX ? { truncated: true } : {}) };
}
