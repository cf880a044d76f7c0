import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HandshakeDeadline } from '../../../src/connection/handshakeDeadline';
import type { Interaction } from '../../../src/connection/transport';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An Interaction whose password question takes `ms` to be answered, as a person would. */
function slowPerson(ms: number): Interaction {
  return {
    confirmHostKey: async () => (await sleep(ms), true),
    askPassword: async () => (await sleep(ms), 'pw'),
    askPassphrase: async () => undefined,
    keyboardInteractive: async () => undefined,
    log: () => undefined,
  };
}

describe('handshake deadline', () => {
  it('expires after the timeout when nobody is asked anything', async () => {
    const start = Date.now();
    const expiredAt = await new Promise<number>((r) => new HandshakeDeadline(80, () => r(Date.now())));
    // Lower bound exact; the upper one generous, for a loaded machine's timers.
    assert.ok(expiredAt - start >= 75 && expiredAt - start < 1000, `expired after ${expiredAt - start} ms`);
  });

  it('stops the clock while a person answers, and counts the rest afterwards', async () => {
    let expiredAt = 0;
    let expired: () => void = () => undefined;
    const whenExpired = new Promise<void>((r) => (expired = r));
    const created = Date.now();
    const d = new HandshakeDeadline(300, () => {
      expiredAt = Date.now();
      expired();
    });
    const asking = d.pausingDuring(slowPerson(400));
    await sleep(40);
    const used = Date.now() - created; // machine time before the question
    assert.equal(await asking.askPassword('p'), 'pw', 'the answer passes through');
    const answeredAt = Date.now();
    assert.equal(expiredAt, 0, 'not expired during the 400 ms question (longer than the whole timeout)');
    await whenExpired;
    const after = expiredAt - answeredAt;
    assert.ok(after >= 300 - used - 5 && after < 300 - used + 800, `expired ${after} ms after the answer; ${300 - used} ms were left`);
  });

  it('never fires once cancelled, even if a question ends later', async () => {
    let fired = false;
    const d = new HandshakeDeadline(30, () => (fired = true));
    const asking = d.pausingDuring(slowPerson(50));
    const answer = asking.confirmHostKey({ host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' });
    d.cancel();
    await answer;
    await sleep(60);
    assert.equal(fired, false);
  });
});
