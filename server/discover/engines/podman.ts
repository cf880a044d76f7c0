/**
 * podman and CRI-O, both on containers/storage: the container id comes from the cgroup
 * path (`libpod-<id>.scope`, `crio-<id>.scope`, cgroupfs `/libpod_parent/libpod-<id>`), names and image
 * from overlay-containers/containers.json, whose `metadata` field is itself a JSON string written by
 * the engine (podman: `name`, `image-name`; CRI-O: `pod-name`, `pod-id`, `metadata-name`, ...).
 */
import * as path from 'path';
import type { PodInfo, Problem } from '../../protocol';
import type { Engine, EngineClaim, EngineContext, EngineRoots, LayerRecord } from './engine';
import { obj, readJson, str } from './stateFiles';

function overlayRoot(roots: EngineRoots): string {
  return path.join(roots.containersStorage, 'overlay');
}

const CGROUP_ID = /(libpod|crio)-([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;

function parseMetadata(v: unknown): Record<string, unknown> | null {
  if (typeof v !== 'string') return obj(v);
  try {
    return obj(JSON.parse(v));
  } catch {
    return null;
  }
}

function claim(ctx: EngineContext): EngineClaim | null {
  let match: RegExpExecArray | null = null;
  for (const p of ctx.cgroupPaths) if ((match = CGROUP_ID.exec(p))) break;
  if (!match) return null;
  const [, kind, id] = match;
  const file = path.join(ctx.roots.containersStorage, 'overlay-containers', 'containers.json');
  const list = readJson(file, ctx.problems);
  const entry = Array.isArray(list) ? (list.map(obj).find((c) => c?.id === id) ?? null) : null;
  const meta = parseMetadata(entry?.metadata);
  const names = Array.isArray(entry?.names) ? entry.names.filter((n): n is string => typeof n === 'string') : [];
  let pod: PodInfo | null = null;
  const podName = str(meta?.['pod-name']);
  if (podName) {
    pod = {
      name: podName,
      namespace: str(meta?.['metadata-namespace']) ?? str(meta?.namespace) ?? '',
      uid: str(meta?.['pod-id']),
      containerName: str(meta?.['metadata-name']),
    };
  }
  return {
    runtime: kind === 'crio' ? 'cri-o' : 'podman',
    id,
    name: str(meta?.name) ?? names[0] ?? id.slice(0, 12),
    image: str(meta?.['image-name']),
    imageId: str(entry?.image),
    pod,
    labels: {},
  };
}

/** overlay-layers/layers.json: `[{id, parent, diff-digest, diff-size, ...}]` → `<root>/overlay/<id>/diff`. */
function layerIdentities(roots: EngineRoots, problems: Problem[]): Map<string, LayerRecord> {
  const out = new Map<string, LayerRecord>();
  const list = readJson(path.join(roots.containersStorage, 'overlay-layers', 'layers.json'), problems);
  if (!Array.isArray(list)) return out;
  for (const raw of list) {
    const layer = obj(raw);
    const id = str(layer?.id);
    if (!id) continue;
    const size = layer?.['diff-size'];
    out.set(path.join(overlayRoot(roots), id, 'diff'), {
      identity: { engine: 'containers-storage', id, diffId: str(layer?.['diff-digest']), cacheId: null },
      sizeBytes: typeof size === 'number' && Number.isSafeInteger(size) ? size : null,
    });
  }
  return out;
}

/** podman and CRI-O: one engine, since both keep their containers in containers/storage. */
export const podman: Engine = {
  runtimes: ['podman', 'cri-o'],
  claim,
  layerIdentities,
  storageRoots: (roots) => [overlayRoot(roots)],
  linkRoots: (roots) => [overlayRoot(roots)],
};
