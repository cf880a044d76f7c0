/**
 * Planning an "enter": which process to enter through, which shell, which argv. The launch itself runs
 * on the node as `nsenter --target PID --all --root --wd -- SHELL`, started by the transport (local pty or
 * SSH pty). `--root --wd` matter: a container rooted by chroot rather than pivot_root (unshare --root,
 * many CI sandboxes) shares the host's mount-namespace root, so joining namespaces alone lands outside it.
 *
 * Why re-check the PID: PIDs get reused. The snapshot may be seconds old; the process we name must still
 * be the container's, so its start time (stat field 22) is read again now and compared with the one the
 * snapshot recorded. The window left is between this check and the exec.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ErrorCodes,
  NS_TYPES,
  type ContainerInfo,
  type ContainerUser,
  type EnterOptions,
  type EnterPlan,
  type NsType,
  type Problem,
} from '../protocol';
import { refuse } from '../failure';
import { AgentError } from '../agentError';
import { parseStat } from '../discover/procfs';
import { readInContainer } from '../files/containerFiles';
import { openInRoot } from '../sys/openInRoot';

const SHELLS = ['/bin/bash', '/usr/bin/bash', '/bin/sh', '/usr/bin/sh', '/bin/ash', '/bin/busybox'];
const NSENTER_CANDIDATES = ['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter', '/sbin/nsenter'];

/** What to enter with: a shell (else the first of SHELLS found), a user of the container, or a command. */
export interface EnterRequest {
  pid?: number;
  shell?: string;
  /** A name from the container's /etc/passwd, or a numeric uid. */
  user?: string;
  command?: string[];
  /** Only these namespaces (default: all, `nsenter --all`); without mnt the shell or command is the node's own. */
  namespaces?: NsType[];
}

/** nsenter's option for each namespace type (util-linux nsenter(1)). */
const NSENTER_FLAG: Record<NsType, string> = {
  cgroup: '--cgroup',
  ipc: '--ipc',
  mnt: '--mount',
  net: '--net',
  pid: '--pid',
  time: '--time',
  user: '--user',
  uts: '--uts',
};

/** The node's nsenter: the usual places first, then PATH (sudo's secure_path may have trimmed PATH; NixOS keeps it elsewhere). */
export function findNsenter(): string {
  const pathDirs = (process.env.PATH ?? '')
    .split(':')
    .filter((d) => d.startsWith('/'))
    .map((d) => path.posix.join(d, 'nsenter'));
  const nsenter = [...NSENTER_CANDIDATES, ...pathDirs].find((p) => fs.existsSync(p));
  if (!nsenter) throw refuse(ErrorCodes.Unsupported, 'nsenter is not installed on this node (Debian/Ubuntu: util-linux)');
  return nsenter;
}

/**
 * nsenter's options to join `types` of process `target`: `--target PID` and one option a type. The user
 * namespace is left out when it is the agent's own: setns(2) refuses to join the caller's own user
 * namespace (EINVAL), which `nsenter --all` skips the same way; the time namespace too, and when either
 * cannot be read (a kernel before 5.6 has no time namespace): there is nothing to join then.
 */
export function nsenterFlags(target: number, types: readonly NsType[]): string[] {
  const inode = (pid: number | 'self', t: NsType): number | null => {
    try {
      return fs.statSync(`/proc/${pid}/ns/${t}`).ino;
    } catch {
      return null;
    }
  };
  const wanted = types.filter((t) => {
    if (t !== 'user' && t !== 'time') return true;
    const theirs = inode(target, t);
    return theirs !== null && theirs !== inode('self', t);
  });
  return ['--target', String(target), ...wanted.map((t) => NSENTER_FLAG[t])];
}

/**
 * The argv that runs `run` in `types` of process `target`'s namespaces, as root: with mnt, rooted in the
 * container's root and working directory (`--root --wd`); without it, in the node's files, so `run` is a
 * program of the node (e.g. `['ip', 'addr']` in a container's net namespace alone, with the node's tools).
 */
export function nsenterArgv(target: number, types: readonly NsType[], run: string[], asUser: string[] = []): string[] {
  const rooted = types.includes('mnt') ? ['--root', '--wd'] : [];
  return [findNsenter(), ...nsenterFlags(target, types), ...rooted, ...asUser, '--', ...run];
}

/** A subset of namespace types as asked: known types, at least one, each once, in NS_TYPES' order. */
export function checkNamespaceTypes(types: readonly string[]): NsType[] {
  const unknown = types.filter((t) => !(NS_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw refuse(ErrorCodes.InvalidParams, `unknown namespace type "${unknown[0]}": one of ${NS_TYPES.join(', ')}`);
  if (!types.length) throw refuse(ErrorCodes.InvalidParams, 'name at least one namespace type to enter');
  return NS_TYPES.filter((t) => types.includes(t));
}

/**
 * The process to enter through, checked as it is now: still the container's, alive, and the same process
 * the snapshot saw (not a reused PID). `recordedStart` maps the container's PIDs to their start times.
 */
export function liveTarget(
  c: ContainerInfo,
  recordedStart: Map<number, number | null>,
  pid?: number,
): { target: number; startTime: number } {
  const target = pid ?? c.initPid;
  // Read the process now, before anything else: the snapshot's word on it may be seconds old. A zombie
  // still has a stat file but no namespaces left to enter, so it counts as gone too.
  const now = processNow(target);
  if (!c.pids.includes(target)) {
    if (now) throw refuse(ErrorCodes.InvalidParams, `process ${target} is not in ${c.name}`);
    throw refuse(ErrorCodes.Gone, `no process ${target} on this node (it may have exited); refresh and try again`);
  }
  if (!now || now.state === 'Z' || now.state === 'X')
    throw refuse(ErrorCodes.Gone, `process ${target} of ${c.name} is gone; refresh and try again`);
  const startTime = now.startTime;
  // The snapshot has the start time of every process; a different one now means the PID was reused.
  const known = recordedStart.get(target) ?? null;
  if (known !== null && known !== startTime)
    throw refuse(ErrorCodes.Gone, `process ${target} of ${c.name} exited and its PID was reused; refresh and try again`);
  return { target, startTime };
}

/** The shells and users a person can enter a container as, read from the container's own root. */
export function enterOptions(c: ContainerInfo, recordedStart: Map<number, number | null>, pid?: number): EnterOptions {
  const { target } = liveTarget(c, recordedStart, pid);
  const root = `/proc/${target}/root`;
  const problems: Problem[] = [];
  const listed = (readInside(root, '/etc/shells', problems) ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'));
  const shells = [...new Set([...SHELLS, ...listed])].filter((sh) => resolvesInside(root, sh));
  const passwd = readInside(root, '/etc/passwd', problems);
  return {
    container: c.id,
    pid: target,
    shells,
    users: passwd === null ? [] : parsePasswd(passwd),
    ...(problems.length ? { problems } : {}),
  };
}

/** `/etc/passwd` lines (man 5 passwd); malformed lines are skipped, root first, then by uid. */
export function parsePasswd(text: string): ContainerUser[] {
  const users: ContainerUser[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !f[0] || f[0].startsWith('#') || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) continue;
    users.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], shell: f[6] });
  }
  return users.sort((a, b) => a.uid - b.uid);
}

/**
 * The uid and gid to enter as. A name must be in the container's /etc/passwd; a number may be absent
 * from it, and then runs with gid 0, as `docker exec -u 1234` does.
 */
function resolveUser(c: ContainerInfo, root: string, user: string): { name: string | null; uid: number; gid: number; home: string | null } {
  const problems: Problem[] = [];
  const users = parsePasswd(readInside(root, '/etc/passwd', problems) ?? '');
  const numeric = /^\d+$/.test(user) ? Number(user) : null;
  const known = users.find((u) => (numeric === null ? u.name === user : u.uid === numeric));
  if (known) return { name: known.name, uid: known.uid, gid: known.gid, home: known.home };
  if (numeric !== null) return { name: null, uid: numeric, gid: 0, home: null };
  const why = problems.length ? ` (${problems[0].message})` : '';
  throw refuse(ErrorCodes.NotFound, `no user "${user}" in ${c.name}'s /etc/passwd${why}; give a name from it or a numeric uid`);
}

/** Plans the entry; see EnterRequest. */
export function planEnter(c: ContainerInfo, recordedStart: Map<number, number | null>, req: EnterRequest = {}): EnterPlan {
  const { target, startTime } = liveTarget(c, recordedStart, req.pid);
  const { shell, command } = req;
  const nsenter = findNsenter();
  const types = req.namespaces === undefined ? null : checkNamespaceTypes(req.namespaces);
  // Without the mount namespace the shell runs in the node's files: it is looked for there.
  const inContainer = types === null || types.includes('mnt');
  const root = inContainer ? `/proc/${target}/root` : '/';
  let run: string[];
  let found: string | null = null;
  if (command?.length) {
    run = command;
  } else {
    const wanted = shell ? [shell] : SHELLS;
    found = wanted.find((s) => resolvesInside(root, s)) ?? null;
    if (!found && !inContainer) throw refuse(ErrorCodes.Unsupported, `no shell on this node (tried ${wanted.join(', ')})`);
    if (!found) {
      throw refuse(
        ErrorCodes.Unsupported,
        `no shell in ${c.name}'s root (tried ${wanted.join(', ')}); a debug shell brings its own (nodescope debug ${c.name}, or Debug Shell… in the editor), or pass a command to run`,
      );
    }
    run = found.endsWith('/busybox') ? [found, 'sh'] : [found];
  }
  let user: EnterPlan['user'] = null;
  const asUser: string[] = [];
  if (req.user !== undefined) {
    if (!inContainer)
      throw refuse(
        ErrorCodes.InvalidParams,
        'a user of the container needs its mount namespace (its /etc/passwd): add mnt, or leave out the user',
      );
    const u = resolveUser(c, root, req.user);
    user = { name: u.name, uid: u.uid, gid: u.gid };
    // nsenter sets the gid (dropping supplementary groups), then the uid, after joining the namespaces.
    asUser.push('--setuid', String(u.uid), '--setgid', String(u.gid));
    // HOME and USER as a login would set them, through the container's own env when it has one: each
    // is one argv element, never parsed by a shell, so a strange home directory cannot inject anything.
    const env = ['/usr/bin/env', '/bin/env'].find((e) => resolvesInside(root, e));
    if (env && u.name && u.home?.startsWith('/')) run = [env, `HOME=${u.home}`, `USER=${u.name}`, `LOGNAME=${u.name}`, ...run];
  }
  return {
    container: c.id,
    pid: target,
    startTime,
    shell: found,
    user,
    argv: types
      ? nsenterArgv(target, types, run, asUser)
      : [nsenter, '--target', String(target), '--all', '--root', '--wd', ...asUser, '--', ...run],
  };
}

/** The process's state and start time as the kernel has them now; null when there is no such process. */
function processNow(pid: number): { state: string; startTime: number } | null {
  try {
    const { state, startTime } = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return { state, startTime };
  } catch {
    return null;
  }
}

/** Largest file read from a container's root here (/etc/passwd, /etc/shells): these are small. */
const MAX_READ = 1 << 20;

/**
 * A small text file of the container, read inside its root (files/containerFiles.ts: the kernel keeps
 * every symlink inside the root, so the container cannot point us at a host file); null, with a
 * problem, when it is missing, not a regular file, too large, or cannot be opened that way.
 */
export function readInside(root: string, file: string, problems: Problem[]): string | null {
  try {
    return readInContainer(root, file, MAX_READ).toString('utf8');
  } catch (err) {
    const notThere = err instanceof AgentError && err.code === ErrorCodes.NotFound;
    problems.push({
      source: file,
      message: notThere ? "not in the container's root" : `unreadable in the container's root (${(err as Error).message})`,
    });
    return null;
  }
}

/**
 * Whether `file` names an executable inside the container root: an O_PATH handle from openat2
 * RESOLVE_IN_ROOT (sys/openInRoot.ts), every symlink resolved inside the root by the kernel in one lookup,
 * nothing opened. Only where openat2 is unavailable (Linux < 5.6, no native calls) is the path resolved
 * here, component by component (resolveInside), which a container racing renames could point at a host
 * path for the one bit this answers.
 */
export function resolvesInside(root: string, file: string): boolean {
  let fd: number;
  try {
    fd = openInRoot(root, file, 'target');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSYS') return false;
    const at = resolveInside(root, file);
    return at !== null && at.st.isFile() && (at.st.mode & 0o111) !== 0;
  }
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `file` inside the container root, following symlinks only within that root (busybox images make
 * /bin/sh a relative link to busybox): an absolute link target is taken relative to the container root,
 * never the host's, and `..` cannot climb above it. Only to tell whether a program is there (nsenter runs
 * it inside the root), where openat2 is unavailable; files read from the container go through readInside.
 * Its lstat, or null.
 */
function resolveInside(root: string, file: string, depth = 0): { host: string; st: fs.Stats } | null {
  if (depth > 16) return null;
  const parts = path.posix.normalize(file).split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = path.posix.join(cur, parts[i]);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(root + next);
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) {
      const link = fs.readlinkSync(root + next);
      const rest = parts.slice(i + 1).join('/');
      const resolved = path.posix.normalize(path.posix.join(link.startsWith('/') ? '/' : cur, link, rest));
      return resolveInside(root, resolved.startsWith('/') ? resolved : `/${resolved}`, depth + 1);
    }
    cur = next;
    if (i === parts.length - 1) return { host: root + next, st };
  }
  return null;
}
