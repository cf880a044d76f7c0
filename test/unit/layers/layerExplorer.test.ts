// layers.explore on plain directory trees standing in for layers (AUFS-style marks, no root needed):
// pages cut from one sorted, filtered listing, totals and per-mark counts, hasChildren, changes only,
// the path pattern (glob and substring), and parameters refused in one line. The kernel's marks on
// Docker's and containerd's real layers are checked in test/integration/layerExplore.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerStack } from '../../../server/layers/layerStack';
import { explore as explorePage } from '../../../server/layers/layerExplorer';
import type { LayerExploreParams } from '../../../server/protocol';
import { pathTest } from '../../../server/layers/pathPattern';
import { WalkBudget } from '../../../server/layers/walk';
import { fixtureTree } from '../../support/fixtureTree';

function stack(t: { after: (fn: () => void) => void }, many = 0): LayerStack {
  const big: Record<string, string> = {};
  for (let i = 0; i < many; i++) big[`big/f${String(i).padStart(5, '0')}`] = '';
  const top = fixtureTree(t, 'ns-ex-top-', {
    '.wh.gone': '',
    'd/.wh..wh..opq': '',
    'd/new': 'n',
    'e/f': 'new f',
    'e/lib.so': 'x',
    'empty/.wh.z': '',
    ...big,
  });
  const lower = fixtureTree(t, 'ns-ex-lower-', {
    gone: '12345',
    'd/old': '1234',
    'e/f': 'f',
    'e/g': 'g',
    'e/sub/x.so': 'y',
    'empty/z': 'z',
    keep: 'k',
    'usr/lib/a.so': 'a',
    'usr/lib/b.txt': 'b',
  });
  const layer = (index: number, dir: string) => ({
    index,
    dir,
    role: 'lower' as const,
    origin: null,
    createdBy: null,
    emptyHistory: [],
    usedBy: [],
  });
  return {
    target: { kind: 'image', id: `test-${top}`, name: 'test' },
    layers: [layer(0, top), layer(1, lower)],
    prefixes: ['trusted.overlay.'],
    problems: [],
  };
}
/** A page of the stack's view; the target named by the top layer's directory, unique to the test. */
const explore = (s: LayerStack, p: Omit<LayerExploreParams, 'target'>) => explorePage({ ...p, target: s.layers[0].dir }, () => s);
const names = (p: { entries: { name: string; mark: string; hasChildren: boolean }[] }) =>
  p.entries.map((e) => `${e.mark} ${e.name}${e.hasChildren ? '/' : ''}`);

test('the merged view of / with marks, per-mark counts and which directories have anything in them', (t) => {
  const p = explore(stack(t), { path: '/' });
  // empty/ holds z below and a whiteout of it above: nothing shows in the merged view.
  assert.deepEqual(names(p), ['M d/', 'M e/', 'M empty', 'R gone', 'U keep', 'U usr/']);
  assert.deepEqual([p.total, p.unfiltered, p.marks], [6, 6, { A: 0, M: 3, R: 1, U: 2 }]);
  // The layer alone: empty/ has its whiteout, which the layer's own view lists as R.
  assert.deepEqual(names(explore(stack(t), { path: '/', merged: false })), ['M d/', 'M e/', 'M empty/', 'R gone']);
});

test('pages are consecutive slices of one sorted list; the total is the whole directory', (t) => {
  const s = stack(t, 2500);
  const seen: string[] = [];
  for (let offset = 0; ; offset += 700) {
    const p = explore(s, { path: '/big', offset, limit: 700 });
    assert.equal(p.total, 2500);
    if (!p.entries.length) break;
    seen.push(...p.entries.map((e) => e.name));
  }
  assert.equal(seen.length, 2500);
  assert.deepEqual(seen, [...seen].sort());
  assert.equal(new Set(seen).size, 2500);
  // A later page comes from the first page's read: the target is not looked up again.
  let lookups = 0;
  explorePage({ target: s.layers[0].dir, path: '/big', offset: 0 }, () => (lookups++, s));
  explorePage({ target: s.layers[0].dir, path: '/big', offset: 500 }, () => (lookups++, s));
  assert.equal(lookups, 1);
});

test("the page's files are sized from the layer that provides them, removed ones from the layer below", (t) => {
  const s = stack(t);
  const bytes = (p: ReturnType<typeof explore>) => p.entries.map((e) => `${e.name} ${e.bytes}`);
  assert.deepEqual(bytes(explore(s, { path: '/e' })), ['f 5', 'g 1', 'lib.so 1', 'sub 0']);
  assert.deepEqual(
    bytes(explore(s, { path: '/', merged: false })).filter((x) => x.startsWith('gone')),
    ['gone 5'],
  );
  assert.equal(explore(s, { path: '/', merged: false }).entries.find((e) => e.name === 'd')?.opaque, true);
});

test('changes only leaves out what the listed layer does not touch', (t) => {
  const p = explore(stack(t), { path: '/e', changesOnly: true });
  assert.deepEqual(names(p), ['M f', 'A lib.so']);
  assert.deepEqual(names(explore(stack(t), { path: '/e' })), ['M f', 'U g', 'A lib.so', 'U sub/']);
});

test('a pattern filters files by glob on the name or the path, or by substring; directories stay', (t) => {
  const s = stack(t);
  assert.deepEqual(names(explore(s, { path: '/e', pattern: '*.so' })), ['A lib.so', 'U sub/']);
  assert.deepEqual(names(explore(s, { path: '/usr/lib', pattern: '/usr/**.so' })), ['U a.so']);
  assert.deepEqual(names(explore(s, { path: '/usr/lib', pattern: 'b.t' })), ['U b.txt']);
  assert.deepEqual(names(explore(s, { path: '/e', pattern: '/x/*' })), ['U sub/']);
});

test('glob rules: * stays in a component, ** crosses, ? is one character, classes and negation', () => {
  const m = (pat: string, abs: string) => pathTest(pat)(abs, abs.slice(abs.lastIndexOf('/') + 1));
  assert.equal(m('/usr/*.so', '/usr/a.so'), true);
  assert.equal(m('/usr/*.so', '/usr/lib/a.so'), false);
  assert.equal(m('/usr/**.so', '/usr/lib/a.so'), true);
  assert.equal(m('/usr/**/a.so', '/usr/x/y/a.so'), true);
  assert.equal(m('f?o', '/a/foo'), true);
  assert.equal(m('f?o', '/a/fooo'), false);
  assert.equal(m('[a-c]x', '/bx'), true);
  assert.equal(m('[!a-c]x', '/bx'), false);
  assert.equal(m('[!a-c]x', '/dx'), true);
  assert.equal(m('[]]', '/]'), true);
  assert.equal(m('a[', '/a['), true); // an unclosed class is a literal
  assert.equal(m('lib', '/usr/lib/x'), true); // substring of the path
  assert.equal(m('LIB', '/usr/lib/x'), false); // case-sensitive
  // No backtracking blow-up: 40 stars against a long name that almost matches answers at once.
  const t0 = Date.now();
  assert.equal(m(`${'*a'.repeat(40)}b`, `/${'a'.repeat(250)}`), false);
  assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
});

test('bad parameters are refused in one line', (t) => {
  const s = stack(t);
  assert.throws(() => explore(s, { layer: 2 }), /no layer 2 in test: its layers are 0 to 1$/);
  assert.throws(() => explore(s, { limit: 0 }), /"limit" must be an integer from 1 to 5000/);
  assert.throws(() => explore(s, { offset: -1 }), /"offset" must be an integer/);
  assert.throws(() => explore(s, { merged: 'yes' as unknown as boolean }), /"merged" must be true or false/);
  assert.throws(() => explore(s, { path: 'etc' }), /must be absolute/);
  assert.throws(() => explore(s, { path: '/e/../..' }), /must not hold \. or \.\./);
  assert.throws(() => explore(s, { pattern: 'x'.repeat(1025) }), /longer than 1024/);
  assert.throws(() => explore(s, { path: '/nope' }), /no directory \/nope in test up to layer 0/);
});

test("a filter that runs past the request's time stops, and the page says it is cut short", (t) => {
  const s = stack(t, 3000);
  // The listing read whole by a first page; a later page filters it with no time left.
  assert.equal(explore(s, { path: '/big' }).total, 3000);
  const budget = new WalkBudget({ maxEntries: 2_000_000, maxDepth: 256, maxMillis: -1 }); // already past
  const p = explorePage({ target: s.layers[0].dir, path: '/big', pattern: '*f*', offset: 10 }, () => s, budget);
  assert.equal(p.unfiltered, 3000, 'the listing itself is whole');
  assert.equal(p.truncated, true);
  assert.ok(p.total < 3000, `${p.total}`);
  assert.match(p.problems.map((x) => x.message).join('\n'), /request's time limit/);
});
