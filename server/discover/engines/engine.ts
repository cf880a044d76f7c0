/**
 * What every engine module provides, in a module of its own: engines import only this, and the list in
 * index.ts imports the engines, so nothing imports back the module that imports it. lxkns keeps its
 * container decorators apart the same way (the `Decorate` function type in a leaf package, each decorator
 * package implementing it); they register themselves in go-plugger's groups from their init(), where
 * here the one list names each engine, in the order they are asked.
 *
 * Where engines keep their state is not module state: it is an `EngineRoots` passed in with each call,
 * resolved once per snapshot (Docker's data root is whatever root's dockerd was started with) or given
 * by a test that points the engines at its own fixture trees.
 */
import type { LayerIdentity, PodInfo, Problem, RootfsInfo, Runtime } from '../../protocol';
import type { ProcRecord } from '../procfs';

/** Where each engine keeps its state and its layers on this node. */
export interface EngineRoots {
  /** Docker's data root (dockerd's --data-root); found from the running dockerd for each snapshot. */
  docker: string;
  /** containers/storage's graph root: podman's and CRI-O's containers and layers. */
  containersStorage: string;
  /** containerd's v2 task state, one directory per namespace, then per task. */
  containerdTasks: string;
  /** containerd's overlayfs snapshotter: `<id>/fs` is a layer directory. */
  containerdSnapshots: string;
  /** runc state directories (`<root>/<id>/state.json`). */
  runc: string[];
  /** containerd's per-namespace runc roots: each directory under it is one more runc root. */
  containerdRunc: string;
}

/** Each engine's default, as its packages install it. */
export const DEFAULT_ENGINE_ROOTS: Readonly<EngineRoots> = Object.freeze({
  docker: '/var/lib/docker',
  containersStorage: '/var/lib/containers/storage',
  containerdTasks: '/run/containerd/io.containerd.runtime.v2.task',
  containerdSnapshots: '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots',
  runc: Object.freeze(['/run/runc']) as string[],
  containerdRunc: '/run/containerd/runc',
});

export interface EngineContext {
  initPid: number;
  proc: ProcRecord;
  /** Every distinct cgroup path of the init process (v1 controllers and the v2 line). */
  cgroupPaths: string[];
  rootfs: RootfsInfo | null;
  problems: Problem[];
  roots: EngineRoots;
}

export interface EngineClaim {
  runtime: Runtime;
  id: string;
  name: string;
  image: string | null;
  imageId: string | null;
  pod: PodInfo | null;
  labels: Record<string, string>;
}

/** What an engine recorded about a layer directory, keyed by that directory's absolute path. */
export interface LayerRecord {
  identity: LayerIdentity;
  sizeBytes: number | null;
}

/** The engine's own record of the directories a container runs on: upper first, then lowers top-most first. */
export interface ContainerLayerRecord {
  layers: string[];
  source: string;
}

/**
 * One engine. Only `claim` is required: an engine that keeps no layers (LXC, nspawn, plain runc) leaves
 * the rest out, and the list in index.ts asks only those that have them.
 */
export interface Engine {
  /** The runtimes its claims name (containerd's is "kubernetes" for a CRI pod). */
  readonly runtimes: readonly Runtime[];
  /** Names the container when it recognises it as its own; null otherwise. */
  claim(ctx: EngineContext): EngineClaim | null;
  /** Identities of the layer directories it keeps, keyed by directory. */
  layerIdentities?(roots: EngineRoots, problems: Problem[]): Map<string, LayerRecord>;
  /** Where it keeps layer directories: only a directory under one of these can be a layer (layerTrust.ts). */
  storageRoots?(roots: EngineRoots): string[];
  /** Directories it mounts relative `l/<ID>` lowerdirs from (overlay.ts). */
  linkRoots?(roots: EngineRoots): string[];
  /** Its record of the container's layers, when it confirms `initPid` runs its container `claim.id`. */
  containerLayers?(roots: EngineRoots, claim: EngineClaim, initPid: number): ContainerLayerRecord | null;
}
