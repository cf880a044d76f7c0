/**
 * Whose processes a cgroup holds, before a limit is written to it: a limit applies to every process in
 * the cgroup and below it, so it may only be set where all of them are the container's. Anything that
 * cannot be read makes the answer "no" (fail closed): an unread cgroup may hold anything.
 *
 * A process is the container's when it is in the container's pid namespace; or in its mount namespace
 * (a `--pid host` container, or the launcher `unshare --pid --mount --fork` leaves in the host's pid
 * namespace, as discovery counts it); or descends from such a process (a sandbox or a nested container
 * inside it has namespaces of its own). A process may still join between this check and the write.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCodes, type ContainerInfo } from '../protocol';
import { refuse } from '../failure';
import { AgentError } from '../agentError';
import { parseStat } from '../discover/procfs';

/** How deep below the container's cgroup the walk goes; deeper is refused rather than left unread. */
const MAX_DEPTH = 32;
/**
 * How many cgroups the walk reads at most: one with CAP_SYS_ADMIN in its cgroup namespace makes as many
 * children as it likes (cgroup.max.descendants is unlimited by default), each a read and a listing.
 */
const MAX_CGROUPS = 4096;
/** How many parents are followed to find the container's process a nested one descends from. */
const MAX_ANCESTORS = 64;

const gone = (err: unknown): boolean => ['ENOENT', 'ESRCH'].includes((err as NodeJS.ErrnoException).code ?? '');

function cannotRead(what: string, err: unknown): AgentError {
  return refuse(
    ErrorCodes.NotPermitted,
    `cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), so cannot tell whose processes a limit would reach`,
  );
}

/** Every PID in the cgroup at `dir` and below it. */
function pidsUnder(dir: string): number[] {
  const out: number[] = [];
  let visited = 0;
  const walk = (d: string, depth: number): void => {
    if (depth > MAX_DEPTH)
      throw refuse(ErrorCodes.NotPermitted, `${dir} has cgroups more than ${MAX_DEPTH} levels deep; not limiting what was not looked at`);
    if (++visited > MAX_CGROUPS)
      throw refuse(ErrorCodes.NotPermitted, `${dir} has more than ${MAX_CGROUPS} cgroups below it; not limiting what was not looked at`);
    let procs: string;
    let kids: fs.Dirent[];
    try {
      procs = fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8');
      kids = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if (gone(err) && d !== dir) return; // a child cgroup removed meanwhile
      throw cannotRead(path.join(d, 'cgroup.procs'), err);
    }
    for (const l of procs.split('\n')) if (l) out.push(Number(l));
    for (const k of kids) if (k.isDirectory()) walk(path.join(d, k.name), depth + 1);
  };
  walk(dir, 0);
  return out;
}

/** In the container's pid or mount namespace (those it does not share with the host)? null: gone. */
function inItsNamespaces(c: ContainerInfo, pid: number): boolean | null {
  for (const type of ['pid', 'mnt'] as const) {
    const want = c.namespaces[type];
    if (want === null || c.sharesHostNamespaces.includes(type)) continue;
    try {
      if (fs.statSync(`/proc/${pid}/ns/${type}`).ino === want) return true;
    } catch (err) {
      if (gone(err)) return null;
      return false; // unreadable: unproven, so not the container's
    }
  }
  return false;
}

/** The process's, or one of its parents', membership; null when it exited meanwhile. */
function belongsTo(c: ContainerInfo, pid: number): boolean | null {
  let p = pid;
  for (let i = 0; i < MAX_ANCESTORS; i++) {
    const own = inItsNamespaces(c, p);
    if (own !== false) return i === 0 ? own : own === true;
    let ppid: number;
    try {
      ppid = parseStat(fs.readFileSync(`/proc/${p}/stat`, 'utf8')).ppid;
    } catch (err) {
      return i === 0 && gone(err) ? null : false;
    }
    // PID 1 and kthreadd (2) are the host's roots: nothing above them is a container's.
    if (ppid <= 2) return false;
    p = ppid;
  }
  return false;
}

function commOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Refuses unless the cgroup is not the node's root and every process in and below it is the container's. */
export function checkOwnCgroup(c: ContainerInfo, controller: string, cg: { path: string; dir: string }): void {
  if (cg.path === '/') {
    throw refuse(ErrorCodes.NotPermitted, `${c.name} is in the node's root ${controller} cgroup: a limit there would not be its own`);
  }
  const others = pidsUnder(cg.dir).filter((p) => belongsTo(c, p) === false);
  if (others.length) {
    const one = others.length === 1;
    throw refuse(
      ErrorCodes.NotPermitted,
      `${c.name}'s ${controller} cgroup ${cg.path} also holds ${others.length} process${one ? '' : 'es'} that ${one ? 'is' : 'are'} not its own (pid ${others[0]}, ${commOf(others[0])}): a limit there would apply to ${one ? 'it' : 'them'} too`,
    );
  }
}
