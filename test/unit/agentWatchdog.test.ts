/**
 * The watchdog thread names what the main thread is stuck on, from another thread, while the main thread
 * is blocked (a futex wait here, as in a FIFO's open): the innermost label of the work in progress, the
 * outer one again once inner work has ended; one line at the deadline, then an exit with EX_TEMPFAIL at
 * the hard limit. Each case runs in a child process of its own: the watchdog ends the whole process.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'child_process';
import { once } from 'events';
import * as path from 'path';

const repo = path.resolve(__dirname, '..', '..');

/**
 * Runs `body` (JS, with `during` and `block(ms)` in scope) under a watchdog of stuckMs 1000, exitMs 2500,
 * its stdin a pipe held open (a closed one is a closed channel: the watchdog would end it for that).
 */
async function underWatchdog(body: string): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const code = `
    const { during } = require('./server/activity');
    const { startWatchdog } = require('./server/agentWatchdog');
    startWatchdog({ stuckMs: 1000, exitMs: 2500, requireFrom: require.resolve('./server/agentWatchdog') });
    const block = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    setTimeout(() => { ${body} }, 200);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: repo, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [status, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  child.stdin.destroy();
  return { status, signal, stderr };
}

describe('the agent watchdog', () => {
  it('names the innermost work the main thread is stuck in, once, then exits 75 at the hard limit', async () => {
    const r = await underWatchdog(`during('answering snapshot', () => during('reading mount table of pid 4242', () => block(60000)));`);
    assert.equal(r.signal, null, 'ended by the watchdog, not by the test timeout');
    assert.equal(r.status, 75, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('nodescope-agent: stuck'));
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^nodescope-agent: stuck 1 s: reading mount table of pid 4242$/);
    assert.match(
      lines[1],
      /^nodescope-agent: stuck [23] s: reading mount table of pid 4242; exiting so that the client starts a new agent$/,
    );
  });

  it('names the outer work again once the inner work has ended', async () => {
    const r = await underWatchdog(
      `during('answering whence (container web)', () => { during('reading mount table of pid 1', () => 0); block(60000); });`,
    );
    assert.equal(r.status, 75, r.stderr);
    assert.match(r.stderr, /stuck 1 s: answering whence \(container web\)\n/);
    assert.doesNotMatch(r.stderr, /mount table/);
  });

  it('says nothing about work that ends before the deadline, nor between requests', async () => {
    const r = await underWatchdog(
      `during('answering snapshot', () => block(600)); during('answering snapshot', () => block(600)); block(1800); process.exit(0);`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /stuck/);
  });

  it('masks control characters in a label, so a path from a container cannot forge a line', async () => {
    const r = await underWatchdog(`during('opening /tmp/x\\nnodescope-agent: forged\\u001b[31m', () => block(60000));`);
    assert.match(r.stderr, /stuck 1 s: opening \/tmp\/x\?nodescope-agent: forged\?\[31m\n/);
  });
});
