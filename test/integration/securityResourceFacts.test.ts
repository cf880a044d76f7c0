// The facts the security matrix and the live resources panel draw, against sources the agent does not use:
// `docker inspect` (HostConfig.SecurityOpt, Privileged, CapAdd), `docker info`, /proc/PID/attr/current read
// with cat, /proc/PID/status read here, the cgroup's blkio and PSI files read after the snapshot.
// Containers of its own (--network none, removed at the end): one with --cap-add SYS_ADMIN and seccomp
// unconfined, one with Docker's defaults, one that writes 1 MiB with O_DIRECT under a write-bps rule.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerInfo, Snapshot } from '../../server/protocol';
import { takeSnapshot } from '../../server/discover/snapshot';
import { DOCKER_DEFAULT_CAPS } from '../../server/discover/capabilities';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker);
const IMAGE = 'nodescope-rig/base:1';
const ADMIN = `nodescope-secfacts-admin-${process.pid}`;
const PLAIN = `nodescope-secfacts-plain-${process.pid}`;
const WRITER = `nodescope-secfacts-io-${process.pid}`;
/** Docker's default set as the mask runc gives it (moby oci/caps/defaults.go; test/integration/launch.test.ts). */
const DOCKER_DEFAULT_CAP_MASK = '00000000a80425fb';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inspect = any;
const inspect = (name: string): Inspect => JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];
const statusField = (pid: number, field: string): string =>
  new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1].trim();

/** The block device under Docker's storage, as /dev/NAME and MAJ:MIN, for a --device-write-bps rule. */
function dockerDisk(): { dev: string; majMin: string } {
  const st = fs.statSync('/var/lib/docker');
  // A partition's writes are throttled on its whole disk's queue; sysfs names the parent.
  let majMin = `${Math.floor(st.dev / 256) & 0xfff}:${(st.dev & 0xff) | ((st.dev >> 12) & 0xfff00)}`;
  const sys = fs.realpathSync(`/sys/dev/block/${majMin}`);
  if (fs.existsSync(path.join(sys, 'partition'))) majMin = fs.readFileSync(path.join(sys, '..', 'dev'), 'utf8').trim();
  const name = /^DEVNAME=(.*)$/m.exec(fs.readFileSync(`/sys/dev/block/${majMin}/uevent`, 'utf8'))![1];
  return { dev: `/dev/${name}`, majMin };
}

describe('security and resource facts against docker inspect, /proc and cgroupfs', { skip }, () => {
  let snap: Snapshot;
  let disk: { dev: string; majMin: string };
  const byName = (n: string): ContainerInfo => {
    const c = snap.containers.find((x) => x.name === n);
    assert.ok(c, `container ${n} missing`);
    return c;
  };

  before(() => {
    rigUp();
    disk = dockerDisk();
    const run = (name: string, ...args: string[]) =>
      execFileSync('docker', ['run', '-d', '--name', name, '--network', 'none', ...args], { encoding: 'utf8' });
    run(ADMIN, '--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined', IMAGE, 'sleep', '1000');
    run(PLAIN, IMAGE, 'sleep', '1000');
    run(
      WRITER,
      '--device-write-bps',
      `${disk.dev}:100mb`,
      IMAGE,
      'sh',
      '-c',
      'dd if=/dev/zero of=/x bs=4096 count=256 oflag=direct && touch /done; exec sleep 1000',
    );
    for (let i = 0; i < 100 && spawnSync('docker', ['exec', WRITER, 'test', '-e', '/done']).status !== 0; i++)
      execFileSync('sleep', ['0.1']);
    snap = takeSnapshot({ agentVersion: 'test' });
  });
  after(() => {
    spawnSync('docker', ['rm', '-f', ADMIN, PLAIN, WRITER], { stdio: 'ignore' });
  });

  test('--cap-add SYS_ADMIN --security-opt seccomp=unconfined: seccomp disabled, CAP_SYS_ADMIN held', () => {
    const c = byName(ADMIN);
    const di = inspect(ADMIN);
    assert.deepEqual(di.HostConfig.SecurityOpt, ['seccomp=unconfined']);
    assert.equal(di.HostConfig.Privileged, false);
    assert.equal(c.seccomp, 'disabled');
    assert.equal(statusField(c.initPid, 'Seccomp'), '0');
    for (const cap of di.HostConfig.CapAdd as string[])
      assert.ok(c.capabilities!.effective.includes(`CAP_${cap.replace(/^CAP_/, '')}`), `CapAdd ${cap} in the effective set`);
    assert.equal(c.noNewPrivs, false);
  });

  test("a default container: Docker's default capability set, seccomp filter, no_new_privs off", () => {
    const c = byName(PLAIN);
    const di = inspect(PLAIN);
    assert.equal(di.HostConfig.Privileged, false);
    assert.equal(di.HostConfig.SecurityOpt, null);
    const info = JSON.parse(execFileSync('docker', ['info', '--format', '{{json .SecurityOptions}}'], { encoding: 'utf8' })) as string[];
    assert.equal(c.seccomp, info.some((o) => o.startsWith('name=seccomp')) ? 'filter' : 'disabled');
    assert.equal(statusField(c.initPid, 'CapEff'), DOCKER_DEFAULT_CAP_MASK);
    assert.deepEqual([...c.capabilities!.effective].sort(), [...DOCKER_DEFAULT_CAPS].sort());
    assert.equal(c.noNewPrivs, false);
  });

  test('LSM label: what cat reads from /proc/PID/attr/current, or none where the kernel has no LSM', () => {
    for (const name of [ADMIN, PLAIN]) {
      const c = byName(name);
      const cat = spawnSync('cat', [`/proc/${c.initPid}/attr/current`], { encoding: 'utf8' });
      const expected = cat.status === 0 ? cat.stdout.replace(/\0/g, '').trim() || null : null;
      assert.equal(c.lsmLabel, expected, `${name}: cat said ${JSON.stringify(cat.stdout || cat.stderr)}`);
    }
  });

  test('io bytes: the O_DIRECT megabyte under a throttle rule, none claimed without a rule', () => {
    const c = byName(WRITER);
    const io = c.cgroup!.io!;
    assert.deepEqual(io.limits, [{ device: disk.majMin, rbps: null, wbps: 100 * 1024 * 1024, riops: null, wiops: null }]);
    const file = fs.readFileSync(
      path.join('/sys/fs/cgroup/blkio', c.cgroup!.paths.blkio, 'blkio.throttle.io_service_bytes_recursive'),
      'utf8',
    );
    const writes = file
      .split('\n')
      .filter((l) => / Write \d+$/.test(l))
      .reduce((n, l) => n + Number(l.split(' ')[2]), 0);
    assert.ok(io.writeBytes! >= 1024 * 1024, `dd wrote 1 MiB with O_DIRECT; agent says ${io.writeBytes}`);
    assert.ok(io.writeBytes! <= writes, 'a counter: never above a later read');
    // Without a rule the kernel keeps no count (measured: Total 0 after the same dd): unknown, not 0.
    assert.equal(byName(PLAIN).cgroup!.io!.readBytes, null);
    assert.equal(byName(PLAIN).cgroup!.io!.writeBytes, null);
  });

  test('PSI from the cgroup2 tree: stall totals never above a later read of the same file', () => {
    const c = byName(PLAIN);
    const dir = `/sys/fs/cgroup/unified/docker/${c.id}`;
    if (!fs.existsSync(path.join(dir, 'memory.pressure'))) return assert.equal(c.cgroup!.pressure, null);
    for (const r of ['cpu', 'memory', 'io'] as const) {
      const later = Number(/^some .* total=(\d+)$/m.exec(fs.readFileSync(path.join(dir, `${r}.pressure`), 'utf8'))![1]);
      const p = c.cgroup!.pressure![r]!;
      assert.ok(p.some.total <= later, `${r}: ${p.some.total} <= ${later}`);
      assert.ok(p.some.avg10 >= 0 && p.some.avg10 <= 100);
    }
  });
});
