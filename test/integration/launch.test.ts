/**
 * Launching a test container from a rig container's image layers with real runc, and removing it. Each
 * fact is read here from an independent source: `runc state`, the kernel (/proc/PID/ns, mountinfo,
 * cgroupfs, `nsenter … ip link`, hostname), docker inspect for the source's layers; never the agent's
 * own answers. What a failed launch or a stop leaves behind is looked for on the node itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { ErrorCodes, type LaunchParams, type LaunchResult } from '../../server/protocol';
import { LAUNCH_ROOT } from '../../server/act/launchBundle';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { refusalLater } from '../support/refusal';
import { assertNothingLeft, mountOf, read, removeLaunches, runcState } from '../support/launchFacts';

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'nodescope');
const built = (): string | null => (fs.existsSync(path.join(repo, 'dist', 'cli.js')) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('runc'), probes.command('nsenter'), built);

const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FROM = 'nodescope-rig-limited';
/** Docker's default capability set (moby oci/caps/defaults.go) as the kernel prints it in CapBnd. */
const DOCKER_DEFAULT_CAP_MASK = '00000000a80425fb';

describe("launching a test container from a container's image, with real runc", { skip }, () => {
  const NAME = `nodescope-launch-${process.pid}`;
  const auditLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-launch-audit-')), 'audit.log');
  const agent = new AgentMethods();
  const launch = (p: Omit<LaunchParams, 'from'>): Promise<LaunchResult> => agent.dispatch('launch.start', { from: FROM, ...p });
  let started: LaunchResult;

  before(() => {
    rigUp();
    process.env.NODESCOPE_AUDIT_LOG = auditLog;
  });
  after(() => {
    removeLaunches([NAME, `${NAME}-bad`, `${NAME}-cli`, `${NAME}-as`]);
    delete process.env.NODESCOPE_AUDIT_LOG;
    fs.rmSync(path.dirname(auditLog), { recursive: true, force: true });
  });

  it('a dry run checks and describes, and makes nothing', async () => {
    const plan = await launch({ name: NAME, memoryBytes: 48 * MiB, dryRun: true });
    assert.equal(plan.started, false);
    const [cmd, args] = execFileSync('docker', ['inspect', '-f', '{{json .Path}}\n{{json .Args}}', FROM], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(plan.command, [cmd, ...args], 'what Docker started the source with');
    assertNothingLeft(NAME);
  });

  it('by default starts as the source was started: its args, working directory and user (docker inspect)', async () => {
    const src = `${NAME}-src`;
    spawnSync('docker', ['rm', '-f', src]);
    execFileSync('docker', [
      'run',
      '-d',
      '--name',
      src,
      '--network',
      'none',
      '-w',
      '/data',
      '-u',
      '1000:1000',
      'nodescope-rig/layers:1',
      'sh',
      '-c',
      'exec sleep 600',
    ]);
    try {
      const user = execFileSync('docker', ['inspect', '-f', '{{.Config.User}}', src], { encoding: 'utf8' }).trim();
      const wd = execFileSync('docker', ['inspect', '-f', '{{.Config.WorkingDir}}', src], { encoding: 'utf8' }).trim();
      const [cmd, args] = execFileSync('docker', ['inspect', '-f', '{{json .Path}}\n{{json .Args}}', src], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const r = await agent.dispatch('launch.start', { from: src, name: `${NAME}-as` });
      try {
        assert.deepEqual(r.command, [cmd, ...args], "sh -c as Docker started it, not the sleep it exec'd into");
        const pid = r.pid!;
        const status = read(`/proc/${pid}/status`);
        assert.equal(`${/^Uid:\s+(\d+)/m.exec(status)![1]}:${/^Gid:\s+(\d+)/m.exec(status)![1]}`, user);
        assert.equal(fs.readlinkSync(`/proc/${pid}/cwd`), wd);
      } finally {
        await agent.dispatch('launch.stop', { container: `${NAME}-as` });
      }
      assertNothingLeft(`${NAME}-as`);
    } finally {
      spawnSync('docker', ['rm', '-f', src]);
    }
  });

  it("starts on the source's image layers with a fresh upper, its own namespaces, a loopback only, and the limits asked for", async () => {
    started = await launch({
      name: NAME,
      memoryBytes: 48 * MiB,
      pidsMax: 30,
      cpus: 0.5,
      readOnly: true,
      tmpfs: [{ path: '/tmp', sizeBytes: 16 * MiB }],
      command: ['sleep', '600'],
    });
    const state = runcState(NAME);
    assert.equal(state?.status, 'running');
    assert.equal(state?.pid, started.pid);
    const pid = started.pid!;
    assert.deepEqual(read(`/proc/${pid}/cmdline`).split('\0').filter(Boolean), ['sleep', '600']);

    for (const ns of ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup'])
      assert.notEqual(fs.statSync(`/proc/${pid}/ns/${ns}`).ino, fs.statSync(`/proc/self/ns/${ns}`).ino, `${ns} is its own`);
    const links = execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', '-o', 'link'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.deepEqual(
      links.map((l) => l.split(': ')[1]),
      ['lo'],
      'only a loopback',
    );
    assert.equal(execFileSync('nsenter', ['-t', String(pid), '-u', 'hostname'], { encoding: 'utf8' }).trim(), NAME);

    // Its root, as it sees it: an overlay of exactly the source's image layers (docker inspect), read-only.
    const root = mountOf(pid, '/');
    assert.equal(root?.fstype, 'overlay');
    assert.match(root.options, /^ro\b/, 'read-only root');
    const lower = /lowerdir=([^,]+)/.exec(root.superOptions)![1];
    const dockerLowers = execFileSync('docker', ['inspect', '-f', '{{.GraphDriver.Data.LowerDir}}', FROM], { encoding: 'utf8' })
      .trim()
      .split(':');
    assert.deepEqual(
      lower.split(':').map((d) => fs.realpathSync(d)),
      dockerLowers.map((d) => fs.realpathSync(d)),
    );
    assert.match(root.superOptions, new RegExp(`upperdir=${LAUNCH_ROOT}/${NAME}/rw/upper`));
    // The writable layer sits on a sized tmpfs of its own, not on the node's /run.
    const rw = mountOf('self', `${LAUNCH_ROOT}/${NAME}/rw`);
    assert.equal(rw?.fstype, 'tmpfs');
    assert.match(rw.superOptions, /size=524288k/);
    // Docker's masked paths that this kernel has are covered by a mount (runc binds /dev/null or a tmpfs).
    const masked = ['/proc/keys', '/proc/timer_list', '/proc/kcore', '/proc/acpi', '/sys/firmware'].filter((p) => fs.existsSync(p));
    assert.ok(masked.length, 'this kernel has some of them');
    for (const p of masked) assert.ok(mountOf(pid, p), `${p} is masked`);
    const tmp = mountOf(pid, '/tmp');
    assert.equal(tmp?.fstype, 'tmpfs');
    assert.match(tmp.superOptions, /size=16384k/);

    assert.equal(read(`/sys/fs/cgroup/memory/nodescope/${NAME}/memory.limit_in_bytes`), String(48 * MiB));
    assert.equal(read(`/sys/fs/cgroup/pids/nodescope/${NAME}/pids.max`), '30');
    assert.equal(
      Number(read(`/sys/fs/cgroup/cpu/nodescope/${NAME}/cpu.cfs_quota_us`)) /
        Number(read(`/sys/fs/cgroup/cpu/nodescope/${NAME}/cpu.cfs_period_us`)),
      0.5,
    );
    assert.ok(read(`/sys/fs/cgroup/memory/nodescope/${NAME}/cgroup.procs`).split('\n').includes(String(pid)));
    // Docker's default capabilities and no new privileges, as the kernel says.
    const status = read(`/proc/${pid}/status`);
    assert.match(status, new RegExp(`^CapBnd:\\s+${DOCKER_DEFAULT_CAP_MASK}$`, 'm'));
    assert.match(status, new RegExp(`^CapEff:\\s+${DOCKER_DEFAULT_CAP_MASK}$`, 'm'));
    assert.match(status, /^NoNewPrivs:\s+1$/m);
  });

  it("shows in the snapshot as runc's, marked as launched, sharing the source's layers", () => {
    const snap = agent.snapshot();
    const c = snap.containers.find((x) => x.name === NAME);
    assert.ok(c, 'listed');
    assert.equal(c.runtime, 'runc');
    assert.equal(c.initPid, started.pid);
    assert.equal(c.labels['nodescope.launched'], '1');
    const sourceId = execFileSync('docker', ['inspect', '-f', '{{.Id}}', FROM], { encoding: 'utf8' }).trim();
    const shared = snap.layers.filter((l) => l.usedBy.includes(c.id) && l.usedBy.includes(sourceId));
    assert.equal(shared.length, started.lowerdirs.length, 'every image layer is shared with the source');
  });

  it('refuses a name that is taken, a cgroup left with that name, a bad tmpfs, and stopping what Nodescope did not launch', async () => {
    const leftover = `/sys/fs/cgroup/pids/nodescope/${NAME}-old`;
    fs.mkdirSync(leftover, { recursive: true });
    try {
      assert.match(
        (await refusalLater(() => launch({ name: `${NAME}-old`, dryRun: true }))).message,
        /or its cgroups \/nodescope\/.*-old are\); choose another name/,
      );
    } finally {
      fs.rmdirSync(leftover);
    }
    assert.match(
      (await refusalLater(() => launch({ name: `${NAME}-x`, tmpfs: [{ path: '//', sizeBytes: 1024 }], dryRun: true }))).message,
      /a tmpfs path must be absolute, not \//,
    );
    const taken = await refusalLater(() => launch({ name: 'nodescope-rig-readonly', dryRun: true }));
    assert.equal(taken.code, ErrorCodes.InvalidParams);
    assert.match(taken.message, /a container named "nodescope-rig-readonly" is already on this node/);
    const notOurs = await refusalLater(() => agent.dispatch('launch.stop', { container: FROM }));
    assert.equal(notOurs.code, ErrorCodes.NotPermitted);
    assert.match(notOurs.message, /was not launched by Nodescope/);
    assert.equal(execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', FROM], { encoding: 'utf8' }).trim(), 'true');
  });

  it('stop removes everything it made: process, runc state, overlay, bundle, cgroups', async () => {
    const pid = started.pid!;
    assert.deepEqual(await agent.dispatch('launch.stop', { container: NAME, dryRun: true }), {
      container: NAME,
      removed: false,
      running: true,
    });
    assert.equal(runcState(NAME)?.status, 'running', 'a dry run stops nothing');
    assert.deepEqual(await agent.dispatch('launch.stop', { container: NAME }), { container: NAME, removed: true, running: false });
    // Killed: gone, or dead and waiting for its parent (the node's init, which adopted it) to reap it.
    const dead = (): boolean => !fs.existsSync(`/proc/${pid}`) || /^State:\s+Z/m.test(read(`/proc/${pid}/status`));
    for (let i = 0; i < 100 && !dead(); i++) await sleep(50);
    assert.ok(dead(), 'the process is dead');
    assertNothingLeft(NAME);
  });

  it('a launch runc cannot start leaves nothing behind and says why in one line', async () => {
    const r = await refusalLater(() => launch({ name: `${NAME}-bad`, command: ['/no/such/binary'] }));
    assert.match(
      r.message,
      new RegExp(`^runc could not start ${NAME}-bad: .*"/no/such/binary".*no such file or directory; nothing was left behind$`),
    );
    assertNothingLeft(`${NAME}-bad`);
  });

  it('the audit log has the launch, the failed one and the stop', () => {
    const lines = read(auditLog)
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.action, l.container.name, l.outcome.split(':')[0]]),
      [
        ['launch', `${NAME}-as`, 'started'],
        ['stop', `${NAME}-as`, 'removed'],
        ['launch', NAME, 'started'],
        ['stop', NAME, 'removed'],
        ['launch', `${NAME}-bad`, `runc could not start ${NAME}-bad`],
      ],
    );
    assert.deepEqual(lines[2].argv, ['sleep', '600']);
  });

  it('CLI: nothing without a terminal or --yes; --yes launches, stop --yes removes', () => {
    const name = `${NAME}-cli`;
    const noTty = spawnSync(bin, ['launch', FROM, '--name', name, '--pids', '20'], { encoding: 'utf8', input: '' });
    assert.equal(noTty.status, 2, noTty.stderr);
    assertNothingLeft(name);
    const r = spawnSync(bin, ['launch', FROM, '--name', name, '--pids', '20', '--yes', '--json', '--', 'sleep', '300'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(runcState(name)?.pid, JSON.parse(r.stdout).pid);
    assert.equal(read(`/sys/fs/cgroup/pids/nodescope/${name}/pids.max`), '20');
    const stop = spawnSync(bin, ['stop', name, '--yes'], { encoding: 'utf8' });
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(stop.stdout.trim(), `${name}: stopped and removed`);
    assertNothingLeft(name);
  });
});
