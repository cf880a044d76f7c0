/**
 * Engines only add names and identities to containers the kernel already showed us (architecture.md,
 * "Data flow" 2). Each engine module exports `claim(ctx)`; the first engine that recognises a container
 * names it. Order matters: Docker and podman run their containers through containerd/runc too, so the
 * most specific engine is asked first and plain runc state last.
 */
import type { LayerIdentity, PodInfo, Problem, RootfsInfo, Runtime } from '../../protocol';
import type { ProcRecord } from '../procfs';
import * as docker from './docker';
import * as podman from './podman';
import * as containerd from './containerd';
import * as runc from './runc';
import * as lxc from './lxc';
import * as nspawn from './nspawn';

export interface EngineContext {
  initPid: number;
  proc: ProcRecord;
  /** Every distinct cgroup path of the init process (v1 controllers and the v2 line). */
  cgroupPaths: string[];
  rootfs: RootfsInfo | null;
  problems: Problem[];
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

const ENGINES = [docker, podman, containerd, runc, lxc, nspawn];

export function claimContainer(ctx: EngineContext): EngineClaim | null {
  for (const engine of ENGINES) {
    const claim = engine.claim(ctx);
    if (claim) return claim;
  }
  return null;
}

/** Layer identities from every engine that keeps them on this node. */
export function layerIdentities(problems: Problem[]): Map<string, LayerRecord> {
  const all = new Map<string, LayerRecord>();
  for (const engine of [docker, podman, containerd]) {
    for (const [dir, rec] of engine.layerIdentities(problems)) all.set(dir, rec);
  }
  return all;
}

/**
 * Where engines keep layer directories: Docker's overlay2, containers/storage's overlay (podman, CRI-O)
 * and containerd's overlayfs snapshotter. Only a directory under one of these can be a container's layer
 * on the host (layerTrust.ts).
 */
export function storageRoots(): string[] {
  return [docker.overlay2Root(), podman.storageOverlayRoot(), containerd.SNAPSHOTS];
}

/**
 * The engine's own record of the directories a container runs on (upper first, then lowers), when that
 * engine confirms the init process is its container's; null otherwise. Docker only so far: podman keeps
 * its process record in a database, containerd its snapshot chain in bbolt, neither read here.
 */
export function containerLayerRecord(claim: EngineClaim, initPid: number): { layers: string[]; source: string } | null {
  return claim.runtime === 'docker' ? docker.containerLayers(claim.id, initPid) : null;
}

/** Directories engines mount relative `l/<ID>` lowerdirs from (see overlay.ts). */
export function overlayRoots(): string[] {
  return [docker.overlay2Root(), podman.storageOverlayRoot()];
}

export { setDockerDataRoot } from './docker';
