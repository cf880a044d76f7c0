// The explorer's path filter (server/layers/pathPattern.ts) against a RegExp built independently from the
// same glob, on thousands of random globs and paths over a small alphabet, globs up to 120 tokens long so
// that the matcher's bit sets span several 32-bit words (a carry lost between words would show here).
// The matcher steps bit sets rather than backtracking: names come from the node, patterns from a filter
// box, and `*a*a*a…` over long names must stay linear (its speed is in the commit, not asserted here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathTest } from '../../server/layers/pathPattern';

/** The glob as a RegExp, written from the pattern's documented meaning: `*` within a component, `**` across, `?` one character but `/`. */
function reference(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length;) {
    if (glob[i] === '*') {
      let n = 0;
      for (; glob[i] === '*'; i++) n++;
      re += n > 1 ? '.*' : '[^/]*';
    } else if (glob.startsWith('[!a]', i)) {
      re += '[^a/]';
      i += 4;
    } else if (glob.startsWith('[]a]', i)) {
      re += '[\\]a]';
      i += 4;
    } else if (glob.startsWith('[ab]', i)) {
      re += '[ab]';
      i += 4;
    } else {
      re += glob[i] === '?' ? '[^/]' : glob[i];
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s % n);
}

const PIECES = ['a', 'b', ']', '/', '?', '*', '**', '[ab]', '[!a]', '[]a]'];

test('random globs over random paths match as the RegExp written from their meaning', () => {
  const rand = random(7);
  let matched = 0;
  for (let i = 0; i < 3000; i++) {
    // Mostly literal characters in the long ones: a backtracking RegExp of many stars is what the matcher avoids.
    const long = i % 10 === 0;
    const tokens = Array.from({ length: 1 + rand(long ? 120 : 8) }, () => PIECES[long && rand(4) ? rand(3) : rand(PIECES.length)]);
    const glob = tokens.join('');
    if (!/[*?[]/.test(glob)) continue; // a substring, not a glob
    const test = pathTest(glob);
    const re = reference(glob);
    for (let j = 0; j < 20; j++) {
      const abs = `/${Array.from({ length: rand(long ? 140 : 12) }, () => 'ab/]'[rand(4)]).join('')}`;
      const name = abs.slice(abs.lastIndexOf('/') + 1);
      const want = glob.includes('/') ? re.test(abs) : re.test(name);
      assert.equal(test(abs, name), want, `${JSON.stringify(glob)} on ${JSON.stringify(abs)}`);
      if (want) matched++;
    }
  }
  assert.ok(matched > 1000, `${matched} matches: the random cases reach both answers`);
});

test('positions across 32-bit words: a star at position 31, a match ending at position 64', () => {
  const glob = `${'a'.repeat(31)}*${'b'.repeat(32)}?`;
  assert.equal(pathTest(glob)('/x', `${'a'.repeat(31)}zz${'b'.repeat(32)}c`), true);
  assert.equal(pathTest(glob)('/x', `${'a'.repeat(31)}zz${'b'.repeat(31)}c`), false);
  assert.equal(pathTest(glob)('/x', `${'a'.repeat(31)}${'b'.repeat(32)}c`), true);
});

test('a star stays within a component, ** crosses them; a class never takes /', () => {
  assert.equal(pathTest('/usr/*.so')('/usr/lib/a.so', 'a.so'), false);
  assert.equal(pathTest('/usr/**.so')('/usr/lib/a.so', 'a.so'), true);
  assert.equal(pathTest('/usr[!a]lib')('/usr/lib', 'lib'), false);
  assert.equal(pathTest('*.so')('/usr/lib/a.so', 'a.so'), true);
});
