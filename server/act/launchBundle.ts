/**
 * The node-side pieces of a launched container, made and taken away in order: the bundle directory
 * under LAUNCH_ROOT, a sized tmpfs for its writable layer, the overlay root, runc's state and the
 * cgroups runc made. Teardown goes newest first and stops at the first piece it cannot remove: deleting
 * a bundle through a root that is still mounted would walk into the container's files.
 *
 * Every tool (mount, umount, runc) runs as a child the agent awaits, never one it blocks on: the agent
 * answers its other requests (a snapshot, the watch) while a launch mounts and runc starts. Each is killed
 * (SIGKILL: a mount stuck in the kernel ignores gentler ones no less) past its timeout, which fails the
 * step as any other failure does, so what was made is taken away again on that path too.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { LAUNCH_CGROUP_PARENT } from './launchSpec';
import { readOwnMountinfo } from '../discover/mountinfo';

/** Bundles of launched containers. /run goes at boot, as they should. */
export const LAUNCH_ROOT = '/run/nodescope/launch';
/** The writable layer's ceiling: a tmpfs of this size holds upper and work, so a test cannot fill /run. */
export const UPPER_BYTES = 512 * 2 ** 20;
/** How long one tool may run (mount, umount, runc run, state, kill, delete) before it is killed. */
export const TOOL_TIMEOUT_MS = 30_000;
/** The tools a launch runs at most, one after another: two mounts and runc run, then teardown's three. */
export const LAUNCH_TOOL_RUNS = 3 + 3;

export const bundleOf = (name: string): string => path.join(LAUNCH_ROOT, name);

/** The last line a failed command wrote, for a one-line error. */
export function lastLine(err: unknown): string {
  const e = err as { stderr?: string | Buffer; message?: string };
  const text = `${e.stderr ?? ''}`.trim() || `${e.message ?? err}`;
  // runc logs as logfmt: time="…" level=error msg="…", with the message's quotes escaped.
  return text
    .split('\n')
    .filter(Boolean)
    .pop()!
    .replace(/^time="[^"]*" level=\w+ msg="?/, '')
    .replace(/"$/, '')
    .replace(/\\"/g, '"');
}

const execFileAsync = promisify(execFile);
const killedAfter = (bin: string): string => `${path.basename(bin)} was killed after ${TOOL_TIMEOUT_MS / 1000} s`;

/** What `bin` printed on stdout; rejects with its stderr (for lastLine) when it fails or is killed at TOOL_TIMEOUT_MS. */
export async function tool(bin: string, args: string[]): Promise<string> {
  const run = execFileAsync(bin, args, { encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  // Nothing is written to it: its stdin closed now, as 'ignore' did, so a tool that reads it ends.
  run.child.stdin?.end();
  try {
    return (await run).stdout;
  } catch (err) {
    // Killed at the timeout it wrote nothing worth a line, and "Command failed: <every argument>" is no reason.
    if ((err as { killed?: boolean }).killed) throw new Error(killedAfter(bin), { cause: err });
    throw err;
  }
}

/**
 * Runs `bin` with its stdout and stderr on the open file `fd` (not a pipe: a detached runc's container
 * keeps them, and a pipe would keep the agent waiting for its end); resolves when it exits 0, rejects with
 * how it ended otherwise, killed at TOOL_TIMEOUT_MS.
 */
export function toolToFile(bin: string, args: string[], fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TOOL_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(timedOut ? killedAfter(bin) : `${path.basename(bin)} exited with ${signal ?? `status ${code}`}`));
    });
  });
}

function isMounted(dir: string): boolean {
  return readOwnMountinfo()
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
}

/** Every cgroup hierarchy's root: v1 controllers, named ones and the cgroup2 mount. */
export function cgroupHierarchies(): string[] {
  return readOwnMountinfo()
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4]);
}

/** The cgroups named for a launch that exist now, in any hierarchy. */
export function launchCgroups(name: string): string[] {
  return cgroupHierarchies()
    .map((h) => path.join(h, LAUNCH_CGROUP_PARENT, name))
    .filter((d) => fs.existsSync(d));
}

/** One piece to take away; settles with what it could not remove, or null. */
export type Teardown = () => Promise<string | null>;

export function unmountStep(dir: string, what: string): Teardown {
  return async () => {
    try {
      if (isMounted(dir)) await tool('umount', [dir]);
      return null;
    } catch (err) {
      return `${what} at ${dir} (${lastLine(err)})`;
    }
  };
}

export function removeDirStep(dir: string): Teardown {
  return async () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return null;
    } catch (err) {
      return `${dir} (${(err as NodeJS.ErrnoException).code})`;
    }
  };
}

/** runc's state (delete --force also kills) and the cgroups it made; nothing to do when it never got that far. */
export function runcStateStep(bin: string, name: string): Teardown {
  return async () => {
    try {
      await tool(bin, ['delete', '--force', name]);
    } catch {
      /* never created, or already gone */
    }
    const left = fs.existsSync(path.join('/run/runc', name)) ? [`runc's state of ${name}`] : [];
    for (const dir of launchCgroups(name)) {
      try {
        fs.rmdirSync(dir);
      } catch (err) {
        left.push(`${dir} (${(err as NodeJS.ErrnoException).code})`);
      }
    }
    // The parent runc made for launched containers goes with the last of them (busy while others run).
    for (const h of cgroupHierarchies()) {
      try {
        fs.rmdirSync(path.join(h, LAUNCH_CGROUP_PARENT));
      } catch {
        /* absent, or another launched container is in it */
      }
    }
    return left.length ? left.join(', ') : null;
  };
}

/** Runs the steps in order and stops at the first that leaves something: later ones depend on it. */
export async function tearDown(steps: Teardown[]): Promise<string[]> {
  for (const step of steps) {
    const left = await step();
    if (left !== null) return [left];
  }
  return [];
}

/** The steps that take a launch's pieces away, newest first. */
export function teardownSteps(bin: string, name: string): Teardown[] {
  const bundle = bundleOf(name);
  return [
    runcStateStep(bin, name),
    unmountStep(path.join(bundle, 'rootfs'), 'the overlay root'),
    unmountStep(path.join(bundle, 'rw'), "the writable layer's tmpfs"),
    removeDirStep(bundle),
  ];
}

/**
 * Makes the bundle's directories and mounts: a tmpfs of UPPER_BYTES for upper/ and work/, the overlay
 * of `lowerdirs` (top-most first) at rootfs/. Rejects with the mount's own words. `userNs`: the container
 * will reach rootfs/ as an unprivileged uid (its own user namespace).
 *
 * The bundle directory is made before the first await, in the same turn as the caller's check that the
 * name is free: a second launch of that name arriving meanwhile finds it taken, and is refused before it
 * could tear down this one's pieces.
 */
export async function makeBundle(name: string, lowerdirs: string[], userNs: boolean): Promise<void> {
  const bundle = bundleOf(name);
  fs.mkdirSync(LAUNCH_ROOT, { recursive: true, mode: 0o700 });
  // A container in a user namespace of its own reaches its root as an unprivileged uid: the directories on
  // the way must let it pass (search only; nothing in them can be listed, config.json and the log are 0600).
  if (userNs) for (const d of [path.dirname(LAUNCH_ROOT), LAUNCH_ROOT]) fs.chmodSync(d, 0o711);
  fs.mkdirSync(bundle, { mode: userNs ? 0o711 : 0o700 });
  for (const d of ['rw', 'rootfs']) fs.mkdirSync(path.join(bundle, d));
  await tool('mount', ['-t', 'tmpfs', '-o', `size=${UPPER_BYTES},mode=0700`, `nodescope-${name}-rw`, path.join(bundle, 'rw')]);
  for (const d of ['upper', 'work']) fs.mkdirSync(path.join(bundle, 'rw', d));
  await tool('mount', [
    '-t',
    'overlay',
    `nodescope-${name}`,
    '-o',
    `lowerdir=${lowerdirs.join(':')},upperdir=${bundle}/rw/upper,workdir=${bundle}/rw/work`,
    path.join(bundle, 'rootfs'),
  ]);
}
