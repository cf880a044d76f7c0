// containerd's image records read through the bbolt reader (server/layers/containerdImage.ts), on a
// containerd root written here in its formats: meta.db and the snapshotter's metadata.db as bbolt files
// (test/support/boltWriter.ts), manifest and config as content-store blobs named by their digests. An
// image config is its author's: one naming more layers than an overlay can stack (the kernel's
// OVL_MAX_STACK, 500) is refused before a snapshot is looked up for each (900,000 fit in a 64 MiB config,
// each a walk of containerd's snapshot buckets). The real rig's containerd is test/integration/layerExplore.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readContainerdImage } from '../../server/layers/containerdImage';
import { chainIds } from '../../server/layers/dockerImage';
import { boltDb, type Items } from '../support/boltWriter';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (b: string): string => createHash('sha256').update(b).digest('hex');

/** A containerd root holding image `evil:1` whose config names `layers` layers, the first `unpacked` of them unpacked as snapshots 1, 2, … */
function containerdRoot(t: { after: (fn: () => void) => void }, layers: number, unpacked: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-containerd-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const blobs = path.join(root, 'io.containerd.content.v1.content', 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (text: string): string => (fs.writeFileSync(path.join(blobs, sha(text)), text), `sha256:${sha(text)}`);
  const diffIds = Array.from({ length: layers }, (_, i) => `sha256:${sha(`layer ${i}`)}`);
  const config = put(JSON.stringify({ rootfs: { type: 'layers', diff_ids: diffIds }, history: [] }));
  const manifest = put(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: { digest: config } }));
  const chains = chainIds(diffIds).slice(0, unpacked);
  const nsSnapshots: Items = {};
  const snapshots: Items = {};
  chains.forEach((chain, i) => {
    nsSnapshots[chain] = { name: `default/${i + 1}/${chain}` };
    snapshots[`default/${i + 1}/${chain}`] = { id: String.fromCharCode(i + 1) }; // a one-byte uvarint
  });
  const meta = path.join(root, 'io.containerd.metadata.v1.bolt');
  fs.mkdirSync(meta);
  fs.writeFileSync(
    path.join(meta, 'meta.db'),
    boltDb({
      v1: {
        default: { images: { 'evil:1': { target: { digest: manifest, mediatype: MANIFEST } } }, snapshots: { overlayfs: nsSnapshots } },
      },
    }),
  );
  const snapshotter = path.join(root, 'io.containerd.snapshotter.v1.overlayfs');
  fs.mkdirSync(path.join(snapshotter, 'snapshots'), { recursive: true });
  fs.writeFileSync(path.join(snapshotter, 'metadata.db'), boltDb({ v1: { snapshots } }));
  return path.join(snapshotter, 'snapshots');
}

test('an unpacked image: its layers are the snapshotter directories its chain ids name', (t) => {
  const snapshots = containerdRoot(t, 2, 2);
  const image = readContainerdImage(snapshots, 'evil:1', []);
  assert.deepEqual(
    image?.layers.map((l) => l.dir),
    [path.join(snapshots, '1', 'fs'), path.join(snapshots, '2', 'fs')],
  );
});

test('a config naming more layers than an overlay stacks is refused in one line, before any snapshot is looked up', (t) => {
  const snapshots = containerdRoot(t, 600, 0);
  assert.throws(
    () => readContainerdImage(snapshots, 'evil:1', []),
    (err: Error) =>
      /evil:1: its config names 600 layers, more than an overlay stacks \(500\)/.test(err.message) && !err.message.includes('\n'),
  );
});

test('an image unpacked only in part is refused naming the first layer missing', (t) => {
  const snapshots = containerdRoot(t, 3, 1);
  assert.throws(() => readContainerdImage(snapshots, 'evil:1', []), /layer 1 \(sha256:[0-9a-f]{64}\) has no overlayfs snapshot/);
});
