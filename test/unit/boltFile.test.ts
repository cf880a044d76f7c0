// The bbolt reader (server/layers/boltFile.ts) on files crafted byte by byte in bbolt's format (page.go,
// node.go, bucket.go, db.go): a well-formed one reads as written; a branch page that names its own page,
// or one page twice, is refused as the corruption it is instead of being walked again and again (a
// B+tree holds each page once; 255 self-references 32 levels deep would be 255^32 visits). The reader on
// containerd's real databases is test/integration/boltFile.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoltError, BoltFile } from '../../server/layers/boltFile';
import { boltDb, boltFile, branch, leaf } from '../support/boltWriter';

const keys = (db: BoltFile): string[] => [...db.items(db.root)].map((i) => `${i.key.toString()}=${i.value?.toString()}`);

test('a well-formed file: a branch over two leaves reads in key order', () => {
  const f = boltFile(5, 2);
  branch(f, 2, [3, 4]);
  leaf(f, 3, { a: '1', b: '2' });
  leaf(f, 4, { c: '3' });
  const db = new BoltFile(f, 'crafted');
  assert.deepEqual(keys(db), ['a=1', 'b=2', 'c=3']);
  assert.equal(db.text(db.root, 'c'), '3');
});

test('a branch naming one leaf twice is refused, not read twice', () => {
  const f = boltFile(4, 2);
  branch(f, 2, [3, 3]);
  leaf(f, 3, { a: '1' });
  assert.throws(
    () => keys(new BoltFile(f, 'crafted')),
    (err: Error) => err instanceof BoltError && /page 3 .*twice/.test(err.message),
  );
});

test('30 branch pages each naming the next 255 times are refused at the first repeat (255^30 leaf visits otherwise)', () => {
  // Within the depth bound, so only remembering the pages seen stops it: a cycle alone would hit the depth bound.
  const f = boltFile(33, 2);
  for (let pg = 2; pg < 32; pg++)
    branch(
      f,
      pg,
      Array.from({ length: 255 }, () => pg + 1),
    );
  leaf(f, 32, { a: '1' });
  assert.throws(
    () => keys(new BoltFile(f, 'crafted')),
    (err: Error) => err instanceof BoltError && /page 32 .*twice/.test(err.message),
  );
});

test('a branch page naming itself is refused', () => {
  const f = boltFile(3, 2);
  branch(f, 2, [2]);
  assert.throws(() => keys(new BoltFile(f, 'crafted')), BoltError);
});

test('branches in a diamond (two branches sharing a lower one) are refused', () => {
  const f = boltFile(6, 2);
  branch(f, 2, [3, 4]);
  branch(f, 3, [5]);
  branch(f, 4, [5]);
  leaf(f, 5, { a: '1' });
  assert.throws(() => keys(new BoltFile(f, 'crafted')), BoltError);
});

test('buckets inline in a leaf, nested, read as bbolt lays them out', () => {
  const db = new BoltFile(boltDb({ v1: { ns: { images: { 'busybox:1': { target: { digest: 'sha256:ab' } } } } }, z: 'last' }), 'crafted');
  assert.equal(db.text(db.bucket('v1', 'ns', 'images', 'busybox:1', 'target')!, 'digest'), 'sha256:ab');
  assert.equal(db.text(db.root, 'z'), 'last');
  assert.equal(db.bucket('v1', 'nope'), null);
});
