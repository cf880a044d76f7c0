// The fd walk's bounds on plain directory trees (no root needed): entries per request, shared across the
// walks of one request, and depth, each said in a Problem; and a FIFO in a layer is never opened, so a
// walk that measures files (the page cache) cannot hang on one. The race a container runs against the
// walk (a directory swapped for a link to the host's /etc) is in test/integration/hostileLayers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Problem } from '../../../server/protocol';
import { WalkBudget, walkTree } from '../../../server/layers/walk';
import { scanLayer } from '../../../server/layers/scan';
import { pageCacheOfLayers } from '../../../server/layers/pagecache';
import { parseRedirect } from '../../../server/layers/whence';
import { fixtureTree } from '../../support/fixtureTree';

const files = (n: number, prefix = ''): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}f${i}`, 'x']));

test("a walk stops after the request's entries, says so, and a second walk of the request gets nothing", (t) => {
  const a = fixtureTree(t, 'ns-walk-a-', files(30, 'd/'));
  const b = fixtureTree(t, 'ns-walk-b-', files(5));
  const budget = new WalkBudget({ maxEntries: 20, maxDepth: 10 });
  const problems: Problem[] = [];
  let seen = 0;
  assert.deepEqual(
    walkTree(a, () => void seen++, problems, budget),
    { truncated: true },
  );
  assert.equal(seen, 20);
  assert.deepEqual(problems, [
    { source: a, message: "stopped after 20 entries (the request's limit): the figures cover only what was walked" },
  ]);
  assert.deepEqual(
    walkTree(b, () => void seen++, problems, budget),
    { truncated: true },
  );
  assert.equal(seen, 20, "the budget is the request's, not the walk's");
});

test("a walk whose visits are slow stops at the request's time limit, says so, and the rest of the request gets nothing", (t) => {
  const root = fixtureTree(t, 'ns-walk-slow-', files(400));
  const budget = new WalkBudget({ maxEntries: 1_000_000, maxDepth: 10, maxMillis: 100 });
  const problems: Problem[] = [];
  let seen = 0;
  // 1 ms of work per entry (a diff's lookup through the image's layers stands here): 400 entries would take 400 ms.
  const slowVisit = (): void => {
    seen++;
    for (const end = Date.now() + 1; Date.now() < end;);
  };
  assert.deepEqual(walkTree(root, slowVisit, problems, budget), { truncated: true });
  // The clock is read at every 64th entry, before it is visited: on a loaded machine the first reading
  // may already be late, and 63 entries were visited.
  assert.ok(seen >= 63 && seen < 400, `stopped part way (after ${seen} of 400 entries)`);
  assert.deepEqual(problems, [
    { source: root, message: "stopped after 0.1 s (the request's time limit): the figures cover only what was walked" },
  ]);
  const before = seen;
  walkTree(root, slowVisit, [], budget);
  assert.equal(seen, before, "the time is the request's, not the walk's");
});

test('a walk goes no deeper than its depth limit and says where it stopped', (t) => {
  const root = fixtureTree(t, 'ns-walk-deep-', { 'a/b/c/d/e/f': 'x' });
  const problems: Problem[] = [];
  const rels: string[] = [];
  const r = walkTree(root, ({ rel }) => void rels.push(rel), problems, new WalkBudget({ maxEntries: 100, maxDepth: 3 }));
  assert.equal(r.truncated, true);
  assert.deepEqual(rels, ['a', 'a/b', 'a/b/c']);
  assert.deepEqual(problems, [
    { source: `${root}/a/b/c`, message: 'deeper than 3 levels: not walked below here (nor below any other such directory)' },
  ]);
  const scan = scanLayer(root, { budget: new WalkBudget({ maxEntries: 100, maxDepth: 3 }) });
  assert.equal(scan.truncated, true);
  assert.equal(scanLayer(root).truncated, undefined, 'within the default limits');
});

test('a walk under the limits is whole, in one fd per level', (t) => {
  const root = fixtureTree(t, 'ns-walk-whole-', { ...files(3, 'x/y/'), ...files(2) });
  const rels: string[] = [];
  const fdsBefore = fs.readdirSync('/proc/self/fd').length;
  assert.deepEqual(
    walkTree(root, ({ rel }) => void rels.push(rel), []),
    { truncated: false },
  );
  assert.deepEqual(rels.sort(), ['f0', 'f1', 'x', 'x/y', 'x/y/f0', 'x/y/f1', 'x/y/f2']);
  assert.equal(fs.readdirSync('/proc/self/fd').length, fdsBefore, 'every fd closed again');
});

test('a root that is a symlink or missing is a Problem, not followed', (t) => {
  const root = fixtureTree(t, 'ns-walk-link-', { 'real/f': 'x' });
  fs.symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
  const problems: Problem[] = [];
  let seen = 0;
  walkTree(path.join(root, 'link'), () => void seen++, problems);
  walkTree(path.join(root, 'none'), () => void seen++, problems);
  assert.equal(seen, 0);
  assert.deepEqual(
    problems.map((p) => p.message),
    ['not a directory, or a symlink: not followed (ENOTDIR)', 'no such directory'],
  );
});

test('the page cache walk never opens a FIFO in a layer (it would wait for a writer)', (t) => {
  const root = fixtureTree(t, 'ns-walk-fifo-', { f: 'data' });
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  const r = pageCacheOfLayers(root, 'dir', [{ path: root, role: 'lower', index: 0 }], null, 10);
  if (r.pageSize === 0) return t.skip('native calls unavailable here');
  assert.equal(r.layers[0].files, 1, 'the regular file only');
});

test('redirects: plain names only, absolute from the layer root; anything that could climb is refused', () => {
  assert.deepEqual(parseRedirect('/usr/lib'), { absolute: true, comps: ['usr', 'lib'] });
  assert.deepEqual(parseRedirect('old-name'), { absolute: false, comps: ['old-name'] });
  for (const bad of ['', '/', '..', '.', '../../etc', 'a/b', '/../../etc', '/a//b', '/a/./b', '/a/', 'a\0b'])
    assert.equal(parseRedirect(bad), null, JSON.stringify(bad));
});
