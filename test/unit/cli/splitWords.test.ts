import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitWords } from '../../../src/cli/containerOptions';

describe('a command typed in the editor, split as a shell splits a simple command', () => {
  it('keeps quoted words whole, without their quotes', () => {
    assert.deepEqual(splitWords(`sh -c 'sleep 600; echo "done"'`), ['sh', '-c', 'sleep 600; echo "done"']);
    assert.deepEqual(splitWords(`echo "a \\"b\\" \\$HOME" c\\ d ''`), ['echo', 'a "b" $HOME', 'c d', '']);
    assert.deepEqual(splitWords('  sleep   60  '), ['sleep', '60']);
    assert.deepEqual(splitWords(''), []);
  });

  it('refuses an open quote instead of guessing', () => {
    assert.throws(() => splitWords(`sh -c 'sleep`), /a ' is not closed/);
    assert.throws(() => splitWords('echo "x'), /a " is not closed/);
  });
});
