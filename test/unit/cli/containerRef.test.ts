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

  it('lists the candidates of an ambiguous prefix', () => {
    assert.throws(
      () => resolveContainer(s, 'a'),
      (e: any) => e.code === ErrorCodes.Ambiguous && /"a" matches 2 containers \(alpha, beta\); give more of the id/.test(e.message),
    );
  });

  it('says what it accepts when nothing matches', () => {
    for (const ref of ['gamma', 'b', alpha.id + '0', 'ALPHA']) {
      assert.throws(() => resolveContainer(s, ref), (e: any) => e.code === ErrorCodes.NotFound && e.message === `no container "${ref}" on this node (give an id, a unique id prefix, or a name)`, ref);
    }
  });

  it('prefers an exact name over an id prefix that happens to match it', () => {
    const t = sampleSnapshot();
    t.containers[1].name = 'a1';
    assert.equal(resolveContainer(t, 'a1'), t.containers[1]);
  });
});
