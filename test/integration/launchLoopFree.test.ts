/**
 * A launch does not stop the agent answering: while one is held inside its first mount, the same agent
 * answers a snapshot, and the launch then completes as usual and is removed without a trace.
 *
 * Everything is real: the agent (server/agent.ts under tsx, on pipes, as the local transport starts it),
 * runc, the kernel's mounts. The one lever is the `mount` the agent finds on its PATH: a script that
 * says it was entered and waits for the test's word before it execs the real mount, so the launch is
 * inside a slow step for as long as the test needs, in a child of the agent that /proc shows. What is
 * checked comes from the node, not the agent's answers: the waiting child in /proc, the marker files,
 * `runc state`, mountinfo, the bundle directory, docker inspect.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { LaunchResult, Snapshot, StopResult } from '../../server/protocol';
import { LAUNCH_ROOT } from '../../server/act/launchBundle';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { childrenOf, hello, repo, running, until, within } from '../support/agentProcess';

const skip = skipUnlessReal(probes.root, probes.docker, probes.command('runc'), probes.command('mount'));
const FROM = 'nodescope-rig-limited';
const NAME = `nodescope-loopfree-${process.pid}`;
/** How long the held mount waits for the word at most, so that a failed test never leaves it waiting. */
const HOLD_MAX_S = 60;

const runcState = (name: string): { status: string; pid: number } | null => {
  const r = spawnSync('runc', ['state', name], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { status: string; pid: number }) : null;
};
const mounted = (dir: string): boolean => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
const comm = (pid: number): string | null => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};

describe('the agent answers other requests while a launch is in progress', { skip, timeout: 180_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-loopfree-'));
  const entered = path.join(dir, 'entered');
  const go = path.join(dir, 'go');
  const realMount = execFileSync('sh', ['-c', 'command -v mount'], { encoding: 'utf8' }).trim();
  let agent: ReturnType<typeof spawn> | undefined;

  before(() => {
    rigUp();
    // The first mount of the launch (its writable layer's tmpfs) waits for the word; later ones pass.
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(
      path.join(dir, 'bin', 'mount'),
      [
        '#!/bin/sh',
        `if [ ! -e '${entered}' ]; then`,
        `  : > '${entered}'`,
        `  i=0; while [ ! -e '${go}' ] && [ $i -lt ${HOLD_MAX_S * 10} ]; do sleep 0.1; i=$((i+1)); done`,
        'fi',
        `exec '${realMount}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });
  after(() => {
    fs.writeFileSync(go, '');
    agent?.kill('SIGKILL');
    spawnSync('runc', ['delete', '--force', NAME]);
    for (const m of ['rootfs', 'rw']) spawnSync('umount', [path.join(LAUNCH_ROOT, NAME, m)]);
    fs.rmSync(path.join(LAUNCH_ROOT, NAME), { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a snapshot is answered while the launch waits in its mount; the launch then starts and is removed', async () => {
    agent = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'server', 'agent.ts')], {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`, NODESCOPE_AUDIT_LOG: path.join(dir, 'audit.log') },
    });
    const rpc = createMessageConnection(new StreamMessageReader(agent.stdout!), new StreamMessageWriter(agent.stdin!));
    rpc.listen();
    await within(60_000, hello(rpc), null);
    const agentPid = agent.pid!;

    const launching = rpc.sendRequest<LaunchResult>('launch.start', { from: FROM, name: NAME, command: ['sleep', '600'] });
    // The launch is inside its mount: the script said so, and it is the agent's child now.
    await until('the launch to enter its first mount', () => fs.existsSync(entered), 60_000);
    const held = await until('the held mount among the agent\'s children', () => childrenOf(agentPid).find((c) => comm(c) === 'mount'));

    const snapshot = await within(30_000, rpc.sendRequest<Snapshot>('snapshot'), 'no answer' as const);
    assert.notEqual(snapshot, 'no answer', 'the snapshot is answered while the launch waits');
    assert.equal(fs.existsSync(go), false, 'the launch was not let go before the answer');
    assert.ok(running(held) && comm(held) === 'mount', 'the mount was still waiting when the snapshot came');
    const id = execFileSync('docker', ['inspect', '-f', '{{.Id}}', FROM], { encoding: 'utf8' }).trim();
    assert.ok(snapshot.containers.some((c) => c.id === id), `the snapshot has ${FROM} (docker inspect)`);
    assert.equal(runcState(NAME), null, 'runc has not started it yet');

    fs.writeFileSync(go, '');
    const started = await within(120_000, launching, null);
    assert.ok(started, 'the launch answers once its mount has run');
    const state = runcState(NAME);
    assert.equal(state?.status, 'running', 'runc runs it');
    assert.equal(state?.pid, started.pid);
    assert.ok(mounted(path.join(LAUNCH_ROOT, NAME, 'rootfs')), 'its overlay is mounted');

    const stopped = await within(120_000, rpc.sendRequest<StopResult>('launch.stop', { container: NAME }), null);
    assert.deepEqual(stopped, { container: NAME, removed: true, running: false });
    assert.equal(runcState(NAME), null, 'runc has no state for it');
    assert.equal(mounted(path.join(LAUNCH_ROOT, NAME, 'rootfs')), false, 'its overlay is unmounted');
    assert.equal(mounted(path.join(LAUNCH_ROOT, NAME, 'rw')), false, 'its tmpfs is unmounted');
    assert.equal(fs.existsSync(path.join(LAUNCH_ROOT, NAME)), false, 'its bundle is gone');
    rpc.dispose();
  });
});
