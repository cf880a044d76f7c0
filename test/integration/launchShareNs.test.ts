/**
 * A debug container that joins a running container's namespaces (`launch --share-ns TARGET:net,pid,…`),
 * with real runc and a real Docker container as the target. Checked against the kernel: the launched
 * process's /proc/PID/ns inodes against the target's (docker inspect's pid), `ps` inside against docker
 * inspect's command, and what is left after stop on the node itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { ErrorCodes, type LaunchParams, type LaunchResult } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { refusal, refusalLater } from '../support/refusal';
import { holdNamespaces } from '../../server/act/launchShareNs';
import { parseStat } from '../../server/discover/procfs';
import { assertNothingLeft, read, removeLaunches, runcState } from '../support/launchFacts';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('runc'), probes.command('nsenter'));
const FROM = 'nodescope-rig-limited';
const TARGET = 'nodescope-rig-limited';
const ino = (pid: number, ns: string): number => fs.statSync(`/proc/${pid}/ns/${ns}`).ino;
const dockerPid = (c: string): number =>
  Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', c], { encoding: 'utf8' }).trim());

describe("a launch that joins a running container's namespaces, with real runc", { skip }, () => {
  const NAME = `nodescope-share-${process.pid}`;
  const auditLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-share-audit-')), 'audit.log');
  const agent = new AgentMethods();
  const launch = (p: Omit<LaunchParams, 'from'>): Promise<LaunchResult> => agent.dispatch('launch.start', { from: FROM, ...p });
  let targetPid: number;

  before(() => {
    rigUp();
    process.env.NODESCOPE_AUDIT_LOG = auditLog;
    agent.snapshot();
    targetPid = dockerPid(TARGET);
  });
  after(() => {
    removeLaunches([NAME, `${NAME}-net`]);
    delete process.env.NODESCOPE_AUDIT_LOG;
    fs.rmSync(path.dirname(auditLog), { recursive: true, force: true });
  });

  it('the plan names the namespaces by inode, as the kernel has them, and makes nothing', async () => {
    const plan = await launch({
      name: NAME,
      shareNs: { container: TARGET, types: ['net', 'pid'] },
      command: ['sleep', '600'],
      dryRun: true,
    });
    assert.equal(plan.sharedNs?.pid, targetPid);
    assert.deepEqual(plan.sharedNs?.namespaces, [
      { type: 'net', inode: ino(targetPid, 'net') },
      { type: 'pid', inode: ino(targetPid, 'pid') },
    ]);
    assertNothingLeft(NAME);
  });

  it('joins net, pid, ipc and uts: the same inodes as the target; mount, cgroup and root its own; ps shows the target', async () => {
    const types = ['net', 'pid', 'ipc', 'uts'] as const;
    const r = await launch({ name: NAME, shareNs: { container: TARGET, types: [...types] }, command: ['sleep', '600'] });
    const pid = runcState(NAME)!.pid;
    assert.equal(r.pid, pid);
    for (const t of types) assert.equal(ino(pid, t), ino(targetPid, t), `${t} is the target's`);
    for (const t of ['mnt', 'cgroup']) assert.notEqual(ino(pid, t), ino(targetPid, t), `${t} is its own`);
    assert.notEqual(ino(pid, 'mnt'), ino(process.pid, 'mnt'), 'mnt is not the host one either');
    assert.equal(r.hostname, null, "the target's hostname is the one it has");
    const hostname = (p: number): string => execFileSync('nsenter', ['-t', String(p), '-u', 'hostname'], { encoding: 'utf8' }).trim();
    assert.equal(hostname(pid), hostname(targetPid));
    // Its own root: the launch's overlay, not the target's (a file written into it is not in the target's).
    execFileSync('runc', ['exec', NAME, 'sh', '-c', `echo x > /only-in-${NAME}`]);
    assert.equal(fs.existsSync(`/proc/${targetPid}/root/only-in-${NAME}`), false);
    // ps inside: pid 1 is the target's init, with the command docker started it with.
    const ps = execFileSync('runc', ['exec', NAME, 'ps', '-o', 'pid,args'], { encoding: 'utf8' });
    const [cmd, args] = execFileSync('docker', ['inspect', '-f', '{{json .Path}}\n{{json .Args}}', TARGET], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string | string[]);
    const one = ps.split('\n').find((l) => /^\s*1\s/.test(l));
    assert.equal(one?.trim().replace(/^1\s+/, ''), [cmd, ...(args as string[])].join(' '), ps);
    assert.ok(
      ps.split('\n').some((l) => / sleep 600$/.test(l)),
      'and its own process',
    );
  });

  it('stop removes it and leaves the target running in the same namespaces', async () => {
    const before = ['net', 'pid', 'ipc', 'uts'].map((t) => ino(targetPid, t));
    await agent.dispatch('launch.stop', { container: NAME });
    assertNothingLeft(NAME);
    assert.equal(execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', TARGET], { encoding: 'utf8' }).trim(), 'true');
    assert.equal(dockerPid(TARGET), targetPid);
    assert.deepEqual(
      ['net', 'pid', 'ipc', 'uts'].map((t) => ino(targetPid, t)),
      before,
    );
    // Nothing of its process is left in the target's pid namespace.
    const inside = execFileSync('docker', ['exec', TARGET, 'ps', '-o', 'args'], { encoding: 'utf8' });
    assert.doesNotMatch(inside, /sleep 600/);
  });

  it('net only: its own pid namespace, the target’s interfaces', async () => {
    const r = await launch({ name: `${NAME}-net`, shareNs: { container: TARGET, types: ['net'] }, command: ['sleep', '600'] });
    try {
      const pid = r.pid!;
      assert.equal(ino(pid, 'net'), ino(targetPid, 'net'));
      assert.notEqual(ino(pid, 'pid'), ino(targetPid, 'pid'));
      assert.equal(execFileSync('nsenter', ['-t', String(pid), '-u', 'hostname'], { encoding: 'utf8' }).trim(), `${NAME}-net`);
    } finally {
      await agent.dispatch('launch.stop', { container: `${NAME}-net` });
    }
    assertNothingLeft(`${NAME}-net`);
  });

  it('refuses a plan whose namespaces changed, a target sharing the host’s, a hostname with uts, and a user namespace with sharing', async () => {
    const changed = await refusalLater(() =>
      launch({ name: NAME, shareNs: { container: TARGET, types: ['net'], inodes: { net: 1 } }, command: ['true'] }),
    );
    assert.equal(changed.code, ErrorCodes.Gone);
    assert.match(changed.message, /net namespace is not the one the plan showed/);
    const host = await refusalLater(() =>
      launch({ name: NAME, shareNs: { container: 'nodescope-rig-hostpid', types: ['pid'] }, command: ['true'], dryRun: true }),
    );
    assert.match(host.message, /shares the host's pid namespace/);
    const uts = await refusalLater(() =>
      launch({ name: NAME, shareNs: { container: TARGET, types: ['uts'] }, hostname: 'x', command: ['true'], dryRun: true }),
    );
    assert.match(uts.message, /uts namespace, so its hostname is that one's/);
    const userNs = await refusalLater(() =>
      launch({ name: NAME, shareNs: { container: TARGET, types: ['net'] }, userNs: true, command: ['true'], dryRun: true }),
    );
    assert.match(userNs.message, /do not go together/);
    const bad = await refusalLater(() => launch({ name: NAME, shareNs: { container: TARGET, types: ['mnt' as 'net'] }, dryRun: true }));
    assert.equal(bad.code, ErrorCodes.InvalidParams);
    assertNothingLeft(NAME);
  });

  it('a target gone after its namespaces were opened: the last look before runc refuses (the pid is not trusted again)', () => {
    const victim = `${NAME}-victim`;
    spawnSync('docker', ['rm', '-f', victim]);
    execFileSync('docker', ['run', '-d', '--name', victim, '--network', 'none', 'nodescope-rig/layers:1', 'sleep', '600']);
    try {
      const c = agent.snapshot().containers.find((x) => x.name === victim)!;
      const pid = dockerPid(victim);
      const held = holdNamespaces(c, pid, parseStat(read(`/proc/${pid}/stat`)).startTime, ['net', 'uts'], undefined);
      try {
        assert.deepEqual(
          held.namespaces.map((n) => fs.readlinkSync(held.pathOf(n.type)!)),
          [`net:[${ino(pid, 'net')}]`, `uts:[${ino(pid, 'uts')}]`],
          "the paths runc is given are the agent's fds of the target's namespaces",
        );
        held.recheck();
        execFileSync('docker', ['rm', '-f', victim]);
        const gone = refusal(() => held.recheck());
        assert.equal(gone.code, ErrorCodes.Gone);
        assert.match(gone.message, /stopped before the launch could join its net namespace/);
      } finally {
        held.close();
      }
    } finally {
      spawnSync('docker', ['rm', '-f', victim]);
    }
  });

  it('the audit log records which namespaces were joined', () => {
    const lines = read(auditLog)
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; shape?: { sharedNs?: { namespaces: { type: string }[] } } });
    const first = lines.find((l) => l.action === 'launch');
    assert.deepEqual(
      first?.shape?.sharedNs?.namespaces.map((n) => n.type),
      ['net', 'pid', 'ipc', 'uts'],
    );
  });
});
