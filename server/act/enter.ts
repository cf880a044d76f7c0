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
import { ErrorCodes, type ContainerInfo, type EnterPlan } from '../protocol';
import { AgentFailure } from '../failure';
import { parseStat } from '../discover/procfs';

const SHELLS = ['/bin/bash', '/usr/bin/bash', '/bin/sh', '/usr/bin/sh', '/bin/ash', '/bin/busybox'];
const NSENTER_CANDIDATES = ['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter', '/sbin/nsenter'];

/** `recordedStart` maps the container's PIDs to the start times the snapshot saw. */
export function planEnter(c: ContainerInfo, recordedStart: Map<number, number | null>, pid?: number, shell?: string, command?: string[]): EnterPlan {
  const target = pid ?? c.initPid;
  // Read the process now, before anything else: the snapshot's word on it may be seconds old. A zombie
  // still has a stat file but no namespaces left to enter, so it counts as gone too.
  const now = processNow(target);
  if (!c.pids.includes(target)) {
    if (now) throw new AgentFailure(ErrorCodes.InvalidParams, `process ${target} is not in ${c.name}`);
    throw new AgentFailure(ErrorCodes.Gone, `no process ${target} on this node (it may have exited); refresh and try again`);
  }
  if (!now || now.state === 'Z' || now.state === 'X') throw new AgentFailure(ErrorCodes.Gone, `process ${target} of ${c.name} is gone; refresh and try again`);
  const startTime = now.startTime;
  // The snapshot has the start time of every process; a different one now means the PID was reused.
  const known = recordedStart.get(target) ?? null;
  if (known !== null && known !== startTime) throw new AgentFailure(ErrorCodes.Gone, `process ${target} of ${c.name} exited and its PID was reused; refresh and try again`);
  // The usual places first, then PATH (NixOS and friends keep it elsewhere); sudo's secure_path may
  // have trimmed PATH, which is why the usual places come first.
  const pathDirs = (process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')).map((d) => path.posix.join(d, 'nsenter'));
  const nsenter = [...NSENTER_CANDIDATES, ...pathDirs].find((p) => fs.existsSync(p));
  if (!nsenter) throw new AgentFailure(ErrorCodes.Unsupported, 'nsenter is not installed on this node (Debian/Ubuntu: util-linux)');

  const root = `/proc/${target}/root`;
  let run: string[];
  let found: string | null = null;
  if (command?.length) {
    run = command;
  } else {
    const wanted = shell ? [shell] : SHELLS;
    found = wanted.find((s) => resolvesInside(root, s)) ?? null;
    if (!found) {
      throw new AgentFailure(
        ErrorCodes.Unsupported,
        `no shell in ${c.name}'s root (tried ${wanted.join(', ')}); pass a command to run instead`,
      );
    }
    run = found.endsWith('/busybox') ? [found, 'sh'] : [found];
  }
  return { container: c.id, pid: target, startTime, shell: found, argv: [nsenter, '--target', String(target), '--all', '--root', '--wd', '--', ...run] };
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

/**
 * Whether `file` names an executable inside the container root, following symlinks only within that
 * root (busybox images make /bin/sh a relative link to busybox). An absolute link target is taken
 * relative to the container root, never the host's, and `..` cannot climb above it.
 */
export function resolvesInside(root: string, file: string, depth = 0): boolean {
  if (depth > 16) return false;
  const parts = path.posix.normalize(file).split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = path.posix.join(cur, parts[i]);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(root + next);
    } catch {
      return false;
    }
    if (st.isSymbolicLink()) {
      const link = fs.readlinkSync(root + next);
      const rest = parts.slice(i + 1).join('/');
      const resolved = path.posix.normalize(path.posix.join(link.startsWith('/') ? '/' : cur, link, rest));
      return resolvesInside(root, resolved.startsWith('/') ? resolved : `/${resolved}`, depth + 1);
    }
    cur = next;
    if (i === parts.length - 1) return st.isFile() && (st.mode & 0o111) !== 0;
  }
  return false;
}
