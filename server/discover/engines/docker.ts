/**
 * Docker (moby): container id from the cgroup path, names from containers/<id>/config.v2.json,
 * layer identities from image/overlay2/layerdb (<chain id>/cache-id names the overlay2 directory).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Problem } from '../../protocol';
import type { ProcRecord } from '../procfs';
import { ownNamespaces } from '../procfs';
import {
  DEFAULT_ENGINE_ROOTS,
  type ContainerLayerRecord,
  type Engine,
  type EngineClaim,
  type EngineContext,
  type EngineRoots,
  type LayerRecord,
} from './engine';
import { listDir, obj, readJson, readText, str, stringMap } from './stateFiles';

/**
 * Docker's data root: dockerd's `--data-root`/`-g` flag, else daemon.json's `data-root` (or the old
 * `graph`), else `fallback`. Called once per snapshot with the process list (cheap: no extra reads
 * beyond daemon.json).
 */
export function dockerDataRoot(
  procs: ProcRecord[],
  daemonJson = '/etc/docker/daemon.json',
  fallback = DEFAULT_ENGINE_ROOTS.docker,
): string {
  // Any user, or a container, can run a program named dockerd: only root's, resolving paths where the
  // agent does (its mount namespace), says where Docker's storage is. layerTrust.ts trusts what is under it.
  // Unknown namespaces (an unreadable link reads null) match nothing, not each other.
  const ownMnt = ownNamespaces().mnt;
  const dockerd = ownMnt === null ? undefined : procs.find((p) => p.comm === 'dockerd' && p.uid === 0 && p.namespaces?.mnt === ownMnt);
  const argv = dockerd?.cmdline?.split(' ') ?? [];
  // A command line cut at 4 KiB (procfs.ts) may end inside the path: its last word is not a whole one.
  if (dockerd?.cmdlineTruncated) argv.pop();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--data-root=')) return a.slice('--data-root='.length);
    if ((a === '--data-root' || a === '-g' || a === '--graph') && argv[i + 1]) return argv[i + 1];
  }
  const cfg = obj(readJson(daemonJson, []));
  return str(cfg?.['data-root']) ?? str(cfg?.graph) ?? fallback;
}

export function overlay2Root(dataRoot: string): string {
  return path.join(dataRoot, 'overlay2');
}

/** cgroupfs driver: `/docker/<id>`; systemd driver: `docker-<id>.scope`. */
const CGROUP_ID = /(?:\/docker\/|docker-)([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;

export function dockerIdFromCgroup(paths: string[]): string | null {
  for (const p of paths) {
    const m = CGROUP_ID.exec(p);
    if (m) return m[1];
  }
  return null;
}

function claim(ctx: EngineContext): EngineClaim | null {
  const id = dockerIdFromCgroup(ctx.cgroupPaths);
  if (!id) return null;
  const file = path.join(ctx.roots.docker, 'containers', id, 'config.v2.json');
  const cfg = obj(readJson(file, ctx.problems));
  if (!cfg) {
    // The cgroup says Docker; without the config we still know the engine and id, not the name.
    ctx.problems.push({ source: file, message: 'unreadable or missing; container named by its id' });
  }
  const config = obj(cfg?.Config);
  const name = str(cfg?.Name)?.replace(/^\//, '') ?? id.slice(0, 12);
  return {
    runtime: 'docker',
    id,
    name,
    image: str(config?.Image),
    imageId: str(cfg?.Image),
    pod: null,
    labels: stringMap(config?.Labels),
  };
}

/**
 * layerdb/sha256/<chain-id>/{cache-id,diff,size} → `<root>/overlay2/<cache-id>/diff`; and each
 * container's own layers (layerdb/mounts/<id>/{mount-id,init-id}), which have no chain or diff id.
 */
function layerIdentities(roots: EngineRoots, problems: Problem[]): Map<string, LayerRecord> {
  const out = new Map<string, LayerRecord>();
  const overlay2 = overlay2Root(roots.docker);
  const layerdb = path.join(roots.docker, 'image', 'overlay2', 'layerdb');
  for (const chain of listDir(path.join(layerdb, 'sha256'))) {
    const dir = path.join(layerdb, 'sha256', chain);
    const cacheId = readText(path.join(dir, 'cache-id'))?.trim();
    if (!cacheId) continue;
    const diffId = readText(path.join(dir, 'diff'))?.trim() ?? null;
    const sizeText = readText(path.join(dir, 'size'))?.trim();
    const size = sizeText && /^\d+$/.test(sizeText) ? Number(sizeText) : null;
    if (sizeText && size === null) problems.push({ source: path.join(dir, 'size'), message: `not a byte count: ${sizeText.slice(0, 40)}` });
    out.set(path.join(overlay2, cacheId, 'diff'), {
      identity: { engine: 'docker', id: `sha256:${chain}`, diffId, cacheId },
      sizeBytes: size,
    });
  }
  for (const cid of listDir(path.join(layerdb, 'mounts'))) {
    for (const f of ['mount-id', 'init-id']) {
      const cacheId = readText(path.join(layerdb, 'mounts', cid, f))?.trim();
      if (!cacheId) continue;
      out.set(path.join(overlay2, cacheId, 'diff'), {
        identity: { engine: 'docker', id: null, diffId: null, cacheId },
        sizeBytes: null,
      });
    }
  }
  return out;
}

/**
 * Docker's own record of the directories container `id` runs on, upper first, then lowers top-most first:
 * what `docker inspect` shows as GraphDriver.Data (moby's overlay2 driver builds UpperDir as
 * `<mount-id>/diff` and LowerDir from `<mount-id>/lower`, `l/<short>` links resolved), read from the
 * files dockerd writes as root. Only when dockerd records `initPid` as the container's process
 * (config.v2.json State.Pid): a cgroup path that merely looks like Docker's names no container of it.
 */
export function containerLayers(dataRoot: string, id: string, initPid: number): ContainerLayerRecord | null {
  const cfg = obj(readJson(path.join(dataRoot, 'containers', id, 'config.v2.json'), []));
  if (obj(cfg?.State)?.Pid !== initPid) return null;
  const mountId = readText(path.join(dataRoot, 'image', 'overlay2', 'layerdb', 'mounts', id, 'mount-id'))?.trim();
  if (!mountId || mountId.includes('/')) return null;
  const root = overlay2Root(dataRoot);
  const lower = readText(path.join(root, mountId, 'lower'))?.trim();
  const lowers: string[] = [];
  for (const link of lower ? lower.split(':') : []) {
    try {
      lowers.push(path.resolve(path.join(root, path.dirname(link)), fs.readlinkSync(path.join(root, link))));
    } catch {
      return null; // a link gone mid-read: no record rather than half of one
    }
  }
  return { layers: [path.join(root, mountId, 'diff'), ...lowers], source: `${root}/${mountId}/lower` };
}

export const docker: Engine = {
  runtimes: ['docker'],
  claim,
  layerIdentities,
  storageRoots: (roots) => [overlay2Root(roots.docker)],
  linkRoots: (roots) => [overlay2Root(roots.docker)],
  containerLayers: (roots, c, initPid) => containerLayers(roots.docker, c.id, initPid),
};
