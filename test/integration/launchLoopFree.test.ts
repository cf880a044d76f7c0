/**
 * A launch does not stop the agent answering: while one is held inside its first mount, the same agent
 * answers a snapshot, and the launch then completes as usual and is removed without a trace. A mount that
 * never returns is killed at the tool's timeout, and the launch takes away what it had made.
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
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type ResponseError,
} from 'vscode-jsonrpc/node';
import type { LaunchResult, Snapshot, StopResult } from '../../server/protocol';
import { LAUNCH_ROOT, TOOL_TIMEOUT_MS } from '../../server/act/launchBundle';
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
/** How many lower layers Docker gives `container` (docker inspect). */
const lowerCount = (container: string): number =>
  execFileSync('docker', ['inspect', '-f', '{{.GraphDriver.Data.LowerDir}}', container], { encoding: 'utf8' }).trim().split(':').length;
const mounted = (dir: string): boolean =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);
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
  const agents: ReturnType<typeof spawn>[] = [];

  /** An agent of our own from the source, finding `mount` in `bin` first. */
  async function startAgent(bin: string): Promise<{ rpc: MessageConnection; pid: number }> {
    const agent = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'server', 'agent.ts')], {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NODESCOPE_AUDIT_LOG: path.join(dir, 'audit.log') },
    });
    agents.push(agent);
    const rpc = createMessageConnection(new StreamMessageReader(agent.stdout), new StreamMessageWriter(agent.stdin));
    rpc.listen();
    await within(60_000, hello(rpc), null);
    return { rpc, pid: agent.pid! };
  }

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
    for (const a of agents) a.kill('SIGKILL');
    for (const n of [NAME, `${NAME}-hung`]) {
      spawnSync('runc', ['delete', '--force', n]);
      for (const m of ['rootfs', 'rw']) spawnSync('umount', [path.join(LAUNCH_ROOT, n, m)]);
      fs.rmSync(path.join(LAUNCH_ROOT, n), { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a snapshot is answered while the launch waits in its mount; the launch then starts and is removed', async () => {
    const { rpc, pid: agentPid } = await startAgent(path.join(dir, 'bin'));

    const launching = rpc.sendRequest<LaunchResult>('launch.start', { from: FROM, name: NAME, command: ['sleep', '600'] });
    // The launch is inside its mount: the script said so, and it is the agent's child now.
    await until('the launch to enter its first mount', () => fs.existsSync(entered), 60_000);
    const held = await until("the held mount among the agent's children", () => childrenOf(agentPid).find((c) => comm(c) === 'mount'));

    const snapshot = await within(30_000, rpc.sendRequest<Snapshot>('snapshot'), 'no answer' as const);
    assert.ok(snapshot !== 'no answer', 'the snapshot is answered while the launch waits');
    assert.equal(fs.existsSync(go), false, 'the launch was not let go before the answer');
    assert.ok(running(held) && comm(held) === 'mount', 'the mount was still waiting when the snapshot came');
    const id = execFileSync('docker', ['inspect', '-f', '{{.Id}}', FROM], { encoding: 'utf8' }).trim();
    assert.ok(
      snapshot.containers.some((c) => c.id === id),
      `the snapshot has ${FROM} (docker inspect)`,
    );
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

  it(
    "a mount that never returns is killed at the tool's timeout, and the launch takes away what it made",
    { timeout: TOOL_TIMEOUT_MS + 60_000 },
    async () => {
      // The overlay's mount hangs (its pid written first: exec keeps it); the tmpfs before it is really mounted.
      const bin = path.join(dir, 'hung-bin');
      const hungPid = path.join(dir, 'hung.pid');
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, 'mount'),
        [
          '#!/bin/sh',
          'case " $* " in',
          `  *" -t overlay "*) echo $$ > '${hungPid}'; exec sleep 600 ;;`,
          'esac',
          `exec '${realMount}' "$@"`,
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const { rpc } = await startAgent(bin);
      const name = `${NAME}-hung`;
      const t0 = Date.now();
      const failed = await within(
        TOOL_TIMEOUT_MS + 45_000,
        rpc.sendRequest('launch.start', { from: FROM, name, command: ['sleep', '600'] }).then(
          () => null,
          (e: ResponseError) => e,
        ),
        'no answer' as const,
      );
      const took = Date.now() - t0;
      assert.ok(failed && failed !== 'no answer', 'the launch fails, and says so');
      assert.equal(
        failed.message,
        `the overlay of ${FROM}'s ${lowerCount(FROM)} layers could not be mounted: mount was killed after ${TOOL_TIMEOUT_MS / 1000} s; nothing was left behind`,
      );
      assert.ok(took >= TOOL_TIMEOUT_MS - 1000, `failed at the timeout (${took} ms), not before`);
      const pid = Number(fs.readFileSync(hungPid, 'utf8'));
      assert.equal(running(pid), false, 'the hung mount was killed');
      assert.equal(mounted(path.join(LAUNCH_ROOT, name, 'rw')), false, 'its tmpfs is unmounted');
      assert.equal(mounted(path.join(LAUNCH_ROOT, name, 'rootfs')), false, 'no overlay');
      assert.equal(fs.existsSync(path.join(LAUNCH_ROOT, name)), false, 'its bundle is gone');
      assert.equal(runcState(name), null, 'runc has no state for it');
      rpc.dispose();
    },
  );
});
