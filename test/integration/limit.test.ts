/**
 * Live limits on the real kernel (cgroup v1 on this hybrid host): a Docker container made for the test,
 * and a bare unshare container in cgroups the test makes. Every limit is read back from cgroupfs here,
 * the container's life from docker inspect; the agent's own answers are only what is being checked.
 * The v2 encodings run on file trees in test/unit/act/limitV2.test.ts (this host's cgroup2 has no
 * controllers to write).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { ErrorCodes, type LimitParams, type LimitResult } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { formatBytes, parseLimitBytes } from '../../server/units';
import { refusalLater } from '../support/refusal';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const bin = path.join(repo, 'bin', 'nodescope');
const built = (): string | null => (fs.existsSync(cli) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('script'), built);

const MiB = 2 ** 20;
const CG = '/sys/fs/cgroup';
const read = (file: string): string => fs.readFileSync(file, 'utf8').trim();
const inspect = (name: string, fmt: string): string => execFileSync('docker', ['inspect', '-f', fmt, name], { encoding: 'utf8' }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live limits on the real kernel', { skip }, () => {
  const NAME = `nodescope-limit-${process.pid}`;
  const auditLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-limit-audit-')), 'audit.log');
  const agent = new AgentMethods();
  const limit = (p: LimitParams): Promise<LimitResult> => agent.dispatch('limit.set', p);
  let id = '';
  const file = (ctrl: string, name: string): string => path.join(CG, ctrl, 'docker', id, name);

  before(() => {
    rigUp();
    spawnSync('docker', ['rm', '-f', NAME]);
    id = execFileSync(
      'docker',
      [
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        NAME,
        '--memory',
        '64m',
        '--pids-limit',
        '50',
        '--cpus',
        '0.5',
        'nodescope-rig/base:1',
        'sleep',
        '600',
      ],
      { encoding: 'utf8' },
    ).trim();
    process.env.NODESCOPE_AUDIT_LOG = auditLog;
  });
  after(() => {
    spawnSync('docker', ['rm', '-f', NAME]);
    delete process.env.NODESCOPE_AUDIT_LOG;
    fs.rmSync(path.dirname(auditLog), { recursive: true, force: true });
  });

  it('a dry run writes nothing; applied through the engine, cgroupfs and docker inspect hold the new limits and the container runs on', async () => {
    const period = Number(read(file('cpu', 'cpu.cfs_period_us')));
    const before = {
      mem: read(file('memory', 'memory.limit_in_bytes')),
      pids: read(file('pids', 'pids.max')),
      quota: read(file('cpu', 'cpu.cfs_quota_us')),
    };
    assert.deepEqual(before, { mem: String(64 * MiB), pids: '50', quota: String(period / 2) }, 'as docker run set them');

    const plan = await limit({ container: NAME, memoryBytes: 32 * MiB, pidsMax: 20, cpus: 0.25, dryRun: true });
    assert.equal(plan.applied, false);
    assert.deepEqual(
      {
        mem: read(file('memory', 'memory.limit_in_bytes')),
        pids: read(file('pids', 'pids.max')),
        quota: read(file('cpu', 'cpu.cfs_quota_us')),
      },
      before,
    );

    const done = await limit({ container: NAME, memoryBytes: 32 * MiB, pidsMax: 20, cpus: 0.25 });
    assert.equal(read(file('memory', 'memory.limit_in_bytes')), String(32 * MiB));
    assert.equal(read(file('pids', 'pids.max')), '20');
    assert.equal(read(file('cpu', 'cpu.cfs_quota_us')), String(period / 4));
    assert.deepEqual(
      done.changes.map((c) => [c.resource, c.file, c.before, c.after]),
      [
        ['memory', file('memory', 'memory.limit_in_bytes'), Number(before.mem), 32 * MiB],
        ['pids', file('pids', 'pids.max'), 50, 20],
        ['cpu', file('cpu', 'cpu.cfs_quota_us'), 0.5, 0.25],
      ],
    );
    assert.equal(inspect(NAME, '{{.State.Running}}'), 'true');
    // Through the engine: Docker's own record has the new limits, so a restart keeps them.
    assert.equal(inspect(NAME, '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}'), `${32 * MiB} 20 250000000`);
    assert.ok(
      done.notes.some((n) => n.startsWith('changed through the Docker Engine API')),
      done.notes.join(' | '),
    );
    assert.ok(!done.notes.some((n) => n.startsWith('Docker still records')), done.notes.join(' | '));
    // Docker's default swap allowance (as much again) is kept, and the note says the figure the kernel has.
    assert.equal(inspect(NAME, '{{.HostConfig.MemorySwap}}'), String(64 * MiB));
    const memsw = file('memory', 'memory.memsw.limit_in_bytes');
    if (fs.existsSync(memsw)) {
      assert.equal(read(memsw), String(64 * MiB));
      assert.ok(
        done.notes.some((n) => n.includes(`memory+swap ${formatBytes(64 * MiB)}`)),
        done.notes.join(' | '),
      );
      assert.ok(!done.notes.some((n) => n.startsWith('memory+swap stays limited')), done.notes.join(' | '));
    }
    assert.ok(done.changes.every((ch) => ch.readBack));
    // The next snapshot, which the tree is drawn from, says the same.
    const c = agent.snapshot().containers.find((x) => x.id === id)!;
    assert.equal(c.cgroup?.memory?.limitBytes, 32 * MiB);
    assert.equal(c.cgroup?.pids?.max, 20);
  });

  it('a limit below what the container uses now is refused, and nothing changes', async () => {
    execFileSync('docker', ['exec', '-d', NAME, 'sleep', '300']);
    execFileSync('docker', ['exec', '-d', NAME, 'sleep', '300']);
    const pidsNow = Number(read(file('pids', 'pids.current')));
    assert.ok(pidsNow >= 3, `pids.current ${pidsNow}`);
    const maxBefore = read(file('pids', 'pids.max'));
    const pidsRefused = await refusalLater(() => limit({ container: NAME, pidsMax: pidsNow - 1 }));
    assert.equal(pidsRefused.code, ErrorCodes.NotPermitted);
    assert.match(
      pidsRefused.message,
      new RegExp(`has ${pidsNow} tasks \\(processes and threads\\) now; a pids limit of ${pidsNow - 1} below that`),
    );
    assert.equal(read(file('pids', 'pids.max')), maxBefore);

    const used = Number(read(file('memory', 'memory.usage_in_bytes')));
    const memBefore = read(file('memory', 'memory.limit_in_bytes'));
    const memRefused = await refusalLater(() => limit({ container: NAME, memoryBytes: Math.floor(used / 2 / 4096) * 4096 }));
    const atLeast =
      /uses .* now; a memory limit of .* below that would make the kernel reclaim or OOM-kill: give at least (\d+(?:\.\d)? [KMG]iB)$/.exec(
        memRefused.message,
      );
    assert.ok(atLeast, memRefused.message);
    // The figure is in the message's own units and enough: typed back, it is not below what the kernel says is used.
    assert.ok(
      (parseLimitBytes(atLeast[1]) ?? 0) >= Number(read(file('memory', 'memory.usage_in_bytes'))) - 64 * 4096,
      `${atLeast[1]} vs ${read(file('memory', 'memory.usage_in_bytes'))}`,
    );
    assert.equal(read(file('memory', 'memory.limit_in_bytes')), memBefore);
  });

  it("memory above the old memory+swap: the engine raises both, keeping Docker's default allowance (cgroupfs, docker inspect)", async (t) => {
    const memsw = file('memory', 'memory.memsw.limit_in_bytes');
    if (!fs.existsSync(memsw)) return t.skip('this kernel has no swap accounting (memory.memsw.*)');
    const want = Number(read(memsw)) + 64 * MiB;
    await limit({ container: NAME, memoryBytes: want });
    assert.equal(read(file('memory', 'memory.limit_in_bytes')), String(want));
    assert.equal(read(memsw), String(2 * want));
    assert.equal(inspect(NAME, '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), `${want} ${2 * want}`);
  });

  it("a --pid host container's cgroup is its own by its mount namespace (dry run: the rig's limits stay as docker set them)", async () => {
    const r = await limit({ container: 'nodescope-rig-hostpid', pidsMax: 1000, dryRun: true });
    assert.equal(r.cgroup.path, `/docker/${inspect('nodescope-rig-hostpid', '{{.Id}}')}`);
    assert.deepEqual(
      r.changes.map((c) => [c.resource, c.after, c.readBack]),
      [['pids', 1000, false]],
    );
  });

  it('-1 is not "no limit": refused by the CLI and by the agent with a word to give max, and cgroupfs keeps its limits', async () => {
    const files = [file('memory', 'memory.limit_in_bytes'), file('pids', 'pids.max'), file('cpu', 'cpu.cfs_quota_us')];
    const before = files.map(read);
    for (const flag of ['--memory', '--pids', '--cpus']) {
      const r = spawnSync(bin, ['limit', NAME, flag, '-1', '--yes'], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `nodescope limit: ${flag}: -1 does not mean "no limit" here: give max; see \`nodescope limit --help\`\n`);
      assert.equal(r.stdout, '');
    }
    for (const key of ['memoryBytes', 'pidsMax', 'cpus'] as const) {
      const r = await refusalLater(() => limit({ container: NAME, [key]: -1 }));
      assert.equal(r.code, ErrorCodes.InvalidParams);
      assert.match(r.message, /-1 does not mean no limit here$/);
    }
    assert.deepEqual(files.map(read), before);
  });

  it("max lifts a pids limit through the engine; Docker's API cannot lift a CPU or memory limit, and says so before anything changes", async () => {
    await limit({ container: NAME, pidsMax: null });
    assert.equal(read(file('pids', 'pids.max')), 'max');
    assert.match(inspect(NAME, '{{.HostConfig.PidsLimit}}'), /^(0|-1|<nil>)$/);
    const quota = read(file('cpu', 'cpu.cfs_quota_us'));
    const r = await refusalLater(() => limit({ container: NAME, cpus: null }));
    assert.equal(r.code, ErrorCodes.Unsupported);
    assert.match(r.message, /^Docker's API cannot lift a CPU limit from a running container/);
    assert.equal(read(file('cpu', 'cpu.cfs_quota_us')), quota);
  });

  it('the audit log has one line per write tried: what was there before and what holds after', () => {
    const lines = read(auditLog)
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(
      lines.every((l) => l.action === 'limit' && l.container.id === id),
      JSON.stringify(lines.map((l) => l.action)),
    );
    const swapAccounted = fs.existsSync(file('memory', 'memory.memsw.limit_in_bytes'));
    assert.deepEqual(
      lines.map((l) => l.outcome),
      Array<string>(swapAccounted ? 3 : 2).fill('applied through the Docker Engine API'),
    );
    assert.deepEqual(
      lines[0].changes.map((c: { file: string; before: number; requested: number; after: number }) => [
        path.basename(c.file),
        c.before,
        c.requested,
        c.after,
      ]),
      [
        ['memory.limit_in_bytes', 64 * MiB, 32 * MiB, 32 * MiB],
        ['pids.max', 50, 20, 20],
        ['cpu.cfs_quota_us', 0.5, 0.25, 0.25],
      ],
    );
  });

  it('CLI: without a terminal nothing changes unless --yes; on a terminal it asks first', () => {
    const before = read(file('pids', 'pids.max'));
    const noTty = spawnSync(bin, ['limit', NAME, '--pids', '40'], { encoding: 'utf8', input: '' });
    assert.equal(noTty.status, 2, noTty.stderr);
    assert.equal(
      noTty.stderr.trim(),
      'nodescope: this changes the node and there is no terminal to ask on: nothing was changed; confirm with --yes',
    );
    assert.equal(read(file('pids', 'pids.max')), before);

    // util-linux script gives the CLI a terminal: it shows the change, then takes only y or yes.
    const no = spawnSync('script', ['-qfec', `${process.execPath} ${cli} limit ${NAME} --pids 40`, '/dev/null'], {
      input: 'n\n',
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(no.status, 1, no.stdout);
    assert.match(no.stdout, new RegExp(`pids {3}unlimited → 40 tasks`));
    assert.match(no.stdout, /Apply\? \[y\/N\][\s\S]*nothing was changed/);
    assert.equal(read(file('pids', 'pids.max')), before);
    // End of input (Ctrl-D at the prompt) is a no, not a hang and not a success.
    const eof = spawnSync('script', ['-qfec', `${process.execPath} ${cli} limit ${NAME} --pids 40`, '/dev/null'], {
      input: '\x04',
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(eof.status, 1, eof.stdout);
    assert.match(eof.stdout, /nothing was changed/);
    assert.equal(read(file('pids', 'pids.max')), before);
    const yes = spawnSync('script', ['-qfec', `${process.execPath} ${cli} limit ${NAME} --pids 40`, '/dev/null'], {
      input: 'y\n',
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(yes.status, 0, yes.stdout);
    assert.equal(read(file('pids', 'pids.max')), '40');

    const json = spawnSync(bin, ['limit', NAME, '--memory', '40m', '--yes', '--json'], { encoding: 'utf8' });
    assert.equal(json.status, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).changes[0].after, 40 * MiB);
    assert.equal(read(file('memory', 'memory.limit_in_bytes')), String(40 * MiB));
  });
});

describe('live limits on a bare container in cgroups the test made', { skip }, () => {
  const tag = `nodescope-limit-bare-${process.pid}`;
  // cpu: a parent with a quota, the container's cgroup below it (the kernel refuses a child quota above it).
  const dirs = { cpu: path.join(CG, 'cpu', tag, 'box'), memory: path.join(CG, 'memory', tag), pids: path.join(CG, 'pids', tag) };
  const agent = new AgentMethods();
  const children: ChildProcess[] = [];
  let containerId = '';

  before(async () => {
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(CG, 'cpu', tag, 'cpu.cfs_quota_us'), '20000');
    const joins = Object.values(dirs)
      .map((d) => `echo $$ > ${d}/cgroup.procs`)
      .join('; ');
    const box = spawn('sh', ['-c', `${joins}; exec unshare --pid --mount --fork --mount-proc sleep 600`], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(box);
    for (let i = 0; i < 100 && !containerId; i++) {
      await sleep(50);
      containerId = agent.snapshot().containers.find((c) => c.cgroup?.paths.memory === `/${tag}`)?.id ?? '';
    }
    assert.ok(containerId, 'the bare container did not show up');
  });
  after(async () => {
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 100 && Object.values(dirs).some((d) => fs.existsSync(d) && read(path.join(d, 'cgroup.procs'))); i++)
      await sleep(50);
    for (const d of [dirs.cpu, path.dirname(dirs.cpu), dirs.memory, dirs.pids]) spawnSync('rmdir', [d]);
  });

  it('a write the kernel refuses after another succeeded puts the first back', async () => {
    const memBefore = read(path.join(dirs.memory, 'memory.limit_in_bytes'));
    // memory is written first and takes; the cpu quota of 0.5 CPU is above the parent's 20 ms and is refused.
    const r = await refusalLater(() => agent.dispatch('limit.set', { container: containerId, memoryBytes: 100 * MiB, cpus: 0.5 }));
    assert.match(
      r.message,
      new RegExp(`^${dirs.cpu}/cpu.cfs_quota_us: the kernel refused 0.5 CPU \\(EINVAL\\); the memory limit already written was put back$`),
    );
    assert.equal(read(path.join(dirs.memory, 'memory.limit_in_bytes')), memBefore);
    assert.equal(read(path.join(dirs.cpu, 'cpu.cfs_quota_us')), '-1');
    // Within the parent's quota it takes.
    await agent.dispatch('limit.set', { container: containerId, cpus: 0.1 });
    assert.equal(read(path.join(dirs.cpu, 'cpu.cfs_quota_us')), String(Number(read(path.join(dirs.cpu, 'cpu.cfs_period_us'))) / 10));
  });

  it('its launcher (unshare, in the host pid namespace) is its own; a host process in its cgroup is not', async () => {
    assert.ok(
      (await agent.dispatch('limit.set', { container: containerId, pidsMax: 30, dryRun: true })).changes.length,
      'the launcher does not block it',
    );
    const intruder = spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
    children.push(intruder);
    fs.writeFileSync(path.join(dirs.pids, 'cgroup.procs'), String(intruder.pid));
    const r = await refusalLater(() => agent.dispatch('limit.set', { container: containerId, pidsMax: 30 }));
    assert.equal(r.code, ErrorCodes.NotPermitted);
    assert.match(
      r.message,
      new RegExp(
        `'s pids cgroup /${tag} also holds 1 process that is not its own \\(pid ${intruder.pid}, sleep\\): a limit there would apply to it too$`,
      ),
    );
    assert.equal(read(path.join(dirs.pids, 'pids.max')), 'max');
  });
});
