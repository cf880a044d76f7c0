/**
 * Launching a test container next to an existing one, and removing it again: an overlay of the source
 * container's image layers (its lower layers; its own writes stay its own) with a fresh upper layer,
 * limits of the person's choosing, run by runc (runtime-spec bundle: launchSpec.ts). The person can
 * then try a tighter limit, a read-only root or a different command against the same image on the
 * node where the problem is, without touching the container that has it.
 *
 * Nothing is half-made: every step of a launch that fails is undone (runc's state, the overlay mount,
 * the bundle, the cgroups), and the answer says if anything could not be. Only containers whose bundle
 * is under LAUNCH_ROOT (Nodescope's) can be removed here; an engine's containers are its own business.
 * runc only: crun refuses hybrid cgroup hosts (shared/docs/environment.md).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCodes, type ContainerInfo, type LaunchParams, type LaunchResult, type StopResult } from '../protocol';
import { AgentFailure } from '../failure';
import { CPU_PERIOD_US, LAUNCH_CGROUP_PARENT, launchSpec } from './launchSpec';
import { checkLimitValue, requestedLimit } from './limit';

/** Bundles of launched containers: /run is a tmpfs, so their upper layers live in memory and go at boot. */
export const LAUNCH_ROOT = '/run/nodescope/launch';
export const LAUNCHED_LABEL = 'nodescope.launched';
const RUNC_CANDIDATES = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function runcBinary(): string {
  const onPath = (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'runc'));
  const found = [...RUNC_CANDIDATES, ...onPath].find((f) => fs.existsSync(f));
  if (!found) throw new AgentFailure(ErrorCodes.Unsupported, 'no runc on this node: install runc to launch test containers');
  return found;
}

const runc = (bin: string, args: string[], timeout = 30_000): string => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });

/** The last line a failed command wrote, for a one-line error. */
function lastLine(err: unknown): string {
  const e = err as { stderr?: string | Buffer; message?: string };
  const text = `${e.stderr ?? ''}`.trim() || `${e.message ?? err}`;
  // runc logs as logfmt: time="…" level=error msg="…", with the message's quotes escaped.
  return text.split('\n').filter(Boolean).pop()!.replace(/^time="[^"]*" level=\w+ msg="?/, '').replace(/"$/, '').replace(/\\"/g, '"');
}

/** The source init's argv, as the default command: "run what that container runs". */
function commandOf(c: ContainerInfo): string[] {
  let argv: string[] = [];
  try {
    argv = fs.readFileSync(`/proc/${c.initPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    /* gone: asked for below */
  }
  if (!argv.length) throw new AgentFailure(ErrorCodes.InvalidParams, `cannot read ${c.name}'s command; give one`);
  return argv;
}

function checkedTmpfs(v: unknown): { path: string; sizeBytes: number }[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 8) throw new AgentFailure(ErrorCodes.InvalidParams, '"tmpfs" must be a list of at most 8 {path, sizeBytes}');
  return v.map((t) => {
    const { path: p, sizeBytes } = (t ?? {}) as { path?: unknown; sizeBytes?: unknown };
    if (typeof p !== 'string' || !p.startsWith('/') || p.split('/').includes('..') || p === '/') throw new AgentFailure(ErrorCodes.InvalidParams, `a tmpfs path must be absolute, not /, without "..": got ${JSON.stringify(p)}`);
    if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw new AgentFailure(ErrorCodes.InvalidParams, `the tmpfs at ${p} needs a size in bytes`);
    return { path: path.posix.normalize(p), sizeBytes };
  });
}

export interface LaunchContext {
  /** Names already taken on the node (containers in the snapshot). */
  taken: Set<string>;
  audit: (record: { name: string; outcome: string; argv: string[] }) => void;
}

/** What a launch would do (dry run) or did, after checking everything a person could get wrong. */
export function launchContainer(from: ContainerInfo, p: LaunchParams, ctx: LaunchContext): LaunchResult {
  const lowerdirs = from.rootfs?.overlay?.lowerdirs ?? [];
  if (!lowerdirs.length || from.rootfs?.overlay?.dataLowerdirs.length) {
    throw new AgentFailure(ErrorCodes.Unsupported, `${from.name}'s root is ${from.rootfs?.overlay ? 'an overlay with data-only layers' : `${from.rootfs?.fstype ?? 'unknown'}, not an overlay`}: there are no image layers to launch from`);
  }
  const name = p.name ?? `${from.name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 50) || 'container'}-test`;
  if (!NAME.test(name)) throw new AgentFailure(ErrorCodes.InvalidParams, `"${name}" is not a name runc takes: letters, digits, _ . - (at most 63), starting with a letter or digit`);
  const bundle = path.join(LAUNCH_ROOT, name);
  if (ctx.taken.has(name) || fs.existsSync(bundle) || fs.existsSync(path.join('/run/runc', name))) {
    throw new AgentFailure(ErrorCodes.InvalidParams, `a container named "${name}" is already on this node; choose another name`);
  }
  if (p.command !== undefined && !(Array.isArray(p.command) && p.command.length && p.command.every((a) => typeof a === 'string'))) {
    throw new AgentFailure(ErrorCodes.InvalidParams, '"command" must be a non-empty array of strings');
  }
  if (p.readOnly !== undefined && typeof p.readOnly !== 'boolean') throw new AgentFailure(ErrorCodes.InvalidParams, '"readOnly" must be true or false');
  const limits = {
    memoryBytes: requestedLimit(p, 'memoryBytes') ?? null,
    pidsMax: requestedLimit(p, 'pidsMax') ?? null,
    cpus: requestedLimit(p, 'cpus') ?? null,
  };
  checkLimitValue('memory', limits.memoryBytes, null, CPU_PERIOD_US, name);
  checkLimitValue('cpu', limits.cpus, null, CPU_PERIOD_US, name);
  const argv = p.command ?? commandOf(from);
  const tmpfs = checkedTmpfs(p.tmpfs);
  const bin = runcBinary();
  const plan: LaunchResult = {
    container: name,
    name,
    from: { id: from.id, name: from.name },
    started: false,
    pid: null,
    bundle,
    lowerdirs,
    upperdir: path.join(bundle, 'upper'),
    cgroupPath: `${LAUNCH_CGROUP_PARENT}/${name}`,
    command: argv,
    readOnly: p.readOnly ?? false,
    tmpfs,
    limits,
    notes: [
      `the image layers are ${from.name}'s lower layers, shared with it read-only; what it wrote itself is not there`,
      'its writable layer is under /run (memory): it goes when removed, or at the next boot',
      'its own network namespace has only a loopback; Docker\'s default capabilities, no new privileges, no seccomp filter',
      'the image\'s environment is not copied (it may hold secrets): PATH only',
    ],
  };
  if (p.dryRun) return plan;

  const undo: (() => string | null)[] = [];
  try {
    fs.mkdirSync(LAUNCH_ROOT, { recursive: true, mode: 0o700 });
    fs.mkdirSync(bundle, { mode: 0o700 });
    undo.push(() => removeDir(bundle));
    for (const d of ['upper', 'work', 'rootfs']) fs.mkdirSync(path.join(bundle, d));
    const rootfs = path.join(bundle, 'rootfs');
    try {
      execFileSync('mount', ['-t', 'overlay', `nodescope-${name}`, '-o', `lowerdir=${lowerdirs.join(':')},upperdir=${plan.upperdir},workdir=${path.join(bundle, 'work')}`, rootfs], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      throw new AgentFailure(ErrorCodes.NotPermitted, `the overlay of ${from.name}'s ${lowerdirs.length} layers could not be mounted: ${lastLine(err)}`);
    }
    undo.push(() => unmount(rootfs));
    const spec = launchSpec({ id: name, args: argv, env: [PATH_ENV, `HOSTNAME=${name}`], readOnly: plan.readOnly, tmpfs, ...limits, annotations: { [LAUNCHED_LABEL]: '1', 'nodescope.from': from.name } });
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
    undo.push(() => removeRuncState(bin, name));
    // runc returns once the container has started. Detached without a terminal, the container keeps
    // runc's stdout and stderr: a file in its bundle, never a pipe the agent would wait on. runc's own
    // complaints land there too.
    const logFile = path.join(bundle, 'output.log');
    const log = fs.openSync(logFile, 'a');
    try {
      execFileSync(bin, ['run', '--detach', '--bundle', bundle, '--pid-file', path.join(bundle, 'pid'), name], { stdio: ['ignore', log, log], timeout: 30_000 });
    } catch (err) {
      throw new AgentFailure(ErrorCodes.NotPermitted, `runc could not start ${name}: ${lastLine({ stderr: fs.readFileSync(logFile, 'utf8'), message: (err as Error).message })}`);
    } finally {
      fs.closeSync(log);
    }
    plan.pid = Number(fs.readFileSync(path.join(bundle, 'pid'), 'utf8').trim());
    plan.started = true;
    ctx.audit({ name, outcome: 'started', argv });
    return plan;
  } catch (err) {
    const left = [...undo].reverse().map((u) => u()).filter((x): x is string => x !== null);
    const message = `${err instanceof AgentFailure ? err.message : (err as Error).message}; ${left.length ? `NOT cleaned up: ${left.join(', ')}` : 'nothing was left behind'}`;
    ctx.audit({ name, outcome: message, argv });
    throw new AgentFailure(err instanceof AgentFailure ? err.code : ErrorCodes.NotPermitted, message);
  }
}

/** Each undo step returns what it could not remove, or null. */
function removeDir(dir: string): string | null {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  } catch (err) {
    return `${dir} (${(err as NodeJS.ErrnoException).code})`;
  }
}

function isMounted(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

function unmount(dir: string): string | null {
  try {
    if (isMounted(dir)) execFileSync('umount', [dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    return null;
  } catch (err) {
    return `the overlay at ${dir} (${lastLine(err)})`;
  }
}

/** runc's state and the cgroups it made; nothing to do when it never got that far. */
function removeRuncState(bin: string, name: string): string | null {
  try {
    runc(bin, ['delete', '--force', name]);
  } catch {
    /* never created, or already gone */
  }
  const left: string[] = [];
  for (const h of cgroupHierarchies()) {
    const dir = path.join(h, LAUNCH_CGROUP_PARENT, name);
    if (fs.existsSync(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch (err) {
        left.push(`${dir} (${(err as NodeJS.ErrnoException).code})`);
      }
    }
    // The parent runc made for launched containers goes with the last of them (busy while others run).
    try {
      fs.rmdirSync(path.join(h, LAUNCH_CGROUP_PARENT));
    } catch {
      /* absent, or another launched container is in it */
    }
  }
  return fs.existsSync(path.join('/run/runc', name)) ? [`runc state of ${name}`, ...left].join(', ') : left.join(', ') || null;
}

/** Every cgroup hierarchy's root: v1 controllers (and named ones) and the cgroup2 mount. */
function cgroupHierarchies(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4]);
}

/** Stops and removes a container Nodescope launched: its process, runc state, cgroups, overlay, bundle. */
export function stopLaunched(name: string, audit: (outcome: string) => void): StopResult {
  if (!NAME.test(name)) throw new AgentFailure(ErrorCodes.InvalidParams, `"${name}" is not a container name`);
  const bundle = path.join(LAUNCH_ROOT, name);
  if (!fs.existsSync(path.join(bundle, 'config.json'))) {
    throw new AgentFailure(ErrorCodes.NotPermitted, `${name} was not launched by Nodescope (no bundle in ${LAUNCH_ROOT}); remove it with the engine that made it`);
  }
  const bin = runcBinary();
  try {
    runc(bin, ['kill', name, 'KILL']);
  } catch {
    /* already stopped */
  }
  // runc delete --force also kills; give the kernel a moment to reap before the cgroups are removed.
  for (let i = 0; i < 50; i++) {
    try {
      if (JSON.parse(runc(bin, ['state', name])).status !== 'running') break;
    } catch {
      break;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  const left = [removeRuncState(bin, name), unmount(path.join(bundle, 'rootfs')), removeDir(bundle)].filter((x): x is string => x !== null);
  const outcome = left.length ? `NOT cleaned up: ${left.join(', ')}` : 'removed';
  audit(outcome);
  if (left.length) throw new AgentFailure(ErrorCodes.NotPermitted, `${name} stopped, but ${outcome}`);
  return { container: name, removed: true };
}
