/**
 * What the node itself says about a launched container, for the launch suites: runc's state, the mount
 * table as a process sees it, the cgroups named for it. Never the agent's own answers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LAUNCH_ROOT } from '../../server/act/launchBundle';

export const read = (file: string): string => fs.readFileSync(file, 'utf8').trim();

export const runcState = (name: string): { status: string; pid: number } | null => {
  const r = spawnSync('runc', ['state', name], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { status: string; pid: number }) : null;
};

/** The mount table line of `target` as process `pid` sees it (mountinfo: proc(5)). */
export function mountOf(pid: number | 'self', target: string): { options: string; fstype: string; superOptions: string } | null {
  for (const line of read(`/proc/${pid}/mountinfo`).split('\n')) {
    const [left, right] = line.split(' - ');
    const f = left.split(' ');
    if (f[4] !== target) continue;
    const [fstype, , superOptions] = right.split(' ');
    return { options: f[5], fstype, superOptions };
  }
  return null;
}

/** The cgroups named for a launch in every cgroup hierarchy mounted (v1 controllers, named ones, cgroup2). */
export const cgroupDirs = (name: string): string[] =>
  read('/proc/self/mountinfo')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => path.join(l.split(' ')[4], 'nodescope', name))
    .filter((d) => fs.existsSync(d));

/** Nothing of a launch named `name` is left on the node: runc state, bundle, overlay mount, cgroups. */
export function assertNothingLeft(name: string): void {
  assert.equal(runcState(name), null, 'runc has no state for it');
  assert.equal(fs.existsSync(path.join(LAUNCH_ROOT, name)), false, 'its bundle is gone');
  assert.equal(mountOf('self', path.join(LAUNCH_ROOT, name, 'rootfs')), null, 'its overlay is unmounted');
  assert.deepEqual(cgroupDirs(name), [], 'its cgroups are removed');
}

/** Removes whatever a test's launches of these names left, whatever state they are in (an after hook). */
export function removeLaunches(names: string[]): void {
  for (const n of names) {
    spawnSync('runc', ['delete', '--force', n]);
    spawnSync('umount', [path.join(LAUNCH_ROOT, n, 'rootfs')]);
    spawnSync('umount', [path.join(LAUNCH_ROOT, n, 'rw')]);
    fs.rmSync(path.join(LAUNCH_ROOT, n), { recursive: true, force: true });
  }
}
