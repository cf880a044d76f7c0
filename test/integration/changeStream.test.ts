/**
 * Keyed changes (issue 14): over a scripted sequence of real changes on this node (a Docker container
 * started, stopped and removed, a bare `unshare` process set, `ip netns add` and `delete`), each change the
 * agent would send, taken through JSON as the wire takes it and applied to the snapshot before it, equals
 * the snapshot after it, entry for entry and in order.
 *
 * What is compared, and why this way: both sides of each comparison are snapshots the agent itself took
 * (S[i-1] and S[i]), so the whole of them is compared, counters included; two snapshots taken at different
 * moments would differ in every counter (memory usage, cpu time) and in every process other work on this
 * node starts meanwhile, and could only be compared modulo those. That comparison, against a fresh snapshot,
 * is in watchEvents.test.ts, through a real agent. What each change says is checked against facts read
 * here independently: docker inspect for the container's id, stat(2) of /run/netns/NAME for the
 * namespace's inode, /proc/PID/stat for the bare process's start time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { probes, skipUnlessReal } from '../support/real';
import { takeSnapshot } from '../../server/discover/snapshot';
import { snapshotChanges } from '../../server/watch/snapshotDiff';
import { applyChanges } from '../../src/connection/snapshotChanges';
import type { ChangedNotification, Snapshot } from '../../server/protocol';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('ip'), probes.command('unshare'));
const tag = `h6cs${process.pid}`;
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Field 22 of /proc/PID/stat, read here (the comm may hold spaces and parentheses: split after the last ')'). */
function startTimeOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** The pid of the `sleep` of a bare unshare set: unshare --fork's child, which execs it. */
function sleepUnder(unsharePid: number): number | null {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === unsharePid && stat.includes('(sleep)')) return Number(name);
    } catch {
      /* gone */
    }
  }
  return null;
}

describe('keyed changes applied to the last snapshot equal the next one', { skip, timeout: 300_000 }, () => {
  let bare: ChildProcess | null = null;
  const snaps: Snapshot[] = [];
  const changes: (ChangedNotification | null)[] = [];

  /** Takes the next snapshot, the change to it from the last, and checks apply(last, change) = next. */
  const step = (what: string): ChangedNotification | null => {
    const next = takeSnapshot();
    const prev = snaps[snaps.length - 1];
    const change = snapshotChanges(prev, next, snaps.length);
    const applied = change ? applyChanges(wire(prev), wire(change)) : wire(prev);
    // takenAt alone differs when nothing else did: no change is sent then, and the copy keeps its time.
    if (!change) applied.takenAt = next.takenAt;
    assert.deepEqual(applied, wire(next), `after ${what}: the copy equals the snapshot`);
    snaps.push(next);
    changes.push(change);
    return change;
  };

  before(() => {
    snaps.push(takeSnapshot());
  });

  after(() => {
    if (bare?.pid) {
      try {
        process.kill(-bare.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      execFileSync('docker', ['rm', '-f', `${tag}-a`], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
    try {
      execFileSync('ip', ['netns', 'delete', tag], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
  });

  it('a Docker container started appears, keyed by its id, with its processes and namespaces', () => {
    const id = docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      `${tag}-a`,
      '--label',
      'nodescope.rig=1',
      'nodescope-rig/base:1',
      'sleep',
      '600',
    );
    const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', id));
    const c = step('docker run')!;
    assert.ok(c, 'a change');
    assert.ok(
      c.containersUpserted.some((x) => x.id === id),
      'the container, by the id docker gave',
    );
    assert.ok(c.processesUpserted?.some((p) => p.pid === pid && p.startTime === startTimeOf(pid)));
    const mntIno = fs.statSync(`/proc/${pid}/ns/mnt`).ino;
    assert.ok(
      c.namespacesUpserted?.some((n) => n.type === 'mnt' && n.inode === mntIno),
      'its mount namespace, by inode',
    );
    assert.equal(c.processes, undefined, 'no whole list on the wire');
    assert.equal(c.namespaces, undefined);
  });

  it('a bare unshare set appears: its processes by pid and start time, its namespaces by inode', async () => {
    bare = spawn('unshare', ['--pid', '--fork', '--mount', '--uts', '--net', '--mount-proc', 'sleep', '600'], {
      stdio: 'ignore',
      detached: true,
    });
    let sleeper: number | null = null;
    for (let i = 0; i < 100 && sleeper === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      sleeper = sleepUnder(bare.pid!);
    }
    assert.ok(sleeper, 'the sleep inside the set runs');
    const c = step('unshare')!;
    assert.ok(c.processesUpserted?.some((p) => p.pid === sleeper && p.startTime === startTimeOf(sleeper)));
    const utsIno = fs.statSync(`/proc/${sleeper}/ns/uts`).ino;
    assert.ok(c.namespacesUpserted?.some((n) => n.type === 'uts' && n.inode === utsIno));
  });

  it('ip netns add: a namespace held only by its bind mount appears; delete: it is removed by key', () => {
    execFileSync('ip', ['netns', 'add', tag]);
    const ino = fs.statSync(`/run/netns/${tag}`).ino;
    const added = step('ip netns add')!;
    assert.ok(added.namespacesUpserted?.some((n) => n.type === 'net' && n.inode === ino));
    execFileSync('ip', ['netns', 'delete', tag]);
    const gone = step('ip netns delete')!;
    assert.ok(
      gone.namespacesRemoved?.some((n) => n.type === 'net' && n.inode === ino),
      'removed by type and inode',
    );
  });

  it('docker stop and rm: the container changes, then is removed by id with its processes', () => {
    const id = docker('inspect', '-f', '{{.Id}}', `${tag}-a`);
    const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', id));
    const started = startTimeOf(pid);
    docker('stop', '-t', '0', id);
    step('docker stop');
    docker('rm', id);
    step('docker rm');
    const all = changes.slice(-2).filter((c): c is ChangedNotification => c !== null);
    assert.ok(
      all.some((c) => c.containersRemoved.includes(id)),
      'removed by id',
    );
    assert.ok(all.some((c) => c.processesRemoved?.some((k) => k.pid === pid && k.startTime === started)));
    assert.ok(!snaps[snaps.length - 1].containers.some((c) => c.id === id));
  });

  it('the bare set killed: its processes and namespaces go', async () => {
    const set = bare!;
    const sleeper = sleepUnder(set.pid!)!;
    const uts = fs.statSync(`/proc/${sleeper}/ns/uts`).ino;
    const exited = new Promise((r) => set.once('exit', r));
    process.kill(-set.pid!, 'SIGKILL');
    await exited;
    bare = null;
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${sleeper}`); i++) await new Promise((r) => setTimeout(r, 50));
    const c = step('kill');
    assert.ok(c?.processesRemoved?.some((k) => k.pid === sleeper));
    assert.ok(c?.namespacesRemoved?.some((n) => n.type === 'uts' && n.inode === uts));
  });

  it('a change is a small part of a snapshot when one container changes', () => {
    const sizes = changes.filter((c): c is ChangedNotification => c !== null).map((c) => JSON.stringify(c).length);
    const full = JSON.stringify(snaps[snaps.length - 1]).length;
    // Not a speed: a size. The bench reports the ratio on a busy node; here, only that it is a part.
    assert.ok(Math.max(...sizes) < full, `largest change ${Math.max(...sizes)} B, snapshot ${full} B`);
  });
});
