/**
 * A containerd image's layers and history, read from containerd's own files (as root; no gRPC call):
 *  - the metadata database (io.containerd.metadata.v1.bolt/meta.db, bbolt: boltFile.ts) names each
 *    namespace's images: `v1/<ns>/images/<name>/target` {digest, mediatype};
 *  - the content store (io.containerd.content.v1.content/blobs/sha256/<hex>) holds the manifest (or an
 *    index naming one per platform) and the image config: `rootfs.diff_ids` bottom-up and `history[]`,
 *    the same config Docker keeps, so dockerImage.ts folds its history;
 *  - the layers are snapshots named by chain id (`v1/<ns>/snapshots/overlayfs/<chain-id>/name` is the
 *    snapshotter's key), and the overlayfs snapshotter's own database (metadata.db: `v1/snapshots/<key>/id`,
 *    a uvarint) gives the directory `snapshots/<id>/fs` (containerd snapshots/storage/bolt.go).
 * Only the overlayfs snapshotter's snapshots are layers an overlay can be made of; an image unpacked
 * elsewhere, or not at all, is refused in one line.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCodes, type Problem } from '../protocol';
import { refuse, echo } from '../failure';
import { obj, readJson, str } from '../discover/engines/stateFiles';
import { BoltError, BoltFile, uvarint } from './boltFile';
import { chainIds, configLayers, type DockerImage, type DockerImageLayer } from './dockerImage';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/**
 * The most layers one overlay stacks (the kernel's OVL_MAX_STACK). An image config is its author's: one
 * naming more cannot be mounted, and each layer costs a walk of containerd's snapshot buckets, so it is
 * refused before the first (900,000 diff ids fit in a 64 MiB config).
 */
const OVERLAY_MAX_LAYERS = 500;
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
/** Node's process.arch as OCI platforms name it. */
const OCI_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export interface ContainerdImage extends DockerImage {
  namespace: string;
}

/** containerd's directories, from its overlayfs snapshotter's `snapshots` directory (EngineRoots.containerdSnapshots). */
function dirsOf(snapshots: string): { meta: string; content: string; snapshotterDb: string } {
  const snapshotter = path.dirname(snapshots);
  const root = path.dirname(snapshotter);
  return {
    meta: path.join(root, 'io.containerd.metadata.v1.bolt', 'meta.db'),
    content: path.join(root, 'io.containerd.content.v1.content', 'blobs', 'sha256'),
    snapshotterDb: path.join(snapshotter, 'metadata.db'),
  };
}

/**
 * The names a reference may have in containerd, as Docker's reference normalisation writes them:
 * `busybox` → `docker.io/library/busybox:latest`, `me/app:1` → `docker.io/me/app:1`.
 */
export function normalisedNames(ref: string): string[] {
  const out = [ref];
  let name = ref;
  const first = name.split('/')[0];
  if (!name.includes('/')) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  if (!/[:@][^/]*$/.test(name)) name += ':latest';
  if (name !== ref) out.push(name);
  return out;
}

interface Candidate {
  namespace: string;
  name: string;
  digest: string;
  mediaType: string;
}

function candidates(db: BoltFile, ref: string): Candidate[] {
  const names = normalisedNames(ref);
  // The CRI plugin also names each image by its config digest ("sha256:<hex>"): a unique prefix of it finds it.
  const idPrefix = /^(sha256:)?[0-9a-f]{6,64}$/.test(ref) ? (ref.startsWith('sha256:') ? ref : `sha256:${ref}`) : null;
  const out: Candidate[] = [];
  const v1 = db.bucket('v1');
  if (!v1) return out;
  for (const ns of db.items(v1)) {
    const images = ns.bucket && db.get(ns.bucket, 'images')?.bucket;
    if (!images) continue;
    for (const img of db.items(images)) {
      const name = img.key.toString('utf8');
      if (!img.bucket || !(names.includes(name) || (idPrefix && name.startsWith(idPrefix)))) continue;
      const target = db.get(img.bucket, 'target')?.bucket;
      const digest = target && db.text(target, 'digest');
      if (!digest || !DIGEST.test(digest)) continue;
      out.push({ namespace: ns.key.toString('utf8'), name, digest, mediaType: (target && db.text(target, 'mediatype')) ?? '' });
    }
  }
  return out;
}

function blob(content: string, digest: string, problems: Problem[]): Record<string, unknown> | null {
  if (!DIGEST.test(digest)) return null;
  return obj(readJson(path.join(content, digest.slice(7)), problems));
}

/** The image config's digest: through an index, the manifest for this machine's platform. */
function configDigest(content: string, c: Candidate, problems: Problem[]): string | null {
  let manifest = blob(content, c.digest, problems);
  if (manifest && (INDEX_TYPES.includes(c.mediaType) || Array.isArray(manifest.manifests))) {
    const list = (Array.isArray(manifest.manifests) ? manifest.manifests : []).map(obj);
    const mine = list.find(
      (m) => obj(m?.platform)?.os === 'linux' && obj(m?.platform)?.architecture === (OCI_ARCH[process.arch] ?? process.arch),
    );
    manifest = blob(content, str(mine?.digest) ?? '', problems);
  }
  return str(obj(manifest?.config)?.digest);
}

/** A snapshot's directory, from the chain id through the namespace's record and the snapshotter's. */
function snapshotDir(meta: BoltFile, snapDb: BoltFile, snapshots: string, namespace: string, chain: string): string | null {
  const record = meta.bucket('v1', namespace, 'snapshots', 'overlayfs', chain);
  const key = record && meta.text(record, 'name');
  const snap = key ? snapDb.bucket('v1', 'snapshots', key) : null;
  const raw = snap ? snapDb.get(snap, 'id')?.value : null;
  const id = raw ? uvarint(raw) : null;
  return id === null ? null : path.join(snapshots, String(id), 'fs');
}

/** The image a containerd container was made from, as containerd recorded it (`v1/<ns>/containers/<id>/image`), in any namespace. */
export function containerdContainerImage(snapshots: string, id: string): string[] {
  const file = dirsOf(snapshots).meta;
  if (!fs.existsSync(file)) return [];
  const meta = BoltFile.read(file);
  const out: string[] = [];
  for (const ns of meta.items(meta.bucket('v1') ?? meta.root)) {
    const c = ns.bucket && meta.bucket('v1', ns.key.toString('utf8'), 'containers', id);
    const image = c && meta.text(c, 'image');
    if (image) out.push(image);
  }
  return out;
}

function readBolt(file: string): BoltFile {
  try {
    return BoltFile.read(file);
  } catch (err) {
    throw refuse(ErrorCodes.NotFound, `containerd's records are unreadable: ${(err as Error).message}`);
  }
}

/**
 * The containerd image `ref` names (name as containerd lists it or as Docker would normalise it, or a
 * prefix of its id), with its layers bottom-up; null when containerd is not here or has no such image.
 * The same image in several namespaces is read from the first whose layers are all unpacked and `fits`.
 */
export function readContainerdImage(
  snapshots: string,
  ref: string,
  problems: Problem[],
  fits: (dirs: string[]) => boolean = () => true,
): ContainerdImage | null {
  try {
    return findImage(snapshots, ref, problems, fits);
  } catch (err) {
    // A database torn mid-write (or damaged) is one line, not an internal error with a stack.
    if (err instanceof BoltError) throw refuse(ErrorCodes.NotFound, `containerd's records are unreadable: ${err.message}`);
    throw err;
  }
}

function findImage(snapshots: string, ref: string, problems: Problem[], fits: (dirs: string[]) => boolean): ContainerdImage | null {
  const dirs = dirsOf(snapshots);
  if (!fs.existsSync(dirs.meta)) return null; // no containerd on this node
  let meta: BoltFile;
  try {
    meta = BoltFile.read(dirs.meta);
  } catch (err) {
    problems.push({ source: dirs.meta, message: `containerd's metadata unreadable: ${(err as Error).message}` });
    return null;
  }
  const found = candidates(meta, ref);
  if (!found.length) return null;
  if (new Set(found.map((c) => c.digest)).size > 1) {
    throw refuse(
      ErrorCodes.Ambiguous,
      `"${echo(ref)}" names ${found.length} containerd images: ${found.map((c) => `${echo(c.name)} in ${echo(c.namespace)}`).join(', ')}; give the full name`,
    );
  }
  const snapDb = readBolt(dirs.snapshotterDb);
  let unpackedNowhere = '';
  for (const c of found) {
    const cfgDigest = configDigest(dirs.content, c, problems);
    const cfg = cfgDigest ? blob(dirs.content, cfgDigest, problems) : null;
    if (!cfgDigest || !cfg)
      throw refuse(
        ErrorCodes.NotFound,
        `containerd image ${echo(c.name)}: its config is not in the content store (no manifest for linux/${OCI_ARCH[process.arch] ?? process.arch}?)`,
      );
    const { diffIds, history } = configLayers(cfg, cfgDigest, problems);
    if (diffIds.length > OVERLAY_MAX_LAYERS)
      throw refuse(
        ErrorCodes.Unsupported,
        `containerd image ${echo(c.name)}: its config names ${diffIds.length} layers, more than an overlay stacks (${OVERLAY_MAX_LAYERS})`,
      );
    // A chain id names a snapshot: only well-formed digests go into one.
    const chains = chainIds(diffIds).map((c) => (DIGEST.test(c) ? c : ''));
    // Bottom-up, stopping at the first layer not unpacked: the ones above it cannot be either.
    const layerDirs: string[] = [];
    for (const chain of chains) {
      const dir = snapshotDir(meta, snapDb, snapshots, c.namespace, chain);
      if (dir === null) break;
      layerDirs.push(dir);
    }
    const missing = layerDirs.length < chains.length ? layerDirs.length : -1;
    if (missing >= 0) {
      unpackedNowhere = `layer ${chains.length - 1 - missing} (${chains[missing]}) has no overlayfs snapshot in namespace ${echo(c.namespace)}: the image is not unpacked there`;
      continue;
    }
    // Each namespace unpacks its own snapshots: a container's image is the one whose directories it mounts.
    if (!fits(layerDirs)) continue;
    const layers: DockerImageLayer[] = layerDirs.map((dir, i) => ({ dir, ...history[i] }));
    return { id: cfgDigest, name: c.name, namespace: c.namespace, layers };
  }
  if (!unpackedNowhere) return null; // unpacked, but not as the layers asked for (another namespace's)
  throw refuse(ErrorCodes.Unsupported, `containerd image ${echo(found[0].name)}: ${unpackedNowhere}`);
}
