/**
 * What a launched container may do and see, as asked (`--hostname`, `--cap-drop`/`--cap-add`, `--user-ns`,
 * `--env`, `--read-only`), with real runc. Each checked against the kernel: CapEff in /proc/PID/status,
 * /proc/PID/uid_map, the uts namespace's hostname, /proc/PID/environ, the root's mount options.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentMethods } from '../../server/methods';
import { ErrorCodes, type LaunchParams, type LaunchResult } from '../../server/protocol';
import { CAPABILITY_NAMES } from '../../server/discover/capabilities';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { refusalLater } from '../support/refusal';
import { assertNothingLeft, mountOf, read, removeLaunches, runcState } from '../support/launchFacts';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('runc'), probes.command('nsenter'));
const FROM = 'nodescope-rig-limited';

/** The names of the bits set in CapEff, as the kernel prints the mask. */
function capEff(pid: number): string[] {
  const mask = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)$/m.exec(read(`/proc/${pid}/status`))![1]}`);
  return CAPABILITY_NAMES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

describe('a launch shaped by hostname, capabilities, user namespace, environment and read-only root, with real runc', { skip }, () => {
  const NAME = `nodescope-opts-${process.pid}`;
  const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-opts-audit-'));
  const agent = new AgentMethods();
  const launch = (p: Omit<LaunchParams, 'from'>): Promise<LaunchResult> => agent.dispatch('launch.start', { from: FROM, ...p });

  before(() => {
    rigUp();
    process.env.NODESCOPE_AUDIT_LOG = path.join(auditDir, 'audit.log');
  });
  after(() => {
    removeLaunches([NAME, `${NAME}-u`]);
    delete process.env.NODESCOPE_AUDIT_LOG;
    fs.rmSync(auditDir, { recursive: true, force: true });
  });

  it('hostname, caps dropped and added (with or without CAP_), env and a read-only root, as the kernel has them', async () => {
    const r = await launch({
      name: NAME,
      hostname: 'debug-box.local',
      capDrop: ['net_raw', 'CAP_CHOWN'],
      capAdd: ['SYS_PTRACE'],
      env: ['GREETING=hello world', 'PATH=/bin'],
      readOnly: true,
      command: ['sleep', '600'],
    });
    const pid = runcState(NAME)!.pid;
    assert.equal(r.pid, pid);
    assert.equal(execFileSync('nsenter', ['-t', String(pid), '-u', 'hostname'], { encoding: 'utf8' }).trim(), 'debug-box.local');
    const eff = capEff(pid);
    assert.deepEqual(eff, r.capabilities, 'the plan says what the kernel has');
    assert.ok(eff.includes('CAP_SYS_PTRACE'), 'added');
    for (const gone of ['CAP_NET_RAW', 'CAP_CHOWN']) assert.ok(!eff.includes(gone), `${gone} dropped`);
    assert.ok(eff.includes('CAP_KILL'), "the rest of Docker's default set stays");
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    assert.deepEqual(environ.sort(), [...r.env].sort(), 'the plan says the whole environment');
    assert.deepEqual(environ.sort(), ['GREETING=hello world', 'HOME=/root', 'HOSTNAME=debug-box.local', 'PATH=/bin']);
    assert.match(mountOf(pid, '/')!.options, /^ro\b/, 'read-only root');
    assert.equal(r.userNs, null);
    assert.equal(fs.statSync(`/proc/${pid}/ns/user`).ino, fs.statSync('/proc/self/ns/user').ino, 'no user namespace of its own');
    await agent.dispatch('launch.stop', { container: NAME });
    assertNothingLeft(NAME);
  });

  it('--user-ns: root inside is an unprivileged range outside (uid_map, gid_map, the process’s host uid)', async () => {
    const r = await launch({ name: `${NAME}-u`, userNs: true, command: ['sleep', '600'] });
    try {
      const pid = runcState(`${NAME}-u`)!.pid;
      const map = (f: string): number[] => read(`/proc/${pid}/${f}`).split(/\s+/).map(Number);
      assert.deepEqual(map('uid_map'), [0, r.userNs!.outside, r.userNs!.count]);
      assert.deepEqual(map('gid_map'), [0, r.userNs!.outside, r.userNs!.count]);
      assert.ok(r.userNs!.outside >= 100_000, 'not a login uid');
      assert.equal(Number(/^Uid:\s+(\d+)/m.exec(read(`/proc/${pid}/status`))![1]), r.userNs!.outside, 'root inside, unprivileged outside');
      assert.notEqual(fs.statSync(`/proc/${pid}/ns/user`).ino, fs.statSync('/proc/self/ns/user').ino);
      // A second one at the same time gets another range.
      const plan = await launch({ name: `${NAME}-v`, userNs: true, command: ['true'], dryRun: true });
      assert.notEqual(plan.userNs!.outside, r.userNs!.outside);
    } finally {
      await agent.dispatch('launch.stop', { container: `${NAME}-u` });
    }
    assertNothingLeft(`${NAME}-u`);
  });

  it('refuses an unknown capability, a bad hostname and a bad env entry, in one line, before anything is made', async () => {
    const cap = await refusalLater(() => launch({ name: NAME, capDrop: ['NET_FROB'], dryRun: true }));
    assert.equal(cap.code, ErrorCodes.InvalidParams);
    assert.match(cap.message, /no capability "NET_FROB"/);
    assert.match((await refusalLater(() => launch({ name: NAME, hostname: 'a b', dryRun: true }))).message, /a hostname is letters/);
    assert.match((await refusalLater(() => launch({ name: NAME, env: ['1X=y'], dryRun: true }))).message, /KEY=VALUE/);
    const all = await launch({ name: NAME, capDrop: ['ALL'], capAdd: ['kill'], command: ['true'], dryRun: true });
    assert.deepEqual(all.capabilities, ['CAP_KILL']);
    assertNothingLeft(NAME);
  });
});
