/**
 * `diagnose` on real Docker containers made for the test (cgroup v1 on this hybrid host; the v2 formats
 * are in test/unit/diagnoseSources.test.ts). Each fact is driven, then held against a source the agent
 * does not use for it: docker inspect and the kernel log through `dmesg` (OOM kills, exits, restarts),
 * cpu.stat read here around the agent's look (throttling), `ss -ltnp` run in the container's net
 * namespace (sockets and owners), `du` on the upper directory (what it wrote).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import type { DiagnoseReport } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('ss'), probes.command('nsenter'), probes.command('dmesg'));

const IMAGE = 'nodescope-rig/base:1';
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inspect = (name: string, fmt: string): string => execFileSync('docker', ['inspect', '-f', fmt, name], { encoding: 'utf8' }).trim();
const run = (name: string, ...args: string[]): string =>
  execFileSync('docker', ['run', '-d', '--network', 'none', '--name', name, ...args], { encoding: 'utf8' }).trim();

/** Waits until `check` holds (a container's state settling), or fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await sleep(200);
  }
}

/** The kernel's own OOM-kill lines for this container's cgroup, read with dmesg (not the agent's /dev/kmsg reader). */
function kernelKillsOf(id: string): { pid: number; task: string }[] {
  const log = execFileSync('dmesg', { encoding: 'utf8', maxBuffer: 64 * MiB });
  return [...log.matchAll(/oom-kill:.*task_memcg=\/docker\/([0-9a-f]{64}),task=(.*),pid=(\d+),uid=\d+/g)]
    .filter((m) => m[1] === id)
    .map((m) => ({ pid: Number(m[3]), task: m[2] }));
}

describe('diagnose on real containers', { skip }, () => {
  const tag = `nodescope-diag-${process.pid}`;
  const names = {
    oom: `${tag}-oom`,
    died: `${tag}-died`,
    cpu: `${tag}-cpu`,
    net: `${tag}-net`,
    disk: `${tag}-disk`,
    exits: `${tag}-exits`,
  };
  const agent = new AgentMethods();
  const diagnose = (container: string): Promise<DiagnoseReport> => agent.dispatch('diagnose', { container });
  const started: Record<string, number> = {};

  before(() => {
    rigUp();
    for (const n of Object.values(names)) spawnSync('docker', ['rm', '-f', n]);
    const limited = ['-m', '32m', '--memory-swap', '32m'];
    // A child past the limit is killed and the container lives on; an init past it takes the container with it.
    // dd's block buffer is allocated whole and filled: bs=64M needs 64 MiB of anonymous memory.
    started.oom = Date.now();
    run(names.oom, ...limited, IMAGE, 'sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64M count=1; exec sleep 600');
    run(names.died, ...limited, IMAGE, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1');
    run(names.cpu, '--cpus', '0.1', IMAGE, 'sh', '-c', 'while :; do :; done');
    run(names.net, IMAGE, 'httpd', '-f', '-p', '127.0.0.1:8080');
    run(
      names.disk,
      IMAGE,
      'sh',
      '-c',
      'mkdir /data && dd if=/dev/urandom of=/data/big.bin bs=1M count=20 && echo small > /data/small.txt && exec sleep 600',
    );
    run(names.exits, '--restart', 'on-failure:2', IMAGE, 'sh', '-c', 'exit 3');
  });
  after(() => {
    for (const n of Object.values(names)) spawnSync('docker', ['rm', '-f', n]);
  });

  it('names the OOM-killed child, its time and memory, as the kernel logged it; the cgroup counts it', async () => {
    const id = inspect(names.oom, '{{.Id}}');
    await until('the OOM kill in the kernel log', () => kernelKillsOf(id).length > 0);
    const r = await diagnose(names.oom);
    const kernel = kernelKillsOf(id);
    assert.deepEqual(
      r.oom.kills.map((k) => ({ pid: k.pid, task: k.command })),
      kernel,
    );
    const [k] = r.oom.kills;
    assert.equal(k.command, 'dd');
    assert.equal(k.limitBytes, 32 * MiB, 'the cgroup limit at the kill, as docker run set it');
    assert.ok(k.rssBytes !== null && k.rssBytes > 16 * MiB && k.rssBytes <= 34 * MiB, `dd held most of the 32 MiB: ${k.rssBytes}`);
    const at = Date.parse(k.at!);
    assert.ok(at >= started.oom - 2000 && at <= Date.now(), `killed between docker run and now: ${k.at}`);
    const oomControl = fs.readFileSync(`/sys/fs/cgroup/memory/docker/${id}/memory.oom_control`, 'utf8');
    assert.equal(r.oom.count, Number(/oom_kill (\d+)/.exec(oomControl)![1]));
    assert.match(r.headline, /^OOM-killed once, last at \d\d:\d\d UTC: dd at [\d.]+ MiB of 32\.0 MiB/);
    assert.equal(r.exits.oomKilled, inspect(names.oom, '{{.State.OOMKilled}}') === 'true');
    // Memory by process: the one left is sleep, the init (pid from docker inspect).
    assert.deepEqual(
      r.memory!.processes.map((p) => [p.pid, p.command]),
      [[Number(inspect(names.oom, '{{.State.Pid}}')), 'sleep']],
    );
  });

  it('answers for a container whose init was OOM-killed and that is gone from the node: exit, OOMKilled, the kill', async () => {
    await until('the container to exit', () => inspect(names.died, '{{.State.Status}}') === 'exited');
    const id = inspect(names.died, '{{.Id}}');
    await until('the OOM kill in the kernel log', () => kernelKillsOf(id).length > 0);
    const r = await diagnose(names.died);
    assert.equal(r.container.running, false);
    assert.equal(r.container.id, id);
    assert.equal(r.exits.exitCode, Number(inspect(names.died, '{{.State.ExitCode}}')));
    assert.equal(r.exits.oomKilled, inspect(names.died, '{{.State.OOMKilled}}') === 'true');
    assert.equal(r.exits.finishedAt, inspect(names.died, '{{.State.FinishedAt}}'));
    assert.deepEqual(
      r.oom.kills.map((k) => ({ pid: k.pid, task: k.command })),
      kernelKillsOf(id),
    );
    assert.match(r.headline, /^OOM-killed once, last at .*: dd at [\d.]+ MiB of 32\.0 MiB; exited with code 137 \(SIGKILL\)/);
  });

  it('shows a CPU-limited busy loop throttled, within cpu.stat read before and after its look, and a rate the second time', async () => {
    const id = inspect(names.cpu, '{{.Id}}');
    const stat = () => {
      const t = fs.readFileSync(`/sys/fs/cgroup/cpu/docker/${id}/cpu.stat`, 'utf8');
      return { periods: Number(/nr_periods (\d+)/.exec(t)![1]), throttled: Number(/nr_throttled (\d+)/.exec(t)![1]) };
    };
    await until('throttled periods', () => stat().throttled > 5);
    const before = stat();
    const first = await diagnose(names.cpu);
    const afterwards = stat();
    const cpu = first.cpu!;
    assert.ok(
      cpu.throttledPeriods! >= before.throttled && cpu.throttledPeriods! <= afterwards.throttled,
      JSON.stringify({ before, cpu, afterwards }),
    );
    assert.ok(cpu.periods! >= before.periods && cpu.periods! <= afterwards.periods);
    assert.equal(cpu.quotaUs, Number(fs.readFileSync(`/sys/fs/cgroup/cpu/docker/${id}/cpu.cfs_quota_us`, 'utf8')));
    assert.equal(cpu.quotaUs, cpu.periodUs! / 10, '--cpus 0.1');
    await sleep(1500);
    const second = await diagnose(names.cpu);
    const since = second.cpu!.sinceLast!;
    assert.ok(
      since.periods > 0 && since.throttledPeriods > since.periods / 2,
      `a busy loop at 0.1 CPU is throttled in most periods: ${JSON.stringify(since)}`,
    );
    assert.match(second.headline, /CPU-throttled in \d+ % of periods over the last \d+ s/);
  });

  it('lists the listener on 127.0.0.1:8080 with its pid, as ss run in the namespace does', async () => {
    const pid = inspect(names.net, '{{.State.Pid}}');
    let ss = '';
    await until('the listener', () =>
      (ss = execFileSync('nsenter', ['-t', pid, '-n', 'ss', '-ltnp'], { encoding: 'utf8' })).includes('127.0.0.1:8080'),
    );
    const owner = /127\.0\.0\.1:8080 .*users:\(\("([^"]+)",pid=(\d+),fd=\d+\)\)/.exec(ss)!;
    const r = await diagnose(names.net);
    const listen = r.network!.sockets.filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN');
    assert.deepEqual(
      listen.map((s) => [s.local, s.owners]),
      [['127.0.0.1:8080', [{ pid: Number(owner[2]), command: owner[1] }]]],
    );
    // --network none: loopback only, its addresses as the node's ip prints them in the namespace.
    assert.deepEqual(
      r.network!.interfaces.map((i) => i.name),
      ['lo'],
    );
    assert.ok(r.network!.interfaces[0].addresses.includes('127.0.0.1/8'));
    const ipShown = execFileSync('nsenter', ['-t', pid, '-n', 'ip', '-o', 'addr', 'show', 'lo'], { encoding: 'utf8' });
    for (const a of r.network!.interfaces[0].addresses) assert.ok(ipShown.includes(a), `${a} in ip addr`);
    assert.equal(r.network!.sharesHost, false);
  });

  it("lists the 20 MiB file as the biggest write, at du's size on the upper directory", async () => {
    const upper = inspect(names.disk, '{{.GraphDriver.Data.UpperDir}}');
    await until('the write', () => fs.existsSync(path.join(upper, 'data/small.txt')));
    const r = await diagnose(names.disk);
    const du = (p: string) => Number(execFileSync('du', ['-B1', '-s', p], { encoding: 'utf8' }).split('\t')[0]);
    assert.equal(r.disk!.upperDir, upper);
    assert.deepEqual(r.disk!.biggestFiles[0], { path: '/data/big.bin', bytes: du(path.join(upper, 'data/big.bin')) });
    assert.ok(r.disk!.biggestFiles[0].bytes >= 20 * MiB);
    assert.equal(r.disk!.biggestDirs[0].path, '/data');
    const df = execFileSync('df', ['-B1', '--output=size', upper], { encoding: 'utf8' }).split('\n')[1].trim();
    assert.equal(r.disk!.filesystem!.totalBytes, Number(df));
  });

  it('reports exit code and restart count as Docker does', async () => {
    await until('the restarts to end', () => inspect(names.exits, '{{.State.Status}} {{.RestartCount}}') === 'exited 2');
    const r = await diagnose(names.exits);
    assert.equal(r.exits.exitCode, Number(inspect(names.exits, '{{.State.ExitCode}}')));
    assert.equal(r.exits.exitCode, 3);
    assert.equal(r.exits.restartCount, Number(inspect(names.exits, '{{.RestartCount}}')));
    assert.equal(r.exits.signal, null);
    assert.match(r.headline, /^Exited with code 3 at \d\d:\d\d UTC, restarted 2 times$/);
  });

  it('refuses a container no engine knows, in one line', async () => {
    await assert.rejects(diagnose(`${tag}-nothing`), /no container "nodescope-diag-\d+-nothing" on this node/);
  });
});
