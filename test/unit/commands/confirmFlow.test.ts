/**
 * Dry run → confirm → apply (src/commands/confirmFlow.ts), as Set Limit, Launch and Stop and Remove run
 * it. The agent here is a recorder of requests and the person a scripted answer: this checks the order
 * and contents of what is sent, which is pure logic; the real agent's dry run is tested in
 * test/integration, the modal in the end-to-end suite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LaunchResult } from '../../../server/protocol';
import { CommandFailure } from '../../../src/commands/commandFailure';
import { dryRunConfirmApply, type Change, type ChangeClient, type ChangeUi, type Question } from '../../../src/commands/confirmFlow';

type Sent = { method: string; params: Record<string, unknown> };

function agent(answer: (params: Record<string, unknown>) => unknown): ChangeClient & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    request: async (method, params) => {
      const copy = { ...params } as Record<string, unknown>;
      sent.push({ method, params: copy });
      return answer(copy) as never;
    },
  };
}

function person(yes: boolean): ChangeUi & { asked: Question[]; said: string[] } {
  const asked: Question[] = [];
  const said: string[] = [];
  return {
    asked,
    said,
    ask: async (q) => (asked.push(q), yes),
    inform: (l) => said.push(`inform ${l}`),
    log: (l) => said.push(`log ${l}`),
  };
}

const plan = { name: 'web-test', command: ['sleep', '600'], lowerdirs: ['/l1'], pid: 0, from: { name: 'web' } } as unknown as LaunchResult;

const launch: Change<'launch.start'> = {
  method: 'launch.start',
  request: { from: 'abc', name: 'web-test' },
  failure: 'cannot launch from web',
  question: (p) => ({ message: `Launch ${p.name}?`, detail: p.command.join(' '), button: 'Launch' }),
  pin: (p) => ({ name: p.name, command: p.command, lowerdirs: p.lowerdirs }),
  said: (done) => ({ log: `launch ${done.name}: pid ${done.pid}`, notify: `${done.name} started (pid ${done.pid})` }),
};

describe('dry run, confirm, apply', () => {
  it('asks with what the dry run said; a no sends nothing more', async () => {
    const a = agent(() => plan);
    const p = person(false);
    assert.equal(await dryRunConfirmApply(a, launch, p), undefined);
    assert.deepEqual(a.sent, [{ method: 'launch.start', params: { from: 'abc', name: 'web-test', dryRun: true } }]);
    assert.deepEqual(p.asked, [{ message: 'Launch web-test?', detail: 'sleep 600', button: 'Launch' }]);
    assert.deepEqual(p.said, []);
  });

  it('a yes sends the request again for real, with what the modal showed pinned, then logs and tells', async () => {
    const a = agent((params) => (params.dryRun ? plan : { ...plan, pid: 4242 }));
    const p = person(true);
    const done = await dryRunConfirmApply(a, launch, p);
    assert.equal(done?.pid, 4242);
    assert.equal(a.sent.length, 2);
    assert.deepEqual(
      a.sent[1],
      { method: 'launch.start', params: { from: 'abc', name: 'web-test', command: ['sleep', '600'], lowerdirs: ['/l1'] } },
      'no dryRun on the real request',
    );
    assert.deepEqual(p.said, ['log launch web-test: pid 4242', 'inform web-test started (pid 4242)']);
  });

  it('a refusal, of the dry run or of the change, says what the command was doing', async () => {
    const refused = agent(() => {
      throw new Error('web-test: a container of that name exists');
    });
    await assert.rejects(
      dryRunConfirmApply(refused, launch, person(true)),
      (err: unknown) =>
        err instanceof CommandFailure && err.message === 'cannot launch from web: web-test: a container of that name exists',
    );
    assert.equal(refused.sent.length, 1, 'nothing asked after a refused dry run');
    const late = agent((params) => {
      if (params.dryRun) return plan;
      throw new Error('runc: exit status 1');
    });
    const p = person(true);
    await assert.rejects(dryRunConfirmApply(late, launch, p), /^CommandFailure: cannot launch from web: runc: exit status 1$/);
    assert.deepEqual(p.said, [], 'no success said for a change that failed');
  });
});
