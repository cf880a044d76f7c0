// The whole snapshot against the shared rig (real dockerd, real overlay and cgroups). Every fact is
// checked against an independent source read here: `docker inspect`, /proc and cgroupfs files read
// directly, `stat` of the namespace links, `docker image inspect` for layer identities.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerInfo, Snapshot } from '../../server/protocol';
import { NS_TYPES } from '../../server/protocol';
import { takeSnapshot } from '../../server/discover/snapshot';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inspect = any;

function inspect(name: string): Inspect {
  return JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];
}
function nsInode(pid: number, type: string): number {
  return fs.statSync(`/proc/${pid}/ns/${type}`).ino;
}
function statusField(pid: number, field: string): string {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1].trim();
}
function cgFile(ctrl: string, cgPath: string, file: string): string {
  return fs.readFileSync(path.join('/sys/fs/cgroup', ctrl, cgPath, file), 'utf8').trim();
}

describe('snapshot of the rig', { skip }, () => {
  let facts: Record<string, string>;
  let snap: Snapshot;
  const byName = (n: string): ContainerInfo => {
    const c = snap.containers.find((x) => x.name === n);
    assert.ok(c, `container ${n} missing; have ${snap.containers.map((x) => x.name).join(', ')}`);
    return c;
  };

  before(() => {
    facts = rigUp();
    snap = takeSnapshot({ agentVersion: 'test' });
  });

  test('host facts', () => {
    assert.equal(snap.schemaVersion, 1);
    assert.equal(snap.host.kernel, execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    assert.equal(snap.host.hostname, execFileSync('hostname', { encoding: 'utf8' }).trim());
    assert.equal(snap.host.cgroupVersion, 'hybrid', 'this machine mounts v1 controllers and a cgroup2 at unified/');
    for (const t of NS_TYPES) if (fs.existsSync(`/proc/self/ns/${t}`)) assert.equal(snap.host.namespaces[t], nsInode(process.pid, t), t);
    assert.equal(snap.host.processCount, snap.processes.length);
  });

  test('no host process or kernel thread is listed as a container', () => {
    for (const c of snap.containers) {
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${c.initPid}/stat`, 'utf8');
      } catch (e) {
        // A process that exited since the snapshot can no longer be checked; the rig's own must not.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        assert.ok(!c.name.startsWith('nodescope-rig'), `${c.name} (${c.initPid}) vanished`);
        continue;
      }
      const ppid = Number(stat.split(') ')[1].split(' ')[1]);
      assert.notEqual(ppid, 2, `${c.name} (${c.initPid}) is a kernel thread`);
      const ownPidNs = nsInode(c.initPid, 'pid') !== nsInode(process.pid, 'pid');
      assert.ok(ownPidNs || c.runtime !== 'bare', `${c.name}: host pid ns and no engine claims it`);
    }
  });

  for (const short of ['limited', 'readonly', 'hostpid']) {
    test(`docker container nodescope-rig-${short} matches docker inspect and cgroupfs`, () => {
      const di = inspect(`nodescope-rig-${short}`);
      const c = byName(`nodescope-rig-${short}`);
      const pid: number = di.State.Pid;
      assert.equal(c.id, di.Id);
      assert.equal(c.id, facts[`DOCKER_${short.toUpperCase()}`]);
      assert.equal(c.runtime, 'docker');
      assert.equal(c.initPid, pid);
      assert.equal(c.image, di.Config.Image);
      assert.equal(c.imageId, di.Image);
      assert.equal(c.labels['nodescope.rig'], '1');
      assert.equal(c.hostname, di.Config.Hostname);
      assert.equal(c.pod, null);

      // Namespaces: stat of each link, read here.
      for (const t of NS_TYPES) if (fs.existsSync(`/proc/${pid}/ns/${t}`)) assert.equal(c.namespaces[t], nsInode(pid, t), t);
      assert.equal(c.sharesHostNamespaces.includes('pid'), di.HostConfig.PidMode === 'host');
      assert.equal(c.sharesHostNamespaces.includes('mnt'), false);
      const netNs = snap.namespaces.find((n) => n.type === 'net' && n.inode === nsInode(pid, 'net'));
      assert.ok(netNs?.containerIds.includes(c.id), 'its net namespace names it');

      // Processes: exactly the cgroup's members (the rig's containers run one sleep each).
      const procs = fs.readFileSync(`/sys/fs/cgroup/memory/docker/${c.id}/cgroup.procs`, 'utf8').trim().split('\n').map(Number);
      assert.deepEqual(
        [...c.pids].sort((a, b) => a - b),
        procs.sort((a, b) => a - b),
      );
      assert.equal(snap.processes.find((p) => p.pid === pid)?.containerId, c.id);

      // cgroup: limits against docker inspect, numbers against the files read here.
      const cg = c.cgroup!;
      assert.equal(cg.version, 'v1');
      assert.equal(cg.path, `/docker/${c.id}`);
      const mem = di.HostConfig.Memory as number;
      assert.equal(cg.memory!.limitBytes, mem === 0 ? null : mem);
      const limitFile = cgFile('memory', cg.path, 'memory.limit_in_bytes');
      if (mem !== 0) assert.equal(String(cg.memory!.limitBytes), limitFile);
      const pidsLimit = di.HostConfig.PidsLimit as number | null;
      assert.equal(cg.pids!.max, pidsLimit && pidsLimit > 0 ? pidsLimit : null);
      assert.equal(cg.pids!.current, Number(cgFile('pids', cg.path, 'pids.current')));
      const nano = di.HostConfig.NanoCpus as number;
      const period = Number(cgFile('cpu', cg.path, 'cpu.cfs_period_us'));
      assert.equal(cg.cpu!.periodUs, period);
      assert.equal(cg.cpu!.quotaUs, nano ? (nano / 1e9) * period : null);
      assert.equal(cg.cpu!.shares, Number(cgFile('cpu', cg.path, 'cpu.shares')));
      const usageNow = Math.floor(Number(cgFile('cpuacct', cg.path, 'cpuacct.usage')) / 1000);
      assert.ok(cg.cpu!.usageUsec !== null && cg.cpu!.usageUsec <= usageNow, 'cpu usage is a counter: never above a later read');
      const stat = Object.fromEntries(
        cgFile('memory', cg.path, 'memory.stat')
          .split('\n')
          .map((l) => l.split(' ')),
      );
      assert.equal(cg.memory!.anonBytes !== null && cg.memory!.fileBytes !== null, true);
      assert.ok(Math.abs(cg.memory!.anonBytes! - Number(stat.total_rss)) <= 1024 * 1024, 'anon within 1 MiB of total_rss read later');
      assert.equal(cg.memory!.oomKills, Number(/oom_kill (\d+)/.exec(cgFile('memory', cg.path, 'memory.oom_control'))![1]));
      assert.ok(cg.memory!.peakBytes! >= cg.memory!.usageBytes!);

      // Security: against docker inspect and /proc/PID/status read here.
      assert.equal(c.capabilities!.masks.effective, statusField(pid, 'CapEff'));
      assert.equal(c.capabilities!.masks.bounding, statusField(pid, 'CapBnd'));
      for (const cap of di.HostConfig.CapAdd ?? [])
        assert.ok(c.capabilities!.bounding.includes(`CAP_${cap.replace(/^CAP_/, '')}`), `added ${cap}`);
      for (const cap of di.HostConfig.CapDrop ?? [])
        assert.ok(!c.capabilities!.bounding.includes(`CAP_${cap.replace(/^CAP_/, '')}`), `dropped ${cap}`);
      const nnp = (di.HostConfig.SecurityOpt ?? []).some((o: string) => o.startsWith('no-new-privileges'));
      assert.equal(c.noNewPrivs, nnp);
      assert.equal(c.noNewPrivs, statusField(pid, 'NoNewPrivs') === '1');
      assert.equal(c.seccomp, { 0: 'disabled', 1: 'strict', 2: 'filter' }[statusField(pid, 'Seccomp')]);
      const uidMap = fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).map(Number);
      assert.deepEqual(c.uidMap, [{ inside: uidMap[0], outside: uidMap[1], count: uidMap[2] }]);

      // Root filesystem: overlay dirs as Docker's GraphDriver reports them (LowerDir top-most first,
      // with the -init layer at the top).
      const gd = di.GraphDriver.Data;
      assert.equal(c.rootfs!.fstype, 'overlay');
      assert.equal(c.rootfs!.readOnly, di.HostConfig.ReadonlyRootfs);
      assert.equal(c.rootfs!.overlay!.upperdir, gd.UpperDir);
      assert.equal(c.rootfs!.overlay!.workdir, gd.WorkDir);
      assert.deepEqual(c.rootfs!.overlay!.lowerdirs, gd.LowerDir.split(':'));
      assert.ok(c.rootfs!.overlay!.lowerdirs[0].endsWith('-init/diff'));
      assert.deepEqual(
        c.rootfs!.layers.map((l) => l.path),
        [gd.UpperDir, ...gd.LowerDir.split(':')],
      );
      for (const [target, opts] of Object.entries((di.HostConfig.Tmpfs ?? {}) as Record<string, string>)) {
        const size = /size=(\d+)m/.exec(opts)!;
        assert.equal(c.mounts.find((m) => m.target === target)?.sizeBytes, Number(size[1]) * 1024 * 1024, target);
      }
      assert.equal(c.mounts.find((m) => m.target === '/proc')?.fstype, 'proc');
    });
  }

  test('the bare unshare container: runtime bare, overlay layers, its own v1 memory cgroup', () => {
    const pid = Number(facts.BARE_PID);
    const c = snap.containers.find((x) => x.initPid === pid);
    assert.ok(c, `no container with init ${pid}`);
    assert.equal(c.runtime, 'bare');
    assert.equal(c.id, `bare-${pid}-${nsInode(pid, 'pid')}`);
    assert.equal(c.name, fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    assert.equal(c.hostname, execFileSync('nsenter', ['-t', String(pid), '-u', 'hostname'], { encoding: 'utf8' }).trim());
    const root = facts.BARE_ROOT;
    assert.deepEqual(
      c.rootfs!.layers.map((l) => [l.path, l.role, l.index]),
      [
        [`${root}/upper`, 'upper', 0],
        [`${root}/lower2`, 'lower', 1],
        [`${root}/lower1`, 'lower', 2],
      ],
    );
    const memPath = /^\d+:memory:(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))![1];
    assert.equal(c.cgroup!.paths.memory, memPath);
    assert.equal(c.cgroup!.memory!.limitBytes, 32 * 1024 * 1024);
    assert.equal(String(c.cgroup!.memory!.limitBytes), cgFile('memory', memPath, 'memory.limit_in_bytes'));
    // The unshare launcher (host pid ns, the container's mnt ns) belongs to it, not listed separately.
    const launcher = fs
      .readFileSync('/proc/' + pid + '/stat', 'utf8')
      .split(') ')[1]
      .split(' ')[1];
    assert.ok(c.pids.includes(Number(launcher)), 'launcher joins the container');
    assert.equal(snap.containers.filter((x) => x.initPid === Number(launcher)).length, 0);
    assert.equal(snap.containers.filter((x) => x.namespaces.mnt === c.namespaces.mnt).length, 1);
  });

  test('the hostpid container shares the host pid namespace', () => {
    const c = byName('nodescope-rig-hostpid');
    assert.ok(c.sharesHostNamespaces.includes('pid'));
    assert.equal(c.namespaces.pid, nsInode(process.pid, 'pid'));
  });

  test('shared base layer: one layer entry used by every rig container, identity from layerdb', () => {
    const limited = inspect('nodescope-rig-limited');
    const readonly = inspect('nodescope-rig-readonly');
    const hostpid = inspect('nodescope-rig-hostpid');
    const baseOf = (di: Inspect) => di.GraphDriver.Data.LowerDir.split(':').at(-1);
    assert.equal(baseOf(limited), baseOf(readonly), 'the two images share their bottom layer');
    const base = snap.layers.filter((l) => l.path === baseOf(limited));
    assert.equal(base.length, 1, 'each layer dir once');
    for (const di of [limited, readonly, hostpid]) {
      assert.ok(base[0].usedBy.includes(di.Id), di.Name);
      assert.equal(base[0].roles[di.Id], 'lower');
    }
    const baseImage = JSON.parse(execFileSync('docker', ['image', 'inspect', 'nodescope-rig/base:1'], { encoding: 'utf8' }))[0];
    assert.equal(base[0].identity?.diffId, baseImage.RootFS.Layers[0]);
    assert.equal(base[0].identity?.cacheId, path.basename(path.dirname(baseOf(limited))));
    assert.equal(base[0].sizeBytes, baseImage.Size, 'a one-layer image is as big as its layer');
    const upper = snap.layers.find((l) => l.path === limited.GraphDriver.Data.UpperDir);
    assert.deepEqual(upper?.usedBy, [limited.Id]);
    assert.equal(upper?.roles[limited.Id], 'upper');
  });

  test('the layers image is shared by limited and hostpid (same image, different containers)', () => {
    const limited = inspect('nodescope-rig-limited');
    const hostpid = inspect('nodescope-rig-hostpid');
    const imageLayers = limited.GraphDriver.Data.LowerDir.split(':').slice(1); // below the -init layer
    for (const dir of imageLayers) {
      const l = snap.layers.find((x) => x.path === dir);
      assert.ok(l?.usedBy.includes(limited.Id) && l.usedBy.includes(hostpid.Id), dir);
    }
  });
});

describe('snapshot under process churn', { skip }, () => {
  test('hundreds of short processes come and go: no throw, no problem about a vanished PID', () => {
    // A bounded burst of short-lived processes in a separate shell, so they keep coming and going while
    // this (synchronous) snapshot runs.
    const churn = spawn(
      'bash',
      ['-c', 'for i in $(seq 1 600); do sleep 0.0$((RANDOM % 5)) & if (( i % 40 == 0 )); then wait; fi; done; wait'],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 8; i++) {
        const s = takeSnapshot();
        const vanished = s.problems.filter((p) => {
          // A zombie's (or an exiting process's) released namespaces are explained while it is one; reaped
          // since is not "vanished mid-read".
          if (/^(zombie|exiting) process: /.test(p.message)) return false;
          const m = /^\/proc\/(\d+)\//.exec(p.source);
          return m && !fs.existsSync(`/proc/${m[1]}`);
        });
        assert.deepEqual(vanished, [], 'problems about processes that are gone');
        for (const p of s.problems) assert.doesNotMatch(p.message, /ENOENT|ESRCH/, `${p.source}: ${p.message}`);
      }
    } finally {
      churn.kill('SIGKILL');
    }
  });
});
