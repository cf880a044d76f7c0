/**
 * The agent process (dist/agent.js) spoken to directly over JSON-RPC, as the extension and the CLI do:
 * its lifetime, the handshake, its own validation of requests, change notifications, and the checks that
 * run before an "enter" (process gone, zombie, PID reused, no shell in the image). Facts come from
 * docker inspect and /proc read here, never from the agent's own answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { inCI, probes, rigUp, skipUnlessReal } from '../support/real';
import { CHANGED_NOTIFICATION, ErrorCodes, PROTOCOL_VERSION, type ChangedNotification, type ContainerInfo } from '../../server/protocol';
import { planEnter } from '../../server/act/enter';

const repo = path.resolve(__dirname, '..', '..');
const agent = path.join(repo, 'dist', 'agent.js');
const cli = path.join(repo, 'dist', 'cli.js');
const built = (): string | null => (fs.existsSync(agent) && fs.existsSync(cli) ? null : 'needs dist/ (npm run build)');
const skip = skipUnlessReal(probes.root, probes.docker, built);

const inspect = (name: string, fmt: string): string => execFileSync('docker', ['inspect', '-f', fmt, name], { encoding: 'utf8' }).trim();
const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleepMs(50);
  }
}

/** An agent of our own on pipes, with a raw JSON-RPC connection (no client library in between). */
function rawAgent(env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; rpc: MessageConnection; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [agent], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  rpc.listen();
  return { child, rpc, exited };
}
const hello = (rpc: MessageConnection, watchIntervalMs?: number): Promise<unknown> =>
  rpc.sendRequest('initialize', { clientVersion: 'test', protocolVersion: PROTOCOL_VERSION, watchIntervalMs });

/** The error a request is answered with: its code and its one-line message. */
async function refusal(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const { code, message } = e as { code: number; message: string };
    assert.doesNotMatch(message, /\n/, 'one line');
    return { code, message };
  }
  throw new Error('the request was answered, not refused');
}

/** PIDs of processes whose environment carries `mark` (read from /proc, as ps e would). */
function processesMarked(mark: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!fs.readFileSync(`/proc/${d}/environ`).includes(mark)) continue;
      found.push({ pid: Number(d), cmdline: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      /* exited while we looked: fine */
    }
  }
  return found;
}

const own = `nodescope-h4-${process.pid}`;
const mine: string[] = [];
function runContainer(suffix: string, ...args: string[]): string {
  const name = `${own}-${suffix}`;
  mine.push(name);
  execFileSync('docker', ['run', '-d', '--name', name, '--network', 'none', '--label', 'nodescope.test=1', ...args], { stdio: 'ignore' });
  return name;
}

describe('the agent process', { skip }, () => {
  before(() => rigUp());
  after(() => {
    for (const name of mine) spawnSync('docker', ['rm', '-f', name]);
  });

  it('exits within 2 s when its stdin closes', async () => {
    const { child, exited } = rawAgent();
    await new Promise((r) => child.stderr!.once('data', r));
    const t0 = Date.now();
    child.stdin!.end();
    const code = await Promise.race([exited, sleepMs(2000).then(() => 'still running')]);
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(fs.existsSync(`/proc/${child.pid}`), false);
  });

  it('leaves no agent behind when the CLI returns, whether it succeeded, failed or entered', () => {
    const mark = `NODESCOPE_H4_MARK=${process.pid}-${Date.now()}`;
    const env = { ...process.env, NODESCOPE_H4_MARK: mark.split('=')[1] };
    const runs: [string[], number][] = [
      [['snapshot', '--json'], 0],
      [['whence', 'no-such-container', '/etc'], 1],
      [['enter', 'nodescope-rig-limited', '--', 'true'], 0],
    ];
    // Control: the mark does reach what the CLI starts (else the check below could never fail).
    const env0 = spawnSync(process.execPath, [cli, 'enter', 'nodescope-rig-limited', '--', 'env'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.ok(env0.stdout.includes(mark), env0.stderr);
    for (const [args, code] of runs) {
      const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 60_000 });
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(processesMarked(mark), [], `left behind after ${args.join(' ')}`);
    }
  });

  it('refuses everything before the handshake and a protocol it does not speak, in one line', async () => {
    const { rpc, child, exited } = rawAgent();
    assert.deepEqual(await refusal(rpc.sendRequest('snapshot', {})), {
      code: ErrorCodes.InvalidParams,
      message: 'call initialize before snapshot',
    });
    const mismatch = await refusal(rpc.sendRequest('initialize', { protocolVersion: 999, clientVersion: 'x' }));
    assert.equal(mismatch.code, ErrorCodes.VersionMismatch);
    assert.match(mismatch.message, /agent speaks protocol 1, client 999/);
    child.stdin!.end();
    await exited;
  });

  it('validates every request itself', async () => {
    const { rpc, child, exited } = rawAgent();
    await hello(rpc);
    const cases: [string, unknown, number, RegExp][] = [
      ['layer.scan', { path: 'var/lib' }, ErrorCodes.InvalidParams, /"path" must be an absolute path, got "var\/lib"/],
      ['layer.scan', { path: 42 }, ErrorCodes.InvalidParams, /"path" must be a non-empty string/],
      ['layer.scan', { path: '/etc/hostname' }, ErrorCodes.InvalidParams, /not a directory: \/etc\/hostname/],
      ['layer.scan', { path: `/no/such/${process.pid}` }, ErrorCodes.NotFound, /no such directory/],
      ['whence', { container: 'nodescope-rig-limited' }, ErrorCodes.InvalidParams, /"path" must be a non-empty string/],
      ['whence', { container: 'nodescope-rig-limited', path: 'data/gone' }, ErrorCodes.InvalidParams, /must be an absolute path/],
      ['whence', { container: `none-${process.pid}`, path: '/' }, ErrorCodes.NotFound, /no container "none-\d+" on this node/],
      ['pagecache', { target: '/etc/hostname' }, ErrorCodes.InvalidParams, /not a directory: \/etc\/hostname/],
      ['pagecache', { target: `/no/such/${process.pid}` }, ErrorCodes.NotFound, /no such directory/],
      ['pagecache', { target: 'nodescope-rig-limited', top: -1 }, ErrorCodes.InvalidParams, /"top" must be a non-negative integer/],
      [
        'enter.plan',
        { container: 'nodescope-rig-limited', command: 'sh' },
        ErrorCodes.InvalidParams,
        /"command" must be an array of strings/,
      ],
      ['enter.plan', { container: 'nodescope-rig-limited', pid: 'one' }, ErrorCodes.InvalidParams, /"pid" must be a non-negative integer/],
      ['frobnicate', {}, ErrorCodes.MethodNotFound, /unknown method "frobnicate"/],
      // Refused by the schema generated from protocol.ts, before the method looks for the container.
      [
        'limit.set',
        { container: `none-${process.pid}`, memoryBytes: '1G' },
        ErrorCodes.InvalidParams,
        /^"memoryBytes" must be a number or null$/,
      ],
      [
        'launch.start',
        { from: `none-${process.pid}`, tmpfs: [{ path: '/tmp' }] },
        ErrorCodes.InvalidParams,
        /^"tmpfs\[0\]\.sizeBytes" must be a number$/,
      ],
      ['layers.list', { target: '' }, ErrorCodes.InvalidParams, /^"target" must be a non-empty string$/],
    ];
    for (const [method, params, code, msg] of cases) {
      const r = await refusal(rpc.sendRequest(method, params));
      assert.equal(r.code, code, `${method} ${JSON.stringify(params)}: ${r.message}`);
      assert.match(r.message, msg);
    }
    child.stdin!.end();
    await exited;
  });

  it('pushes a notification upserting a container that starts, and one removing it when it goes', async () => {
    const { rpc, child, exited } = rawAgent();
    const notes: ChangedNotification[] = [];
    rpc.onNotification(CHANGED_NOTIFICATION, (n: ChangedNotification) => void notes.push(n));
    await hello(rpc, 300);
    const name = runContainer('watch', 'nodescope-rig/base:1', 'sleep', '300');
    const id = inspect(name, '{{.Id}}');
    const up = await until('a notification upserting it', () => notes.flatMap((n) => n.containersUpserted).find((c) => c.id === id));
    assert.equal(up.name, name);
    assert.equal(up.initPid, Number(inspect(name, '{{.State.Pid}}')));
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    await until('a notification removing it', () => notes.some((n) => n.containersRemoved.includes(id)));
    const seqs = notes.map((n) => n.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0] + i),
      'seq increases by one',
    );
    child.stdin!.end();
    await exited;
  });

  it('answers Gone for an enter through a process that exited after the snapshot', async () => {
    const name = runContainer('gone', 'nodescope-rig/base:1', 'sh', '-c', 'sleep 1000 & sleep 1000 & wait');
    const init = Number(inspect(name, '{{.State.Pid}}'));
    const kids = await until('the sleeps', () => {
      const k = fs.readFileSync(`/proc/${init}/task/${init}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      return k.length === 2 && k;
    });
    const { rpc, child, exited } = rawAgent();
    await hello(rpc);
    await rpc.sendRequest('snapshot', {}); // the agent now knows the sleep's PID and start time
    process.kill(kids[0], 'SIGKILL');
    await until('the shell to reap it', () => !fs.existsSync(`/proc/${kids[0]}`));
    const r = await refusal(rpc.sendRequest('enter.plan', { container: name, pid: kids[0], command: ['true'] }));
    assert.equal(r.code, ErrorCodes.Gone, r.message);
    assert.match(r.message, new RegExp(`${kids[0]}.*refresh and try again`));
    // The other one is still there, and entering through it works.
    const plan = await rpc.sendRequest<{ argv: string[] }>('enter.plan', { container: name, pid: kids[1], command: ['true'] });
    assert.deepEqual(plan.argv.slice(1, 4), ['--target', String(kids[1]), '--all']);
    child.stdin!.end();
    await exited;
  });

  it('records each enter it plans in the audit log, and still plans when the log cannot be written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-h4-audit-'));
    const log = path.join(dir, 'sub', 'audit.log');
    try {
      const { rpc, child, exited } = rawAgent({ ...process.env, NODESCOPE_AUDIT_LOG: log, SUDO_USER: 'alice' });
      await hello(rpc);
      const plan = await rpc.sendRequest<{ argv: string[] }>('enter.plan', { container: 'nodescope-rig-limited', command: ['hostname'] });
      const records = fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(records.length, 1);
      assert.equal(records[0].action, 'enter');
      assert.deepEqual(records[0].container, { id: inspect('nodescope-rig-limited', '{{.Id}}'), name: 'nodescope-rig-limited' });
      assert.equal(records[0].pid, Number(inspect('nodescope-rig-limited', '{{.State.Pid}}')));
      assert.deepEqual(records[0].argv, plan.argv);
      assert.equal(records[0].sudoUser, 'alice');
      assert.equal(records[0].clientVersion, 'test');
      child.stdin!.end();
      await exited;

      // A log under a regular file can never be created: the plan still comes, the reason goes to stderr.
      const blocked = rawAgent({ ...process.env, NODESCOPE_AUDIT_LOG: '/etc/hostname/audit.log' });
      let stderr = '';
      blocked.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await hello(blocked.rpc);
      await blocked.rpc.sendRequest('enter.plan', { container: 'nodescope-rig-limited', command: ['true'] });
      blocked.child.stdin!.end();
      await blocked.exited;
      assert.match(stderr, /audit log \/etc\/hostname\/audit\.log not written \((ENOTDIR|EEXIST)\): \{.*"action":"enter"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says there is no shell in an image without one, and runs a command given instead', () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-h4-noshell-'));
    const image = `nodescope-h4/noshell:${process.pid}`;
    try {
      // busybox at the image's root only: it runs applets when called as `busybox`, and no shell path leads to it.
      fs.copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
      fs.chmodSync(path.join(ctx, 'busybox'), 0o755);
      fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY busybox /busybox\n');
      execFileSync('docker', ['build', '-q', '-t', image, ctx], { stdio: 'ignore', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
      const name = runContainer('noshell', image, '/busybox', 'sleep', '300');
      assert.equal(inspect(name, '{{.State.Running}}'), 'true');
      const bare = spawnSync(process.execPath, [cli, 'enter', name], { input: '', encoding: 'utf8', timeout: 60_000 });
      assert.equal(bare.status, 1);
      assert.equal(
        bare.stderr,
        `nodescope: no shell in ${name}'s root (tried /bin/bash, /usr/bin/bash, /bin/sh, /usr/bin/sh, /bin/ash, /bin/busybox); a debug shell brings its own (nodescope debug ${name}, or Debug Shell… in the editor), or pass a command to run\n`,
      );
      const cmd = spawnSync(process.execPath, [cli, 'enter', name, '--', '/busybox', 'cat', '/proc/1/cmdline'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(cmd.status, 0, cmd.stderr);
      assert.equal(cmd.stdout, '/busybox\0sleep\0' + '300\0', "PID 1 of the container's pid namespace is its sleep");
    } finally {
      spawnSync('docker', ['rm', '-f', `${own}-noshell`]);
      spawnSync('docker', ['rmi', '-f', image]);
      fs.rmSync(ctx, { recursive: true, force: true });
    }
  });
});

describe('enter planning against live processes', { skip }, () => {
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill('SIGKILL')));
  const container = (pids: number[]): ContainerInfo => ({ id: 'x', name: 'proc-test', initPid: pids[0], pids }) as ContainerInfo;
  const startOf = (pid: number): number =>
    Number(
      fs
        .readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[19],
    );
  const refused = (fn: () => unknown): { code: number; message: string } => {
    try {
      fn();
    } catch (e) {
      return e as { code: number; message: string };
    }
    throw new Error('planned, not refused');
  };

  it('refuses a zombie (no namespaces left to enter) and a reused PID', async () => {
    // sh starts `sleep 0` and becomes `sleep 30`, which never reaps it: a zombie we can point at.
    const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30']);
    children.push(parent);
    const zombie = await until('a zombie', () => {
      const kids = fs
        .readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return kids.find((k) => fs.readFileSync(`/proc/${k}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'Z');
    });
    const z = refused(() => planEnter(container([zombie]), new Map(), { pid: zombie, command: ['true'] }));
    assert.equal(z.code, ErrorCodes.Gone);
    assert.equal(z.message, `process ${zombie} of proc-test is gone; refresh and try again`);

    const live = parent.pid!;
    const start = startOf(live);
    const reused = refused(() => planEnter(container([live]), new Map([[live, start - 1]]), { pid: live, command: ['true'] }));
    assert.equal(reused.code, ErrorCodes.Gone);
    assert.match(reused.message, /exited and its PID was reused/);
    const plan = planEnter(container([live]), new Map([[live, start]]), { pid: live, command: ['true'] });
    assert.equal(plan.startTime, start);
  });
});

if (inCI && skip) throw new Error(`agent suite cannot run in CI: ${skip}`);
