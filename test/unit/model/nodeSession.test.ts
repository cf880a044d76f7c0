/**
 * The connection state machine of one node: joining a connect under way, a disconnect that lands while
 * connecting, and reconnect backoff limits. Pure logic: the transport is opened by the test, so no agent
 * runs (the agent handshake over real transports is covered by the integration suite).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'stream';
import type { AgentTransport } from '../../../src/connection/transport';
import { NodeSession, type SessionOptions } from '../../../src/model/nodeSession';

const opts = (o: Partial<SessionOptions> = {}): SessionOptions => ({
  watchIntervalMs: 0,
  maxReconnectAttempts: 0,
  clientVersion: 'test',
  baseDelayMs: 5,
  ...o,
});

/** A transport nobody answers on; records whether the session closed it. */
function silentTransport(): AgentTransport & { closed: boolean } {
  const t = {
    reader: new PassThrough(),
    writer: new PassThrough(),
    description: 'test',
    closed: false,
    onClose: () => undefined,
    exec: () => Promise.reject(new Error('no exec')),
    close: async () => void (t.closed = true),
  };
  return t;
}

describe('node session', () => {
  it('a failed connect leaves the node disconnected with the first line of the reason', async () => {
    const s = new NodeSession('x', 'x', 'ssh', () => Promise.reject(new Error('connection refused\nstack')), opts());
    await assert.rejects(s.connect(), /connection refused/);
    assert.equal(s.state, 'disconnected');
    assert.equal(s.reason, 'connection refused');
  });

  it('a second Connect while one is under way joins it instead of opening another transport', async () => {
    let opens = 0;
    const s = new NodeSession(
      'x',
      'x',
      'ssh',
      async () => {
        opens++;
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('host unreachable');
      },
      opts(),
    );
    const results = await Promise.allSettled([s.connect(), s.connect()]);
    assert.equal(opens, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
  });

  it('Disconnect while the transport is opening closes it when it arrives (no agent left running)', async () => {
    const t = silentTransport();
    let arrive!: () => void;
    const s = new NodeSession('x', 'x', 'ssh', () => new Promise((r) => (arrive = () => r(t))), opts());
    const connecting = s.connect();
    assert.equal(s.state, 'connecting');
    await s.disconnect();
    arrive();
    await connecting;
    assert.equal(t.closed, true);
    assert.equal(s.state, 'disconnected');
    assert.equal(s.agent, null);
  });

  it('reconnects after a drop with growing delays, at most maxAttempts times, and Disconnect stops it', async () => {
    const logs: string[] = [];
    let opens = 0;
    const s = new NodeSession(
      'x',
      'x',
      'ssh',
      async (reconnecting) => {
        opens++;
        assert.equal(reconnecting, opens > 1);
        throw new Error('down');
      },
      opts({ maxReconnectAttempts: 2, log: (_l, m) => logs.push(m) }),
    );
    // A drop is what schedules retries; a first Connect that fails does not (the user sees it fail).
    await assert.rejects(s.connect());
    (s as unknown as { scheduleRetry(): void }).scheduleRetry();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(opens, 3, 'the first try and two retries');
    assert.deepEqual(
      logs.filter((m) => m.includes('reconnecting in')).map((m) => m.replace(/.*\(/, '(')),
      ['(attempt 1 of 2)', '(attempt 2 of 2)'],
    );
    await s.disconnect();
  });

  it('health: a failed first connect is failed; while a retry is pending it is restarting, never failed, until the attempts run out', async () => {
    const s = new NodeSession('x', 'x', 'ssh', () => Promise.reject(new Error('down')), opts({ maxReconnectAttempts: 2 }));
    await assert.rejects(s.connect());
    assert.deepEqual(s.health, { kind: 'failed', since: null, error: 'down' });
    const seen: string[] = [];
    s.onDidChangeState(() => seen[seen.length - 1] !== s.health.kind && seen.push(s.health.kind));
    (s as unknown as { retryOrGiveUp(reason: string): void }).retryOrGiveUp('connection lost');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(seen, ['restarting', 'failed']);
    assert.deepEqual(s.health, { kind: 'failed', since: null, error: 'down (gave up after 2 retries)' });
    await s.disconnect();
    assert.deepEqual(s.health, { kind: 'off' });
  });

  it('no retry after Disconnect', async () => {
    let opens = 0;
    const s = new NodeSession(
      'x',
      'x',
      'ssh',
      async () => {
        opens++;
        throw new Error('down');
      },
      opts({ maxReconnectAttempts: 5 }),
    );
    await assert.rejects(s.connect());
    (s as unknown as { scheduleRetry(): void }).scheduleRetry();
    await s.disconnect();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(opens, 1);
  });
});
