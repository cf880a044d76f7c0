/**
 * The agent's params check: the validators generated from protocol.ts refuse what the types do not
 * allow, with InvalidParams and one line naming the field in the words the hand checks used. Pure logic
 * over the generated files (the agent's own answers are checked in test/integration/agent*.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkParams } from '../../server/paramsCheck';
import { AgentError } from '../../server/agentError';
import { ErrorCodes } from '../../server/protocol';

function refusalOf(method: string, params: unknown): AgentError {
  try {
    checkParams(method, params);
  } catch (e) {
    if (e instanceof AgentError) return e;
    throw e;
  }
  throw new Error(`${method} ${JSON.stringify(params)} was accepted`);
}

describe('checkParams', () => {
  it('accepts params the types allow', () => {
    for (const [m, p] of [
      ['layer.scan', { path: '/var/lib' }],
      ['whence', { container: 'web', path: 'relative is for the method to refuse' }],
      ['pagecache', { target: 'web', top: 0 }],
      ['enter.plan', { container: 'web', shell: '', command: ['sh', '-c', 'id'] }],
      ['limit.set', { container: 'web', memoryBytes: null, cpus: 0.5, dryRun: true }],
      ['launch.start', { from: 'web', tmpfs: [{ path: '/tmp', sizeBytes: 1024 }], future: 'a field a newer client sends' }],
      ['snapshot', {}],
    ] as const) {
      assert.doesNotThrow(() => checkParams(m, p), `${m} ${JSON.stringify(p)}`);
    }
  });

  it('refuses the wrong type, a missing field, an empty subject and a negative count, naming the field', () => {
    const cases: [string, unknown, string][] = [
      ['layer.scan', { path: 42 }, '"path" must be a non-empty string'],
      ['layer.scan', {}, '"path" must be a non-empty string'],
      ['whence', { container: '', path: '/' }, '"container" must be a non-empty string'],
      ['pagecache', { target: 'web', top: -1 }, '"top" must be a non-negative integer'],
      ['enter.options', { container: 'web', pid: 1.5 }, '"pid" must be a non-negative integer'],
      ['enter.plan', { container: 'web', command: 'sh' }, '"command" must be an array of strings'],
      ['layers.list', { target: 'web', merged: 'yes' }, '"merged" must be true or false'],
      ['limit.set', { container: 'web', memoryBytes: '1G' }, '"memoryBytes" must be a number or null'],
      ['launch.start', { from: 'web', tmpfs: [{ path: '/tmp' }] }, '"tmpfs[0].sizeBytes" must be a number'],
      ['whence', [], 'the params of whence must be an object'],
      ['snapshot', { all: true }, 'snapshot takes no "all"'],
    ];
    for (const [m, p, message] of cases) {
      const e = refusalOf(m, p);
      assert.equal(e.code, ErrorCodes.InvalidParams, `${m} ${JSON.stringify(p)}`);
      assert.equal(e.message, message);
    }
  });

  it('keeps a refusal one bounded line whatever the client named, and answers a 50 MB subject at once', () => {
    const e = refusalOf('snapshot', { [`a\n${'x'.repeat(100_000)}`]: 1 });
    assert.doesNotMatch(e.message, /\n/);
    assert.ok(e.message.length < 400, `${e.message.length}`);
    const t = Date.now();
    checkParams('layer.scan', { path: `/${'x'.repeat(50 * 1024 * 1024)}` });
    assert.ok(Date.now() - t < 200, `${Date.now() - t} ms`);
  });

  it('refuses a method it has no schema for (an own property of the validators only)', () => {
    assert.equal(refusalOf('toString', {}).code, ErrorCodes.InternalError);
    assert.equal(refusalOf('no.such', {}).code, ErrorCodes.InternalError);
  });
});
