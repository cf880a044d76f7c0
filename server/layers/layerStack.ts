/**
 * The layer stack `nodescope layers` and `ls` read: a container's overlay (any engine's), or a Docker
 * image's layers from dockerd's image store. Only directories verified on the host are read
 * (layerTrust.ts): a container's layer by its `hostPath`, an image's by the same check on the path its
 * cache id names. The image history gives each image layer its `createdBy` (dockerImage.ts).
 *
 * A containerd image is read from containerd's metadata, content store and overlayfs snapshotter
 * (containerdImage.ts), when Docker has no image by that name; a containerd or Kubernetes container's
 * layers get their createdBy from its image there too.
 */
import {
  ErrorCodes,
  type ContainerInfo,
  type LayerOrigin,
  type LayerRole,
  type Problem,
  type ReportTarget,
  type Snapshot,
} from '../protocol';
import { refuse, echo } from '../failure';
import { AgentError } from '../agentError';
import { hostLayerDirProblem, notVerified } from '../discover/layerTrust';
import { storageRoots, type EngineRoots } from '../discover/engines';
import { markPrefixes, type MarkPrefix } from './overlayMarks';
import { findDockerImage, readDockerImage, type DockerImage, type DockerImageLayer } from './dockerImage';
import { containerdContainerImage, readContainerdImage } from './containerdImage';

export interface StackLayer {
  index: number;
  /** Verified directory on the host. */
  dir: string;
  role: LayerRole;
  origin: LayerOrigin;
  createdBy: string | null;
  emptyHistory: string[];
  trailingHistory?: string[];
  usedBy: string[];
}

export interface LayerStack {
  target: ReportTarget;
  /** Top-most first. */
  layers: StackLayer[];
  prefixes: readonly MarkPrefix[];
  problems: Problem[];
}

const NO_HISTORY = { createdBy: null, emptyHistory: [] as string[] };

function usedByOf(snapshot: Snapshot | null, dir: string): string[] {
  return snapshot?.layers.find((l) => l.path === dir)?.usedBy ?? [];
}

function containerStack(c: ContainerInfo, snapshot: Snapshot | null, roots: EngineRoots): LayerStack {
  if (!c.rootfs?.overlay || !c.rootfs.layers.length)
    throw refuse(ErrorCodes.Unsupported, `${c.name}'s root is ${c.rootfs?.fstype ?? 'unknown'}, not an overlay: it has no layers`);
  const problems: Problem[] = [];
  const unverified = c.rootfs.layers.find((l) => l.role !== 'data' && !l.hostPath);
  if (unverified) throw refuse(ErrorCodes.NotPermitted, `${c.name}'s layers are not read here: ${notVerified(unverified)}`);
  // The image's history, by layer directory (its image config names what made each layer).
  const history = new Map<string, DockerImageLayer>();
  try {
    if (c.runtime === 'docker' && c.imageId) {
      for (const l of readDockerImage(roots.docker, c.imageId, c.image ?? c.imageId, problems).layers) if (l.dir) history.set(l.dir, l);
    } else if (c.runtime === 'containerd' || c.runtime === 'kubernetes') {
      // A plain ctr container's spec names no image: containerd's own record of the container does.
      const lowers = new Set(c.rootfs.layers.map((l) => l.hostPath));
      for (const name of c.image ? [c.image] : containerdContainerImage(roots.containerdSnapshots, c.id)) {
        for (const l of readContainerdImage(roots.containerdSnapshots, name, problems, (dirs) => dirs.every((d) => lowers.has(d)))
          ?.layers ?? [])
          history.set(l.dir, l);
      }
    }
  } catch (err) {
    problems.push({ source: c.imageId ?? c.image ?? c.name, message: `image history unreadable: ${(err as Error).message}` });
  }
  const layers = c.rootfs.layers
    .filter((l) => l.role !== 'data')
    .map((l): StackLayer => {
      const dir = l.hostPath!;
      const h = history.get(dir);
      // moby's overlay2 puts the container's init layer (/etc/hosts, /etc/resolv.conf mount points) at <id>-init.
      const origin: LayerOrigin =
        l.role === 'upper' ? 'container' : h ? 'image' : /-init\/diff$/.test(dir) && c.runtime === 'docker' ? 'init' : null;
      return {
        index: l.index,
        dir,
        role: l.role,
        origin,
        ...(h
          ? { createdBy: h.createdBy, emptyHistory: h.emptyHistory, ...(h.trailingHistory ? { trailingHistory: h.trailingHistory } : {}) }
          : NO_HISTORY),
        usedBy: usedByOf(snapshot, dir),
      };
    });
  return { target: { kind: 'container', id: c.id, name: c.name }, layers, prefixes: markPrefixes(c.rootfs), problems };
}

/** Image layers, bottom-up, as the stack's top-most-first layers; each directory verified on the host first. */
function imageLayers(image: DockerImage, snapshot: Snapshot | null, roots: EngineRoots): StackLayer[] {
  const layerRoots = storageRoots(roots);
  image.layers.forEach((l, i) => {
    const why = l.dir ? hostLayerDirProblem(l.dir, layerRoots) : 'no cache id';
    if (why)
      throw refuse(
        ErrorCodes.NotPermitted,
        `image ${echo(image.name)}: layer ${image.layers.length - 1 - i} (${echo(l.dir)}) is not read: ${why}`,
      );
  });
  return [...image.layers].reverse().map((l, index): StackLayer => ({
    index,
    dir: l.dir,
    role: 'lower',
    origin: 'image',
    createdBy: l.createdBy,
    emptyHistory: l.emptyHistory,
    ...(l.trailingHistory ? { trailingHistory: l.trailingHistory } : {}),
    usedBy: usedByOf(snapshot, l.dir),
  }));
}

/** Docker's image by that name, else containerd's; null when neither has one. */
function imageStack(ref: string, snapshot: Snapshot | null, roots: EngineRoots): LayerStack | null {
  const problems: Problem[] = [];
  const found = findDockerImage(roots.docker, ref, problems);
  // Both engines mount image layers with trusted.overlay xattrs (they run as root).
  if (found) {
    const image = readDockerImage(roots.docker, found.id, found.name, problems);
    return {
      target: { kind: 'image', id: image.id, name: image.name, engine: 'docker' },
      layers: imageLayers(image, snapshot, roots),
      prefixes: ['trusted.overlay.'],
      problems,
    };
  }
  const image = readContainerdImage(roots.containerdSnapshots, ref, problems);
  if (!image) return null;
  return {
    target: { kind: 'image', id: image.id, name: image.name, engine: 'containerd' },
    layers: imageLayers(image, snapshot, roots),
    prefixes: ['trusted.overlay.'],
    problems,
  };
}

/**
 * The stack `ref` names: a container (id, unique prefix, name), else a Docker image (id, prefix,
 * repository[:tag]). A container's ambiguity or refusal is its own answer; only "not found" goes on to images.
 * `engineRoots` is asked after the container lookup, which may have taken the snapshot they come from.
 */
export function layerStackOf(
  ref: string,
  container: (ref: string) => ContainerInfo,
  snapshot: () => Snapshot | null,
  engineRoots: () => EngineRoots,
): LayerStack {
  try {
    return containerStack(container(ref), snapshot(), engineRoots());
  } catch (err) {
    if (!(err instanceof AgentError && err.code === ErrorCodes.NotFound)) throw err;
  }
  const image = imageStack(ref, snapshot(), engineRoots());
  if (!image)
    throw refuse(
      ErrorCodes.NotFound,
      `no container or image "${echo(ref)}" on this node, in Docker or containerd (give a container id or name, or an image id or repository:tag)`,
    );
  return image;
}
