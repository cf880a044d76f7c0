/**
 * The enter terminal's logic with a scripted channel (pure logic: the real pty paths are exercised in
 * test/integration/enterTerminal.test.ts and the end-to-end suite).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'stream';
import { EnterSession, type EnterTarget } from '../../../src/terminal/enterSession';
import type { ExecChannel, ExecOptions } from '../../../src/connection/transport';
import type { EnterPlan } from '../../../server/protocol';

const PLAN: EnterPlan = {
  container: 'c1',
  pid: 42,
  startTime: 1,
  shell: '/bin/sh',
  user: null,
  argv: ['/usr/bin/nsenter', '--target', '42', '--all', '--', '/bin/sh'],
};

class FakeChannel implements ExecChannel {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly typed: string[] = [];
  readonly sizes: [number, number][] = [];
  killed = 0;
  private exit?: (code: number | null, signal: string | null) => void;
  constructor() {
    this.stdin.on('data', (d: Buffer) => this.typed.push(d.toString('latin1')));
  }
  resize(cols: number, rows: number): void {
    this.sizes.push([cols, rows]);
  }
  onExit(l: (code: number | null, signal: string | null) => void): void {
    this.exit = l;
  }
  end(code: number | null, signal: string | null = null): void {
    this.exit!(code, signal);
  }
  kill(): void {
    this.killed++;
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A session whose plan and exec the test resolves by hand. */
function rig(opts: { plan?: Promise<EnterPlan> } = {}) {
  const channel = new FakeChannel();
  const exec = deferred<ExecChannel>();
  const execCalls: { argv: string[]; options: ExecOptions }[] = [];
  const target: EnterTarget = {
    name: 'web',
    plan: () => opts.plan ?? Promise.resolve(PLAN),
    exec: (argv, options) => (execCalls.push({ argv, options }), exec.promise),
  };
  const out: string[] = [];
  const errors: string[] = [];
  let closed = 0;
  const exitCodes: (number | undefined)[] = [];
  const session = new EnterSession(target, {
    write: (t) => out.push(t),
    close: (code) => (closed++, exitCodes.push(code)),
    error: (m) => errors.push(m),
  });
  return { session, channel, exec, execCalls, out, errors, exitCodes, text: () => out.join(''), closed: () => closed };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('enter session', () => {
  it('runs the plan argv in a pty of the terminal size and shows its output', async () => {
    const r = rig();
    const opened = r.session.open({ cols: 120, rows: 40 });
    await tick();
    r.exec.resolve(r.channel);
    await opened;
    assert.deepEqual(r.execCalls, [{ argv: PLAN.argv, options: { pty: { cols: 120, rows: 40, term: 'xterm-256color' } } }]);
    assert.match(r.text(), /entering web through pid 42 \(\/bin\/sh\)/);
    r.channel.stdout.write(Buffer.from('/ # '));
    await tick();
    assert.ok(r.text().endsWith('/ # '));
    assert.deepEqual(r.channel.sizes, [], 'no resize when the size did not change');
  });

  it('decodes a UTF-8 character split across chunks and across stdout/stderr order', async () => {
    const r = rig();
    const opened = r.session.open();
    r.exec.resolve(r.channel);
    await opened;
    const bytes = Buffer.from('größe → 5 €', 'utf8');
    const cut = bytes.indexOf(0xe2) + 2; // inside "→"
    r.channel.stdout.write(bytes.subarray(0, cut));
    await tick();
    r.channel.stdout.write(bytes.subarray(cut));
    await tick();
    assert.ok(r.text().endsWith('größe → 5 €'), JSON.stringify(r.text()));
    assert.ok(!r.text().includes('\ufffd'));
  });

  it('passes input through byte for byte, Ctrl-C included, and queues what is typed while starting', async () => {
    const r = rig();
    const opened = r.session.open();
    await tick();
    r.session.input('ho');
    r.session.input('stname\r');
    r.exec.resolve(r.channel);
    await opened;
    r.session.input('\x03');
    r.session.input('ü');
    await tick();
    assert.deepEqual(r.channel.typed.join(''), 'hostname\r\x03' + Buffer.from('ü').toString('latin1'));
  });

  it('forwards resizes; one made while planning goes into the exec', async () => {
    const plan = deferred<EnterPlan>();
    const r = rig({ plan: plan.promise });
    const opened = r.session.open({ cols: 80, rows: 24 });
    await tick();
    r.session.resize(100, 30);
    plan.resolve(PLAN);
    await tick();
    r.exec.resolve(r.channel);
    await opened;
    assert.deepEqual(r.execCalls[0].options.pty, { cols: 100, rows: 30, term: 'xterm-256color' }, 'the exec already had the new size');
    assert.deepEqual(r.channel.sizes, []);
    r.session.resize(132, 50);
    assert.deepEqual(r.channel.sizes, [[132, 50]]);
  });

  it('a resize while the exec is on its way reaches the pty', async () => {
    const r = rig();
    const opened = r.session.open({ cols: 80, rows: 24 });
    await tick();
    assert.equal(r.execCalls.length, 1);
    r.session.resize(90, 20);
    r.exec.resolve(r.channel);
    await opened;
    assert.deepEqual(r.channel.sizes, [[90, 20]]);
  });

  it('shows the exit code when the shell ends, then closes on the next key (not before)', async () => {
    const r = rig();
    const opened = r.session.open();
    r.exec.resolve(r.channel);
    await opened;
    r.channel.end(3);
    assert.match(r.text(), /\[process exited with code 3; press any key to close\]/);
    assert.equal(r.closed(), 0);
    r.session.input('x');
    assert.equal(r.closed(), 1);
    assert.deepEqual(r.exitCodes, [3], "the shell's code goes to the terminal's exit status");
    assert.deepEqual(r.channel.typed, [], 'the closing key is not sent anywhere');
    r.session.input('y');
    assert.equal(r.closed(), 1, 'closes once');
  });

  it('says which signal ended the process', async () => {
    const r = rig();
    const opened = r.session.open();
    r.exec.resolve(r.channel);
    await opened;
    r.channel.end(null, 'SIGKILL');
    assert.match(r.text(), /ended by SIGKILL/);
    r.session.input('x');
    assert.deepEqual(r.exitCodes, [137], '128 + SIGKILL, as a shell reports it');
  });

  it('a failed plan is one line in a notification and in the terminal, and a key closes it', async () => {
    const r = rig({ plan: Promise.reject(new Error('process 42 of web is gone; refresh and try again\n    at stack')) });
    await r.session.open();
    assert.deepEqual(r.errors, ['process 42 of web is gone; refresh and try again']);
    assert.match(r.text(), /is gone; refresh and try again/);
    assert.doesNotMatch(r.text(), /at stack/);
    assert.equal(r.execCalls.length, 0);
    r.session.input('\r');
    assert.equal(r.closed(), 1);
    assert.deepEqual(r.exitCodes, [undefined], 'nothing ran: no exit code');
  });

  it('a failed exec is reported the same way', async () => {
    const r = rig();
    const opened = r.session.open();
    await tick();
    r.exec.reject(new Error('nsenter: cannot open /proc/42/ns/ipc: No such file or directory'));
    await opened;
    assert.deepEqual(r.errors, ['nsenter: cannot open /proc/42/ns/ipc: No such file or directory']);
  });

  it('closing the terminal kills the process; closed before the exec returned, the shell is killed on arrival', async () => {
    const running = rig();
    const opened = running.session.open();
    running.exec.resolve(running.channel);
    await opened;
    running.session.close();
    assert.equal(running.channel.killed, 1);
    running.channel.stdout.write('late output');
    running.channel.end(0);
    await tick();
    assert.doesNotMatch(running.text(), /late output|exited/, 'nothing is written to a closed terminal');

    const early = rig();
    const opening = early.session.open();
    await tick();
    early.session.close();
    early.exec.resolve(early.channel);
    await opening;
    assert.equal(early.channel.killed, 1);
    assert.deepEqual(early.errors, []);
  });

  it('after the process ended, closing does not kill anything', async () => {
    const r = rig();
    const opened = r.session.open();
    r.exec.resolve(r.channel);
    await opened;
    r.channel.end(0);
    r.session.close();
    assert.equal(r.channel.killed, 0);
  });
});
