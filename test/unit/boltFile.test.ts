// The bbolt reader (server/layers/boltFile.ts) on files crafted byte by byte in bbolt's format (page.go,
// node.go, bucket.go, db.go): a well-formed one reads as written; a branch page that names its own page,
// or one page twice, is refused as the corruption it is instead of being walked again and again (a
// B+tree holds each page once; 255 self-references 32 levels deep would be 255^32 visits). The reader on
// containerd's real databases is test/integration/boltFile.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoltError, BoltFile } from '../../server/layers/boltFile';

const PAGE = 4096;
const BRANCH = 0x01;
const LEAF = 0x02;
const META = 0x04;

function fnv1a64(b: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const x of b) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  return h;
}

/** A file of `pages` pages whose meta pages (0 and 1) name `root` as the root bucket's page. */
function boltFile(pages: number, root: number): Buffer {
  const f = Buffer.alloc(pages * PAGE);
  for (const [pg, txid] of [
    [0, 2n],
    [1, 1n],
  ] as const) {
    const off = pg * PAGE;
    f.writeBigUInt64LE(BigInt(pg), off);
    f.writeUInt16LE(META, off + 8);
    const m = off + 16;
    f.writeUInt32LE(0xed0cdaed, m);
    f.writeUInt32LE(2, m + 4);
    f.writeUInt32LE(PAGE, m + 8);
    f.writeBigUInt64LE(BigInt(root), m + 16); // root bucket {root, sequence}
    f.writeBigUInt64LE(BigInt(pages), m + 40); // high-water page id
    f.writeBigUInt64LE(txid, m + 48);
    f.writeBigUInt64LE(fnv1a64(f.subarray(m, m + 56)), m + 56);
  }
  return f;
}

/** A branch page at `pg` whose elements point at `children` (keys are left empty: the reader walks, it does not search). */
function branch(f: Buffer, pg: number, children: number[]): void {
  const off = pg * PAGE;
  f.writeBigUInt64LE(BigInt(pg), off);
  f.writeUInt16LE(BRANCH, off + 8);
  f.writeUInt16LE(children.length, off + 10);
  children.forEach((child, i) => f.writeBigUInt64LE(BigInt(child), off + 16 + i * 16 + 8));
}

/** A leaf page at `pg` holding `items` as plain key/value pairs. */
function leaf(f: Buffer, pg: number, items: [string, string][]): void {
  const off = pg * PAGE;
  f.writeBigUInt64LE(BigInt(pg), off);
  f.writeUInt16LE(LEAF, off + 8);
  f.writeUInt16LE(items.length, off + 10);
  let data = off + 16 + items.length * 16;
  items.forEach(([k, v], i) => {
    const e = off + 16 + i * 16;
    f.writeUInt32LE(data - e, e + 4);
    f.writeUInt32LE(k.length, e + 8);
    f.writeUInt32LE(v.length, e + 12);
    data += f.write(k, data);
    data += f.write(v, data);
  });
}

const keys = (db: BoltFile): string[] => [...db.items(db.root)].map((i) => `${i.key.toString()}=${i.value?.toString()}`);

test('a well-formed file: a branch over two leaves reads in key order', () => {
  const f = boltFile(5, 2);
  branch(f, 2, [3, 4]);
  leaf(f, 3, [
    ['a', '1'],
    ['b', '2'],
  ]);
  leaf(f, 4, [['c', '3']]);
  const db = new BoltFile(f, 'crafted');
  assert.deepEqual(keys(db), ['a=1', 'b=2', 'c=3']);
  assert.equal(db.text(db.root, 'c'), '3');
});

test('a branch naming one leaf twice is refused, not read twice', () => {
  const f = boltFile(4, 2);
  branch(f, 2, [3, 3]);
  leaf(f, 3, [['a', '1']]);
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
  leaf(f, 32, [['a', '1']]);
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
  leaf(f, 5, [['a', '1']]);
  assert.throws(() => keys(new BoltFile(f, 'crafted')), BoltError);
});
