/**
 * A read-only reader of bbolt database files (go.etcd.io/bbolt), enough to follow containerd's records:
 * its metadata (io.containerd.metadata.v1.bolt/meta.db: images, snapshot keys) and the overlayfs
 * snapshotter's (metadata.db: snapshot key → directory id). containerd's gRPC API would answer the same
 * questions, but a daemon call can hang, and the agent reads every engine's state from disk.
 *
 * The format (bbolt page.go, node.go, bucket.go, db.go): the file is pages of `pageSize` bytes; page 0
 * and 1 are meta pages (magic 0xED0CDAED, version 2, the page size, the root bucket, a txid and an
 * FNV-1a-64 checksum), the newer valid one is current. Every page starts with a 16-byte header (id u64,
 * flags u16, count u16, overflow u32; the page spans overflow + 1 pages). A branch page holds `count`
 * elements {pos u32, ksize u32, pgid u64}, a leaf page {flags u32, pos u32, ksize u32, vsize u32}; `pos`
 * counts from the element itself to its key, the value follows the key. A leaf element with flag 1 is a
 * sub-bucket: its value is {root pgid u64, sequence u64}, and a root of 0 means the bucket's one leaf page
 * is inline, right after those 16 bytes. All integers little-endian (the machine's order; x86 and arm64).
 *
 * The file is read whole, once, bounded; every offset read from it is checked against the buffer, the
 * walk's depth is bounded, and a page is walked at most once per bucket: a B+tree holds each page once,
 * so a branch naming a page already seen (itself, a sibling's child) is damage, refused. The depth bound
 * alone would not do: 30 branch pages each naming the next 255 times are 30 levels, and 255^30 visits.
 * So a torn or crafted file gives an error, never a loop, an exponential walk or a read outside.
 * A file caught mid-commit may show the previous transaction: that is what the newer meta page says.
 */
import { readRegularFile } from '../sys/openChecked';

const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const BRANCH = 0x01;
const LEAF = 0x02;
const BUCKET_LEAF = 0x01;
/** bbolt's B+trees of containerd's records are a few levels deep; far more is a corrupt or crafted file. */
const MAX_DEPTH = 32;
/** Far above containerd's metadata of a busy node (tens of MB). */
export const BOLT_FILE_MAX = 512 * 1024 * 1024;

export class BoltError extends Error {}

/** A bucket: its root page, or its inline page's bytes. */
export interface Bucket {
  root: number;
  inline: Buffer | null;
}

export interface BoltItem {
  key: Buffer;
  /** The value; null for a sub-bucket. */
  value: Buffer | null;
  bucket: Bucket | null;
}

function fnv1a64(b: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const x of b) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  return h;
}

export class BoltFile {
  private readonly pageSize: number;
  readonly root: Bucket;

  constructor(
    private readonly data: Buffer,
    readonly source: string,
  ) {
    let best: { txid: bigint; root: number; pageSize: number } | null = null;
    for (const at of [0, null]) {
      // Page 1 sits one page size in: known only once page 0's meta gives the size (4096 when page 0 is torn).
      const off = at ?? best?.pageSize ?? 4096;
      const meta = this.meta(off);
      if (meta && (!best || meta.txid > best.txid)) best = meta;
    }
    if (!best) throw new BoltError(`${source}: not a bbolt database (no valid meta page)`);
    this.pageSize = best.pageSize;
    this.root = { root: best.root, inline: null };
  }

  static read(file: string): BoltFile {
    const r = readRegularFile(file, BOLT_FILE_MAX);
    if ('why' in r) throw new BoltError(`${file}: ${r.why}`);
    return new BoltFile(r.data, file);
  }

  private meta(off: number): { txid: bigint; root: number; pageSize: number } | null {
    const m = off + PAGE_HEADER;
    if (m + 64 > this.data.length) return null;
    const d = this.data;
    if (d.readUInt32LE(m) !== MAGIC || d.readUInt32LE(m + 4) !== 2) return null;
    if (d.readBigUInt64LE(m + 56) !== fnv1a64(d.subarray(m, m + 56))) return null;
    const pageSize = d.readUInt32LE(m + 8);
    if (pageSize < 512 || pageSize > 65536 || pageSize & (pageSize - 1)) return null;
    return { txid: d.readBigUInt64LE(m + 48), root: Number(d.readBigUInt64LE(m + 16)), pageSize };
  }

  /** The bytes of page `pgid` with its overflow pages. */
  private page(pgid: number): Buffer {
    const off = pgid * this.pageSize;
    if (!Number.isSafeInteger(off) || pgid < 2 || off + PAGE_HEADER > this.data.length)
      throw new BoltError(`${this.source}: page ${pgid} lies outside the file`);
    const span = (this.data.readUInt32LE(off + 12) + 1) * this.pageSize;
    if (off + span > this.data.length) throw new BoltError(`${this.source}: page ${pgid} runs past the end of the file`);
    return this.data.subarray(off, off + span);
  }

  /** Every item of the bucket in key order. */
  *items(b: Bucket): Generator<BoltItem> {
    yield* this.walk(b.inline ?? this.page(b.root), 0, new Set(b.inline ? [] : [b.root]));
  }

  /** The items below page `p`; `seen` holds the pages this bucket's walk has entered. */
  private *walk(p: Buffer, depth: number, seen: Set<number>): Generator<BoltItem> {
    if (depth > MAX_DEPTH) throw new BoltError(`${this.source}: deeper than ${MAX_DEPTH} levels`);
    if (p.length < PAGE_HEADER) throw new BoltError(`${this.source}: a page shorter than its header`);
    const flags = p.readUInt16LE(8);
    const count = p.readUInt16LE(10);
    const bytes = (at: number, len: number): Buffer => {
      if (at < 0 || len < 0 || at + len > p.length) throw new BoltError(`${this.source}: an element points outside its page`);
      return p.subarray(at, at + len);
    };
    for (let i = 0; i < count; i++) {
      const e = PAGE_HEADER + i * 16;
      bytes(e, 16);
      if (flags & BRANCH) {
        const child = Number(p.readBigUInt64LE(e + 8));
        if (seen.has(child)) throw new BoltError(`${this.source}: page ${child} is named twice in one B+tree (a damaged file)`);
        seen.add(child);
        yield* this.walk(this.page(child), depth + 1, seen);
      } else if (flags & LEAF) {
        const key = bytes(e + p.readUInt32LE(e + 4), p.readUInt32LE(e + 8));
        const value = bytes(e + p.readUInt32LE(e + 4) + key.length, p.readUInt32LE(e + 12));
        if (p.readUInt32LE(e) & BUCKET_LEAF) {
          if (value.length < 16) throw new BoltError(`${this.source}: a bucket's header is cut short`);
          const root = Number(value.readBigUInt64LE(0));
          yield { key, value: null, bucket: { root, inline: root === 0 ? value.subarray(16) : null } };
        } else yield { key, value, bucket: null };
      } else throw new BoltError(`${this.source}: page of unknown kind ${flags}`);
    }
  }

  /** The item named `key` in bucket `b`, or null. */
  get(b: Bucket, key: string): BoltItem | null {
    const want = Buffer.from(key);
    for (const it of this.items(b)) if (it.key.equals(want)) return it;
    return null;
  }

  /** The bucket at `path` below the root, or null where any step is missing or not a bucket. */
  bucket(...path: string[]): Bucket | null {
    let b: Bucket = this.root;
    for (const name of path) {
      const it = this.get(b, name);
      if (!it?.bucket) return null;
      b = it.bucket;
    }
    return b;
  }

  /** A value of bucket `b` as text, or null. */
  text(b: Bucket, key: string): string | null {
    const v = this.get(b, key)?.value;
    return v ? v.toString('utf8') : null;
  }
}

/** An unsigned LEB128 varint (Go's binary.Uvarint), as containerd's snapshotter stores ids; null when malformed. */
export function uvarint(b: Buffer): number | null {
  let x = 0;
  let shift = 0;
  for (let i = 0; i < b.length && i < 8; i++) {
    x += (b[i] & 0x7f) * 2 ** shift;
    if (!(b[i] & 0x80)) return Number.isSafeInteger(x) ? x : null;
    shift += 7;
  }
  return null;
}
