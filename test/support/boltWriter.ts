/**
 * bbolt files written byte by byte in bbolt's format (page.go, node.go, bucket.go, db.go), for tests of
 * the reader (server/layers/boltFile.ts) on crafted and damaged files. Written from the format, not from
 * the reader: the checksum, the page layout and inline buckets as bbolt lays them out.
 */
export const PAGE = 4096;
const BRANCH = 0x01;
const LEAF = 0x02;
const META = 0x04;

function fnv1a64(b: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const x of b) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  return h;
}

/** A file of `pages` pages whose meta pages (0 and 1) name `root` as the root bucket's page. */
export function boltFile(pages: number, root: number): Buffer {
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
export function branch(f: Buffer, pg: number, children: number[]): void {
  const off = pg * PAGE;
  f.writeBigUInt64LE(BigInt(pg), off);
  f.writeUInt16LE(BRANCH, off + 8);
  f.writeUInt16LE(children.length, off + 10);
  children.forEach((child, i) => f.writeBigUInt64LE(BigInt(child), off + 16 + i * 16 + 8));
}

/** A bucket's content: values, or buckets of their own (written inline, as bbolt does for small ones). */
export interface Items {
  [key: string]: string | Items;
}

/** A leaf page's bytes (header, elements, then each key and its value), its id left 0. */
export function leafBytes(items: Items): Buffer {
  const entries = Object.entries(items).sort(([a], [b]) => (a < b ? -1 : 1));
  const values = entries.map(([, v]) =>
    typeof v === 'string' ? Buffer.from(v) : Buffer.concat([Buffer.alloc(16) /* root 0: inline, sequence 0 */, leafBytes(v)]),
  );
  const size = 16 + entries.length * 16 + entries.reduce((n, [k], i) => n + Buffer.byteLength(k) + values[i].length, 0);
  const p = Buffer.alloc(size);
  p.writeUInt16LE(LEAF, 8);
  p.writeUInt16LE(entries.length, 10);
  let data = 16 + entries.length * 16;
  entries.forEach(([k, v], i) => {
    const e = 16 + i * 16;
    p.writeUInt32LE(typeof v === 'string' ? 0 : 1, e);
    p.writeUInt32LE(data - e, e + 4);
    p.writeUInt32LE(Buffer.byteLength(k), e + 8);
    p.writeUInt32LE(values[i].length, e + 12);
    data += p.write(k, data);
    data += values[i].copy(p, data);
  });
  return p;
}

/** A leaf page at `pg` holding `items` (spanning overflow pages when it needs them; the file must have room). */
export function leaf(f: Buffer, pg: number, items: Items): void {
  const p = leafBytes(items);
  p.writeBigUInt64LE(BigInt(pg), 0);
  p.writeUInt32LE(Math.ceil(p.length / PAGE) - 1, 12);
  p.copy(f, pg * PAGE);
}

/** A whole database holding `items` in its root bucket: one leaf page after the two meta pages. */
export function boltDb(items: Items): Buffer {
  const f = boltFile(2 + Math.ceil(leafBytes(items).length / PAGE), 2);
  leaf(f, 2, items);
  return f;
}
