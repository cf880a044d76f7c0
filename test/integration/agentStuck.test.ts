/**
 * An agent that stops answering, for real: the local agent (dist/agent-bundle/agent.js) is stopped with
 * SIGSTOP, as a process blocked in the kernel would be (it answers nothing, its watch stops too). Checked:
 *  - a request fails within its deadline, naming its method, and naming what the agent last said it was
 *    stuck on (a line on its real stderr pipe);
 *  - the session's watchdog marks the node stale, then unresponsive, kills the stopped agent (gone from
 *    /proc), starts a new one (a new pid), and live updates resume: a container started and removed
 *    afterwards reaches the model (checked against docker inspect);
 *  - retries after failures are bounded and said, and Retry starts again;
 *  - over SSH (a real sshd on loopback) the stopped agent is killed by its pid, not left behind;
 *  - a watch pass the agent reports failed marks the data stale until new data comes.
 * Agents that say a line or stop themselves are the real bundle behind a few lines that do that (the
 * lever: a signal), so every process, pipe and signal here is real.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { connectAgent } from '../../src/connection/agentClient';
import { AgentError } from '../../server/agentError';
import { openLocalTransport } from '../../src/connection/localTransport';
import { openSshTransport } from '../../src/connection/sshTransport';
import type { Interaction } from '../../src/connection/transport';
import { startSshd } from '../support/sshd';
import { NodeSession, type SessionOptions } from '../../src/model/nodeSession';
import type { NodeHealth } from '../../src/model/nodeHealth';
import { ClientErrorCodes, PROTOCOL_VERSION } from '../../server/protocol';

const agentPath = path.resolve(__dirname, '..', '..', 'dist', 'agent-bundle', 'agent.js');
const built = (): string | null => (fs.existsSync(agentPath) ? null : 'needs dist/agent-bundle (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);
const PREFIX = `nodescope-stuck-${process.pid}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
function read(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
/** The process's state letter from /proc (T: stopped, Z: zombie), or null when it is gone. */
const procState = (pid: number): string | null => /^State:\s+(\S)/m.exec(read(`/proc/${pid}/status`))?.[1] ?? null;
const alive = (pid: number): boolean => procState(pid) !== null && procState(pid) !== 'Z';

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Pids of processes whose command line names `file`. */
function processesRunning(file: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && read(`/proc/${d}/cmdline`).split('\0').includes(file) && alive(Number(d)))
    .map(Number);
}

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describe('an agent that stops answering', { skip, timeout: 180_000 }, () => {
  let dir: string;
  /** The real agent, which writes `line` to its stderr when it gets SIGUSR2. */
  let sayingAgent: (name: string, line: string) => string;
  /** The real agent, stopped (SIGSTOP) by its own first line: it never answers the handshake. */
  let stoppedAgent: string;
  const sessions: NodeSession[] = [];

  before(() => {
    rigUp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-stuck-'));
    sayingAgent = (name, line) => {
      const file = path.join(dir, `${name}-agent.js`);
      fs.writeFileSync(
        file,
        `process.on('SIGUSR2', () => process.stderr.write(${JSON.stringify(`${line}\n`)}));\nrequire(${JSON.stringify(agentPath)});\n`,
      );
      return file;
    };
    stoppedAgent = path.join(dir, 'stopped-agent.js');
    fs.writeFileSync(stoppedAgent, `process.kill(process.pid, 'SIGSTOP');\nrequire(${JSON.stringify(agentPath)});\n`);
  });

  after(async () => {
    for (const s of sessions) await s.disconnect().catch(() => undefined);
    for (const name of docker('ps', '-aq', '--filter', `name=${PREFIX}`).split('\n').filter(Boolean))
      spawnSync('docker', ['rm', '-f', name]);
    for (const file of [stoppedAgent]) for (const pid of processesRunning(file)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const session = (open: () => string, o: Partial<SessionOptions> = {}) => {
    const kinds: string[] = [];
    const healths: NodeHealth[] = [];
    const logs: string[] = [];
    const s = new NodeSession('local', 'This machine', 'local', () => openLocalTransport({ agentPath: open(), useSudo: 'never' }), {
      watchIntervalMs: 300,
      maxReconnectAttempts: 3,
      clientVersion: 'test',
      baseDelayMs: 100,
      pingIntervalMs: 1000,
      pingDeadlineMs: 3000,
      // Well above a watch pass here, even with other suites running: no flicker counted as a finding.
      staleAfterMs: 1500,
      deadlines: { snapshot: 5000 },
      log: (_l, m) => logs.push(m),
      ...o,
    });
    s.onDidChangeState(() => {
      const h = s.health;
      healths.push(h);
      if (kinds[kinds.length - 1] !== h.kind) kinds.push(h.kind);
    });
    sessions.push(s);
    return { s, kinds, healths, logs };
  };

  it('a request to a stopped agent fails within its deadline, naming the method', async () => {
    const client = await connectAgent(await openLocalTransport({ agentPath, useSudo: 'never' }), {
      clientVersion: 'test',
      deadlines: { snapshot: 1500 },
    });
    const pid = client.info.pid;
    try {
      // Control: the same request is answered while the agent runs.
      assert.ok((await client.request('snapshot', {}, { timeoutMs: 30_000 })).containers.length > 0);
      process.kill(pid, 'SIGSTOP');
      await until('the agent to be stopped', () => procState(pid) === 'T', 5000);
      const t0 = Date.now();
      const err = await client.request('snapshot', {}).then(
        () => assert.fail('a stopped agent answered'),
        (e: AgentError) => e,
      );
      const took = Date.now() - t0;
      assert.ok(err instanceof AgentError);
      assert.equal(err.code, ClientErrorCodes.NoAnswer);
      assert.equal(err.message, 'snapshot: no answer in 1.5 s');
      assert.ok(took >= 1450 && took < 3000, `failed after ${took} ms`);
      // A per-request deadline wins over the method's.
      await assert.rejects(
        client.request('whence', { container: 'x', path: '/' }, { timeoutMs: 300 }),
        /^AgentError: whence: no answer in 0\.3 s$/,
      );
    } finally {
      await client.kill();
    }
    await until('the stopped agent to be killed', () => !alive(pid), 5000);
  });

  it('names what the agent said it was stuck on, on its real stderr, since it last answered', async () => {
    const line = 'nodescope-agent: stuck 10 s: reading mount table of pid 123';
    const client = await connectAgent(await openLocalTransport({ agentPath: sayingAgent('stuck', line), useSudo: 'never' }), {
      clientVersion: 'test',
      deadlines: { snapshot: 1000 },
    });
    const pid = client.info.pid;
    try {
      process.kill(pid, 'SIGUSR2');
      await until('the line on stderr', () => client.transport.agentStderr?.latestOf('stuck') !== null, 5000);
      process.kill(pid, 'SIGSTOP');
      await assert.rejects(
        client.request('snapshot', {}),
        (e: Error) => e.message === 'snapshot: no answer in 1 s (agent stuck 10 s: reading mount table of pid 123)',
      );
      // Once the agent answers again, that line is old news: the next silence does not repeat it.
      process.kill(pid, 'SIGCONT');
      await client.request('initialize', { clientVersion: 'test', protocolVersion: PROTOCOL_VERSION });
      process.kill(pid, 'SIGSTOP');
      await assert.rejects(client.request('snapshot', {}), (e: Error) => e.message === 'snapshot: no answer in 1 s');
    } finally {
      await client.kill();
    }
    await until('the agent to be killed', () => !alive(pid), 5000);
  });

  it('the watchdog marks the node stale, then unresponsive, replaces the stopped agent, and live updates resume', async () => {
    const { s, kinds, healths, logs } = session(() => agentPath);
    await s.connect();
    assert.equal(s.health.kind, 'live');
    // Control: live updates reach the model before anything stops.
    const first = docker('run', '-d', '--network', 'none', '--name', `${PREFIX}-a`, 'nodescope-rig/base:1', 'sleep', '300');
    await until('the first container in the model', () => s.model.container(first) !== undefined);

    // 1. A Refresh that meets a stopped agent: it fails at its deadline, the data is marked stale, and
    // the watchdog's question that follows is not answered either: the agent is replaced.
    const stopped = s.agent!.info.pid;
    process.kill(stopped, 'SIGSTOP');
    kinds.length = 0;
    const t0 = Date.now();
    await assert.rejects(s.refresh(), (e: Error) => e.message === 'snapshot: no answer in 5 s');
    assert.ok(Date.now() - t0 < 6500);
    await until('a new agent', () => s.health.kind === 'live' && s.agent !== null && s.agent.info.pid !== stopped);
    assert.deepEqual(kinds, ['stale', 'restarting', 'live'], `states shown: ${kinds.join(' → ')}`);
    // Stale from the moment the refresh had waited too long, then with the refresh's failure as why.
    const stales = healths.filter((h): h is Extract<NodeHealth, { kind: 'stale' }> => h.kind === 'stale');
    assert.match(stales[0].why, /^the agent has not answered snapshot for [\d.]+ s$/);
    const stale = stales.find((h) => h.why.startsWith('refresh failed'))!;
    assert.equal(stale.why, 'refresh failed: snapshot: no answer in 5 s');
    assert.ok(stale.since !== null && stale.since <= t0, 'stale since before the refresh that failed');
    const restarting = healths.find((h) => h.kind === 'restarting') as Extract<NodeHealth, { kind: 'restarting' }>;
    assert.equal(restarting.unresponsive, true);
    assert.match(restarting.why, /^unresponsive: snapshot: no answer in 5 s$/);
    assert.ok(
      logs.some((m) => m.includes(`agent pid ${stopped} stopped answering (snapshot: no answer in 5 s); killing it`)),
      logs.join('\n'),
    );
    await until('the stopped agent gone from /proc', () => !alive(stopped), 5000);

    // Live updates resume by themselves: a container removed and one started after the restart.
    docker('rm', '-f', first);
    await until('the removed container to leave the model', () => s.model.container(first) === undefined);
    const second = docker('run', '-d', '--network', 'none', '--name', `${PREFIX}-b`, 'nodescope-rig/base:1', 'sleep', '300');
    await until('the started container in the model', () => s.model.container(second) !== undefined);
    assert.equal(s.model.container(second)!.initPid, Number(docker('inspect', '-f', '{{.State.Pid}}', second)));

    // 2. Stopped while idle: the watchdog's own question finds it (no request of ours is waiting).
    const idle = s.agent!.info.pid;
    kinds.length = 0;
    healths.length = 0;
    process.kill(idle, 'SIGSTOP');
    await until('a new agent', () => s.health.kind === 'live' && s.agent !== null && s.agent.info.pid !== idle);
    assert.deepEqual(kinds, ['stale', 'restarting', 'live'], `states shown: ${kinds.join(' → ')}`);
    const waiting = healths.find((h) => h.kind === 'stale') as Extract<NodeHealth, { kind: 'stale' }>;
    assert.match(waiting.why, /^the agent has not answered initialize for [\d.]+ s$/);
    assert.match((healths.find((h) => h.kind === 'restarting') as { why: string }).why, /^unresponsive: initialize: no answer in 3 s$/);
    await until('the idle stopped agent gone from /proc', () => !alive(idle), 5000);
    docker('rm', '-f', second);
    await until('the removed container to leave the model', () => s.model.container(second) === undefined);
    await s.disconnect();
  });

  it('retries are bounded and said; the node is failed with the error, and Retry starts again', async () => {
    let agent = agentPath;
    const { s, kinds, logs } = session(() => agent, { maxReconnectAttempts: 2, deadlines: { initialize: 3000 } });
    await s.connect();
    const first = s.agent!.info.pid;
    // From now on every agent started stops itself before its handshake: each attempt meets silence.
    agent = stoppedAgent;
    kinds.length = 0;
    process.kill(first, 'SIGKILL');
    await until('the node to fail', () => s.health.kind === 'failed', 30_000);
    const failed = s.health as Extract<NodeHealth, { kind: 'failed' }>;
    assert.equal(failed.error, 'initialize: no answer in 3 s (gave up after 2 retries)');
    assert.ok(failed.since !== null, 'the data kept is dated');
    assert.ok(s.model.snapshot !== null, 'the last data stays, marked');
    assert.deepEqual(kinds, ['restarting', 'failed'], `states shown: ${kinds.join(' → ')}`);
    assert.deepEqual(
      logs.filter((m) => /reconnecting in|gave up/.test(m)).map((m) => m.replace(/^.*(\(attempt|gave up)/, '$1')),
      ['(attempt 1 of 2)', '(attempt 2 of 2)', 'gave up after 2 retries); Retry connects again'],
    );
    // Nothing keeps trying, and no stopped agent is left behind.
    const opened = logs.length;
    await sleep(1500);
    assert.equal(logs.length, opened, 'no attempt after giving up');
    await until('no stopped agent left', () => processesRunning(stoppedAgent).length === 0, 5000);

    agent = agentPath;
    await s.retry();
    assert.equal(s.health.kind, 'live');
    assert.notEqual(s.agent!.info.pid, first);
    await s.disconnect();
  });

  it('over SSH, a stopped agent fails its request at the deadline and is killed, not left behind', async (t) => {
    if (probes.command('sshd')()) return t.skip('needs sshd');
    const sshd = await startSshd();
    try {
      const target = {
        host: '127.0.0.1',
        port: sshd.port,
        user: 'root',
        identityFiles: [sshd.clientKey],
        knownHostsFiles: [sshd.knownHosts],
        agentSocket: null,
        trustStorePath: path.join(dir, 'trust'),
      };
      const quiet: Interaction = {
        confirmHostKey: async () => false,
        askPassword: async () => undefined,
        askPassphrase: async () => undefined,
        keyboardInteractive: async () => undefined,
        log: () => undefined,
      };
      const transport = await openSshTransport(target, quiet, { agentBundleDir: path.dirname(agentPath) });
      const client = await connectAgent(transport, { clientVersion: 'test', deadlines: { snapshot: 1500 } });
      const pid = client.info.pid;
      assert.match(read(`/proc/${pid}/cmdline`), /agent\.js/, 'the agent over SSH is a process on this machine');
      process.kill(pid, 'SIGSTOP');
      await assert.rejects(client.request('snapshot', {}), (e: Error) => e.message === 'snapshot: no answer in 1.5 s');
      await client.kill();
      await until('the stopped agent gone from /proc', () => !alive(pid), 5000);
    } finally {
      sshd.dispose();
    }
  });

  it('a watch pass the agent reports failed marks the data stale until new data arrives', async () => {
    const { s } = session(() => sayingAgent('watch', 'nodescope-agent: watch: snapshot failed: Invalid string length'));
    await s.connect();
    assert.equal(s.health.kind, 'live');
    process.kill(s.agent!.info.pid, 'SIGUSR2');
    await until('stale', () => s.health.kind === 'stale', 5000);
    assert.equal((s.health as NodeHealth as { why: string }).why, 'live updates failed: snapshot failed: Invalid string length');
    // New data from the watch is proof it works again.
    const id = docker('run', '-d', '--network', 'none', '--name', `${PREFIX}-c`, 'nodescope-rig/base:1', 'sleep', '300');
    await until('the container in the model', () => s.model.container(id) !== undefined);
    assert.equal(s.health.kind, 'live');
    docker('rm', '-f', id);
    await s.disconnect();
  });
});
