/**
 * Engines only add names and identities to containers the kernel already showed us (architecture.md,
 * "Data flow" 2). Every engine implements `Engine` (engine.ts) and is listed once, here; each lookup
 * below walks this one list. Order matters: Docker and podman run their containers through
 * containerd/runc too, so the most specific engine is asked first and plain runc state last.
 *
 * This module imports the engines and they import only engine.ts: no engine imports this list back.
 */
import type { Problem } from '../../protocol';
import type { ProcRecord } from '../procfs';
import {
  DEFAULT_ENGINE_ROOTS,
  type ContainerLayerRecord,
  type Engine,
  type EngineClaim,
  type EngineContext,
  type EngineRoots,
  type LayerRecord,
} from './engine';
import { docker, dockerDataRoot } from './docker';
import { podman } from './podman';
import { containerd } from './containerd';
import { runc } from './runc';
import { lxc } from './lxc';
import { nspawn } from './nspawn';

export type { ContainerLayerRecord, Engine, EngineClaim, EngineContext, EngineRoots, LayerRecord };
export { DEFAULT_ENGINE_ROOTS };

export const ENGINES: readonly Engine[] = [docker, podman, containerd, runc, lxc, nspawn];

/** How the agent is told where engines keep their state; everything absent is found or defaulted. */
export interface EngineOptions {
  /** Roots given outright (tests' fixture trees). A `docker` given here is used as it is, not looked for. */
  roots?: Partial<EngineRoots>;
  /** Where dockerd's daemon.json is, when no dockerd command line names the data root. */
  dockerDaemonJson?: string;
}

/** The roots for one snapshot: Docker's from the running dockerd (it can move), the rest as given or default. */
export function resolveEngineRoots(procs: ProcRecord[], options: EngineOptions = {}): EngineRoots {
  const given = options.roots ?? {};
  return { ...DEFAULT_ENGINE_ROOTS, ...given, docker: given.docker ?? dockerDataRoot(procs, options.dockerDaemonJson) };
}

export function claimContainer(ctx: EngineContext): EngineClaim | null {
  for (const engine of ENGINES) {
    const claim = engine.claim(ctx);
    if (claim) return claim;
  }
  return null;
}

/** Layer identities from every engine that keeps them on this node. */
export function layerIdentities(roots: EngineRoots, problems: Problem[]): Map<string, LayerRecord> {
  const all = new Map<string, LayerRecord>();
  for (const engine of ENGINES) {
    for (const [dir, rec] of engine.layerIdentities?.(roots, problems) ?? []) all.set(dir, rec);
  }
  return all;
}

/**
 * Where engines keep layer directories: Docker's overlay2, containers/storage's overlay (podman, CRI-O)
 * and containerd's overlayfs snapshotter. Only a directory under one of these can be a container's layer
 * on the host (layerTrust.ts).
 */
export function storageRoots(roots: EngineRoots): string[] {
  return ENGINES.flatMap((e) => e.storageRoots?.(roots) ?? []);
}

/**
 * The engine's own record of the directories a container runs on (upper first, then lowers), when that
 * engine confirms the init process is its container's; null otherwise. Docker only so far: podman keeps
 * its process record in a database, containerd its snapshot chain in bbolt, neither read here.
 */
export function containerLayerRecord(roots: EngineRoots, claim: EngineClaim, initPid: number): ContainerLayerRecord | null {
  const engine = ENGINES.find((e) => e.runtimes.includes(claim.runtime));
  return engine?.containerLayers?.(roots, claim, initPid) ?? null;
}

/** Directories engines mount relative `l/<ID>` lowerdirs from (see overlay.ts). */
export function overlayRoots(roots: EngineRoots): string[] {
  return ENGINES.flatMap((e) => e.linkRoots?.(roots) ?? []);
}
