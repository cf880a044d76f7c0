/**
 * The agent never hangs on what a container plants, and never outlives its client, even when stuck.
 *
 * The two FIFO traps of issue 8 are built for real: a namespace held only by a bind mount whose path now
 * leads to a FIFO (covered by a tmpfs, as a container with CAP_SYS_ADMIN can do; or with the FIFO bind-
 * mounted over it, as any user can in a user namespace of their own). The agent looking for that
 * namespace's owner used to open the FIFO for reading and block in fifo_open for ever; the snapshot must
 * now come back within a bound and name what covers the holder.
 *
 * A stuck agent is made with its test hook (NODESCOPE_AGENT_TEST_STALL): the main thread blocks in a
 * futex wait nothing ends, checked from /proc/PID/wchan, so no timer or stream event of its own can run.
 * What it is then checked against comes from outside: /proc, exit statuses, its stderr.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { inCI, probes, skipUnlessReal } from '../support/real';
import { startSshd } from '../support/sshd';
import {
  agentJs,
  built,
  childrenOf,
  cliJs,
  hello,
  inFutexWait,
  repo,
  running,
  sleepMs,
  spawnAgent,
  until,
  within,
} from '../support/agentProcess';
import type { NamespaceInfo, Problem, Snapshot } from '../../server/protocol';

const skip = skipUnlessReal(
  probes.root,
  probes.command('unshare'),
  probes.command('setpriv'),
  probes.command('ssh'),
  probes.command('sshd'),
  built,
);

/** The pid of the process whose environment holds `entry` (NAME=value), from /proc/PID/environ. */
function processWithEnv(entry: string): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(entry)) return Number(d);
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return undefined;
}

/** A process holding a trap, and the namespace the trap hides. */
interface Trap {
  pid: number;
  inode: number;
  /** The bind mount's path as the agent reaches it: through the trap's root. */
  holder: string;
  stop(): void;
}

const stopped: (() => void)[] = [];
after(() => stopped.forEach((s) => s()));

/** Runs `argv`, which prints the namespace's inode, then "ready", then keeps the trap. */
async function startTrap(argv: string[], dir: string, holderIn: string): Promise<Trap> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stop = (): void => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  stopped.push(stop);
  await until(`the trap to be set (${err.trim()})`, () => out.includes('ready') || child.exitCode !== null);
  assert.equal(child.exitCode, null, `the trap failed: ${err}`);
  return { pid: child.pid!, inode: Number(out.split('\n')[0]), holder: `/proc/${child.pid}/root${holderIn}`, stop };
}

/**
 * As a container with CAP_SYS_ADMIN does (here: root in a mount namespace of its own): a network namespace
 * bind-mounted at n/x outlives its only process, then a tmpfs covers n and a FIFO named x sits in it.
 */
function coveredByTmpfs(): Promise<Trap> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-fifo-cap-'));
  const script = [
    'set -e',
    `mount -t tmpfs nodescope-trap "${dir}"`,
    `mkdir "${dir}/n"`,
    `touch "${dir}/n/x"`,
    `unshare --net="${dir}/n/x" true`,
    `stat -L -c %i "${dir}/n/x"`,
    `mount -t tmpfs nodescope-cover "${dir}/n"`,
    `mkfifo "${dir}/n/x"`,
    'echo ready',
    'exec sleep 600',
  ].join('\n');
  return startTrap(['unshare', '-m', '--propagation', 'private', 'sh', '-c', script], dir, `${dir}/n/x`);
}

/** As any user can (here uid 65534): in a user and mount namespace of its own, a FIFO bind-mounted over a UTS namespace's bind mount. */
function fifoOverBind(): Promise<Trap> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-fifo-user-'));
  fs.chownSync(dir, 65534, 65534);
  const script = `cd "${dir}"; touch x; mkfifo f; unshare --uts="${dir}/x" true; stat -L -c %i x; mount --bind f x; echo ready; exec sleep 600`;
  return startTrap(
    ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'unshare', '-Urm', 'sh', '-c', script],
    dir,
    `${dir}/x`,
  );
}

/** The trap's namespace in a snapshot, with the holder reported and the FIFO named in its problem. */
function assertTrapReported(snapshot: Snapshot, trap: Trap, type: NamespaceInfo['type']): void {
  const ns = snapshot.namespaces.find((n) => n.type === type && n.inode === trap.inode);
  assert.ok(ns, `${type}:[${trap.inode}] is listed`);
  assert.ok(ns.heldBy.includes('bindmount'), `held by its bind mount: ${JSON.stringify(ns.heldBy)}`);
  assert.ok(ns.bindMounts.includes(trap.holder), `${trap.holder} in ${JSON.stringify(ns.bindMounts)}`);
  const problem = snapshot.problems.find((p: Problem) => p.source === `${type}:[${trap.inode}]`);
  assert.ok(problem, 'a problem says why its owner is unknown');
  assert.match(
    problem.message,
    new RegExp(`${trap.holder.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a namespace file: a FIFO is in its place`),
  );
}

describe('the agent and the FIFO traps', { skip }, () => {
  it('`nodescope snapshot --json` returns when a tmpfs and a FIFO cover a namespace bind mount (CAP_SYS_ADMIN)', async () => {
    const trap = await coveredByTmpfs();
    try {
      // Before the fix this never returned: the CLI (as root, the agent's code in-process) sat in fifo_open.
      const r = spawnSync(path.join(repo, 'bin', 'nodescope'), ['snapshot', '--json'], {
        encoding: 'utf8',
        maxBuffer: 1 << 29,
        timeout: 90_000,
        killSignal: 'SIGKILL',
      });
      assert.equal(r.signal, null, 'returned before the 90 s bound');
      assert.equal(r.status, 0, r.stderr);
      assertTrapReported(JSON.parse(r.stdout) as Snapshot, trap, 'net');
    } finally {
      trap.stop();
    }
  });

  it('the agent answers a snapshot when an unprivileged user bind-mounts a FIFO over a namespace bind mount', async () => {
    const trap = await fifoOverBind();
    const agent = spawnAgent();
    try {
      await hello(agent.rpc);
      const answer = agent.rpc.sendRequest<Snapshot>('snapshot', {});
      const snapshot = await within(90_000, answer, null);
      assert.ok(snapshot, `the snapshot came back within 90 s (agent: ${agent.stderr().trim()})`);
      assertTrapReported(snapshot, trap, 'uts');
    } finally {
      agent.child.kill('SIGKILL');
      trap.stop();
    }
  });
});

describe('a stuck agent', { skip }, () => {
  const stall = { ...process.env, NODESCOPE_AGENT_TEST_STALL: 'snapshot' };

  /** The agent stuck in a snapshot request: sent, and its main thread seen in the futex wait. */
  async function stuck(agent: { rpc: ReturnType<typeof spawnAgent>['rpc'] }, pid: number): Promise<void> {
    await hello(agent.rpc);
    void agent.rpc.sendRequest('snapshot', {}).catch(() => undefined);
    await until(`agent ${pid} stuck in its test stall`, () => inFutexWait(pid));
  }

  it('goes with a client killed by SIGKILL (the CLI starting it as a child)', async () => {
    // As root the CLI would run the agent's code in itself; NODESCOPE_IN_PROCESS=0 makes it start dist/agent.js as it does through sudo.
    const cli = spawn(process.execPath, [cliJs, 'snapshot', '--json'], { stdio: 'ignore', env: { ...stall, NODESCOPE_IN_PROCESS: '0' } });
    try {
      const agentPid = await until('the agent the CLI started', () =>
        childrenOf(cli.pid!).find((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(agentJs)),
      );
      await until(`agent ${agentPid} stuck in its test stall`, () => inFutexWait(agentPid));
      cli.kill('SIGKILL');
      await until(`agent ${agentPid} to exit after its client was killed`, () => !running(agentPid), 3000);
    } finally {
      cli.kill('SIGKILL');
    }
  });

  it('goes when its SSH client is killed (the agent run as the deploy step runs it, over a real sshd)', async () => {
    const sshd = await startSshd();
    const mark = `nodescope-hang-${process.pid}-${Date.now()}`;
    // As deploy.ts starts it: `exec node agent.js` in the login's shell, so the agent is the sshd session's child.
    const remote = `exec env NODESCOPE_HANG_MARK=${mark} NODESCOPE_AGENT_TEST_STALL=snapshot ${process.execPath} ${agentJs}`;
    const ssh = spawn(
      'ssh',
      [
        '-T',
        '-i',
        sshd.clientKey,
        '-o',
        `UserKnownHostsFile=${sshd.knownHosts}`,
        '-o',
        'BatchMode=yes',
        '-p',
        String(sshd.port),
        'root@127.0.0.1',
        remote,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const rpc = createMessageConnection(new StreamMessageReader(ssh.stdout), new StreamMessageWriter(ssh.stdin));
    rpc.listen();
    try {
      const agentPid = await until('the agent started over SSH', () => processWithEnv(`NODESCOPE_HANG_MARK=${mark}`), 20_000);
      await stuck({ rpc }, agentPid);
      ssh.kill('SIGKILL');
      await until(`agent ${agentPid} to exit after its SSH client was killed`, () => !running(agentPid), 5000);
    } finally {
      ssh.kill('SIGKILL');
      rpc.dispose();
      sshd.dispose();
    }
  });

  it('goes when its parent dies though its channel stays open (parent death signal)', async () => {
    // A parent that starts the agent on the test's own pipes and then waits: killing it leaves the pipes
    // open (this test holds them), so only the kernel's parent death signal can end the stuck agent.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `require('child_process').spawn(process.execPath, [${JSON.stringify(agentJs)}], { stdio: 'inherit', env: process.env }); setInterval(() => {}, 1e6);`,
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: stall,
      },
    );
    const rpc = createMessageConnection(new StreamMessageReader(parent.stdout), new StreamMessageWriter(parent.stdin));
    rpc.listen();
    try {
      const agentPid = await until('the agent', () => childrenOf(parent.pid!)[0]);
      await stuck({ rpc }, agentPid);
      parent.kill('SIGKILL');
      await until(`agent ${agentPid} to exit after its parent was killed`, () => !running(agentPid), 2000);
    } finally {
      parent.kill('SIGKILL');
      rpc.dispose();
      parent.stdin.destroy();
    }
  });

  it('goes when its channel closes though its parent lives (watchdog thread)', async () => {
    const agent = spawnAgent(stall);
    try {
      await stuck(agent, agent.child.pid!);
      agent.child.stdin!.end();
      const t0 = Date.now();
      const gone = await within(4000, agent.exited, null);
      assert.ok(gone, 'exited within 4 s of its stdin closing');
      assert.match(
        agent.stderr(),
        /nodescope-agent: channel closed and the agent did not stop \(stuck: stalling on purpose \(NODESCOPE_AGENT_TEST_STALL\)\); exiting/,
      );
      assert.ok(Date.now() - t0 >= 900, 'not before the main thread had its grace second');
    } finally {
      agent.child.kill('SIGKILL');
    }
  });

  it('says what it is stuck on past its deadline, and exits non-zero past the hard limit', async () => {
    const agent = spawnAgent({ ...stall, NODESCOPE_AGENT_STUCK_MS: '1000', NODESCOPE_AGENT_EXIT_MS: '4000' });
    try {
      await stuck(agent, agent.child.pid!);
      const t0 = Date.now();
      await until('the stuck line', () => /nodescope-agent: stuck 1 s: stalling on purpose/.test(agent.stderr()), 3000);
      assert.equal(agent.stderr().match(/stuck \d+ s/g)?.length, 1, 'one line, not one per tick');
      await sleepMs(1000);
      assert.ok(running(agent.child.pid!), 'still running between the deadline and the hard limit');
      const { code, signal } = await within(6000, agent.exited, { code: -1, signal: null });
      assert.deepEqual({ code, signal }, { code: 75, signal: null }, `exit status (stderr: ${agent.stderr()})`);
      assert.ok(Date.now() - t0 < 6000);
      assert.match(
        agent.stderr(),
        /nodescope-agent: stuck [45] s: stalling on purpose \(NODESCOPE_AGENT_TEST_STALL\); exiting so that the client starts a new agent\n/,
      );
    } finally {
      agent.child.kill('SIGKILL');
    }
  });

  it('is not a stuck agent when it merely answers: no line, no exit, for a normal request', async () => {
    const agent = spawnAgent({ ...process.env, NODESCOPE_AGENT_STUCK_MS: '1000', NODESCOPE_AGENT_EXIT_MS: '2000' });
    try {
      await hello(agent.rpc);
      await agent.rpc.sendRequest('layer.scan', { path: '/nonexistent-nodescope' }).catch(() => undefined);
      await sleepMs(2600);
      assert.ok(running(agent.child.pid!));
      assert.doesNotMatch(agent.stderr(), /stuck/);
    } finally {
      agent.child.stdin!.end();
      await agent.exited;
    }
  });
});

if (inCI && skip) throw new Error(`agent hang suite cannot run in CI: ${skip}`);
