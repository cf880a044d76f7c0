// The bbolt reader (server/layers/boltFile.ts) on the rig containerd's real databases, against ctr's own
// answers (namespaces, images and their target digests, snapshot keys); then the same bytes torn and
// scribbled on: every damaged copy reads or fails with a BoltError, never another exception, never a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { BoltError, BoltFile, type Bucket } from '../../server/layers/boltFile';
import { probes, rigUp, skipUnlessReal } from '../support/real';

const META = '/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db';
const SNAPSHOTS = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/metadata.db';
const skip = skipUnlessReal(probes.root, probes.command('ctr'), () =>
  fs.existsSync(META) ? null : `needs containerd's ${META} (bash test/rig/up.sh)`,
);
const ctr = (...args: string[]): string =>
  execFileSync('ctr', ['--address', '/run/containerd/containerd.sock', ...args], { encoding: 'utf8', timeout: 30_000 });
const keys = (db: BoltFile, b: Bucket | null): string[] => (b ? [...db.items(b)].map((i) => i.key.toString('utf8')) : []);

describe("bbolt reader on containerd's databases", { skip }, () => {
  it('reads namespaces, images with their target digests, and snapshot keys as ctr lists them', () => {
    rigUp();
    const db = BoltFile.read(META);
    const namespaces = ctr('namespaces', 'ls', '-q').split('\n').filter(Boolean);
    assert.deepEqual(
      keys(db, db.bucket('v1'))
        .filter((k) => namespaces.includes(k))
        .sort(),
      [...namespaces].sort(),
    );
    for (const ns of namespaces) {
      const rows = ctr('-n', ns, 'images', 'ls')
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => l.split(/\s+/));
      const images = db.bucket('v1', ns, 'images');
      assert.deepEqual(keys(db, images).sort(), rows.map((r) => r[0]).sort(), ns);
      for (const [name, , digest] of rows)
        assert.equal(db.text(db.bucket('v1', ns, 'images', name, 'target')!, 'digest'), digest, `${ns} ${name}`);
      const snaps = ctr('-n', ns, 'snapshots', '--snapshotter', 'overlayfs', 'ls')
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]);
      assert.deepEqual(keys(db, db.bucket('v1', ns, 'snapshots', 'overlayfs')).sort(), snaps.sort(), `${ns} snapshots`);
    }
    // The snapshotter's own database names a directory for each of them.
    const sdb = BoltFile.read(SNAPSHOTS);
    assert.ok(keys(sdb, sdb.bucket('v1', 'snapshots')).length >= 2);
  });

  it('a torn or scribbled-on copy reads or fails with a BoltError, in bounded time', () => {
    const good = fs.readFileSync(META);
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const walk = (db: BoltFile, b: Bucket, depth: number): number => {
      let n = 0;
      for (const it of db.items(b)) n += 1 + (it.bucket && depth < 8 ? walk(db, it.bucket, depth + 1) : 0);
      return n;
    };
    const started = Date.now();
    let failed = 0;
    for (let i = 0; i < 300; i++) {
      const bad = Buffer.from(i % 3 === 0 ? good.subarray(0, rand(good.length)) : good);
      if (i % 3 !== 0) for (let k = 0; k < 1 + rand(64); k++) bad[rand(bad.length)] = rand(256);
      try {
        walk(new BoltFile(bad, `copy ${i}`), new BoltFile(bad, `copy ${i}`).root, 0);
      } catch (err) {
        assert.ok(err instanceof BoltError, `copy ${i}: ${(err as Error).stack}`);
        failed++;
      }
    }
    assert.ok(failed > 50, `${failed} of 300 damaged copies refused`);
    // An inline bucket cut shorter than a page header, in a file otherwise whole.
    assert.throws(() => [...new BoltFile(good, 'whole').items({ root: 0, inline: Buffer.alloc(4) })], BoltError);
    assert.ok(Date.now() - started < 60_000, `${Date.now() - started} ms`);
  });
});
