/** The agent's CONTAINER argument: full id, name, or unique id prefix; anything else one clear line. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveContainer } from '../../../server/methods';
import { ErrorCodes } from '../../../server/protocol';
import { sampleSnapshot } from './sampleSnapshot';

const s = sampleSnapshot();
const [alpha, beta] = s.containers;

describe('resolving a container reference', () => {
  it('takes a full id, a name, or a unique id prefix', () => {
    assert.equal(resolveContainer(s, alpha.id), alpha);
    assert.equal(resolveContainer(s, 'beta'), beta);
    assert.equal(resolveContainer(s, 'a2'), beta);
    assert.equal(resolveContainer(s, alpha.id.slice(0, 12)), alpha);
  });

  it('lists the candidates of an ambiguous prefix, by name, short id and engine', () => {
    assert.throws(
      () => resolveContainer(s, 'a'),
      (e: Error & { code?: number }) =>
        e.code === ErrorCodes.Ambiguous &&
        e.message === '"a" matches 2 containers: alpha (id a10000000000, docker), beta (id a20000000000, docker); give more of the id',
    );
  });

  it('never picks one of two containers with the same name', () => {
    const t = sampleSnapshot();
    t.containers[1].name = 'alpha';
    t.containers[1].runtime = 'kubernetes';
    assert.throws(
      () => resolveContainer(t, 'alpha'),
      (e: Error & { code?: number }) =>
        e.code === ErrorCodes.Ambiguous &&
        e.message ===
          '"alpha" names 2 containers: alpha (id a10000000000, docker), alpha (id a20000000000, kubernetes); give more of the id',
    );
    assert.equal(resolveContainer(t, 'a2'), t.containers[1], 'an id prefix still picks one');
  });

  it('says what it accepts when nothing matches', () => {
    for (const ref of ['gamma', 'b', alpha.id + '0', 'ALPHA']) {
      assert.throws(
        () => resolveContainer(s, ref),
        (e: Error & { code?: number }) =>
          e.code === ErrorCodes.NotFound && e.message === `no container "${ref}" on this node (give an id, a unique id prefix, or a name)`,
        ref,
      );
    }
  });

  it('prefers an exact name over an id prefix that happens to match it', () => {
    const t = sampleSnapshot();
    t.containers[1].name = 'a1';
    assert.equal(resolveContainer(t, 'a1'), t.containers[1]);
  });
});
