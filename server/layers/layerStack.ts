/**
 * The layer stack `nodescope layers` and `ls` read: a container's overlay (any engine's), or a Docker
 * image's layers from dockerd's image store. Only directories verified on the host are read
 * (layerTrust.ts): a container's layer by its `hostPath`, an image's by the same check on the path its
 * cache id names. The image history gives each image layer its `createdBy` (dockerImage.ts).
 *
 * containerd images (its content store, a bbolt metadata database) are not read: such an image is
 * refused as unsupported, while a running containerd container is reported from its overlay (without
 * createdBy).
 */
import { ErrorCodes, type ContainerInfo, type LayerOrigin, type LayerRole, type Problem, type ReportTarget, type Snapshot } from '../protocol';
import { AgentFailure, echo } from '../failure';
import { hostLayerDirProblem, notVerified } from '../discover/layerTrust';
import { storageRoots, type EngineRoots } from '../discover/engines';
import { markPrefixes, type MarkPrefix } from './overlayMarks';
import { findDockerImage, readDockerImage, type DockerImageLayer } from './dockerImage';

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
  if (!c.rootfs?.overlay || !c.rootfs.layers.length) throw new AgentFailure(ErrorCodes.Unsupported, `${c.name}'s root is ${c.rootfs?.fstype ?? 'unknown'}, not an overlay: it has no layers`);
  const problems: Problem[] = [];
  const unverified = c.rootfs.layers.find((l) => l.role !== 'data' && !l.hostPath);
  if (unverified) throw new AgentFailure(ErrorCodes.NotPermitted, `${c.name}'s layers are not read here: ${notVerified(unverified)}`);
  // The image's history, by layer directory: Docker only (its image config names what made each layer).
  const history = new Map<string, DockerImageLayer>();
  if (c.runtime === 'docker' && c.imageId) {
    try {
      for (const l of readDockerImage(roots.docker, c.imageId, c.image ?? c.imageId, problems).layers) if (l.dir) history.set(l.dir, l);
    } catch (err) {
      problems.push({ source: c.imageId, message: `image history unreadable: ${(err as Error).message}` });
    }
  }
  const layers = c.rootfs.layers
    .filter((l) => l.role !== 'data')
    .map((l): StackLayer => {
      const dir = l.hostPath!;
      const h = history.get(dir);
      // moby's overlay2 puts the container's init layer (/etc/hosts, /etc/resolv.conf mount points) at <id>-init.
      const origin: LayerOrigin = l.role === 'upper' ? 'container' : h ? 'image' : /-init\/diff$/.test(dir) && c.runtime === 'docker' ? 'init' : null;
      return { index: l.index, dir, role: l.role, origin, ...(h ? { createdBy: h.createdBy, emptyHistory: h.emptyHistory, ...(h.trailingHistory ? { trailingHistory: h.trailingHistory } : {}) } : NO_HISTORY), usedBy: usedByOf(snapshot, dir) };
    });
  return { target: { kind: 'container', id: c.id, name: c.name }, layers, prefixes: markPrefixes(c.rootfs), problems };
}

function imageStack(ref: string, snapshot: Snapshot | null, roots: EngineRoots): LayerStack | null {
  const problems: Problem[] = [];
  const found = findDockerImage(roots.docker, ref, problems);
  if (!found) {
    if (ref.startsWith('docker.io/') || /^[^/]+\.[^/]+\//.test(ref)) {
      throw new AgentFailure(ErrorCodes.NotFound, `no container or Docker image "${echo(ref)}" on this node (containerd's images are not read: give a running container of it)`);
    }
    return null;
  }
  const image = readDockerImage(roots.docker, found.id, found.name, problems);
  const layerRoots = storageRoots(roots);
  const bottomUp = image.layers.map((l, i) => {
    const why = l.dir ? hostLayerDirProblem(l.dir, layerRoots) : 'no cache id';
    if (why) throw new AgentFailure(ErrorCodes.NotPermitted, `image ${echo(found.name)}: layer ${image.layers.length - 1 - i} (${echo(l.dir)}) is not read: ${why}`);
    return l;
  });
  const layers = bottomUp.reverse().map((l, index): StackLayer => ({ index, dir: l.dir, role: 'lower', origin: 'image', createdBy: l.createdBy, emptyHistory: l.emptyHistory, ...(l.trailingHistory ? { trailingHistory: l.trailingHistory } : {}), usedBy: usedByOf(snapshot, l.dir) }));
  // dockerd mounts image layers with trusted.overlay xattrs (it runs as root).
  return { target: { kind: 'image', id: image.id, name: image.name }, layers, prefixes: ['trusted.overlay.'], problems };
}

/**
 * The stack `ref` names: a container (id, unique prefix, name), else a Docker image (id, prefix,
 * repository[:tag]). A container's ambiguity or refusal is its own answer; only "not found" goes on to images.
 * `engineRoots` is asked after the container lookup, which may have taken the snapshot they come from.
 */
export function layerStackOf(ref: string, container: (ref: string) => ContainerInfo, snapshot: () => Snapshot | null, engineRoots: () => EngineRoots): LayerStack {
  try {
    return containerStack(container(ref), snapshot(), engineRoots());
  } catch (err) {
    if (!(err instanceof AgentFailure && err.code === ErrorCodes.NotFound)) throw err;
  }
  const image = imageStack(ref, snapshot(), engineRoots());
  if (!image) throw new AgentFailure(ErrorCodes.NotFound, `no container or Docker image "${echo(ref)}" on this node (give a container id or name, or an image id or repository:tag)`);
  return image;
}
