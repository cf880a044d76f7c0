/**
 * A Docker image's layers and history, read from dockerd's image store on disk (as root; no daemon call,
 * which can hang behind a container's lock): `image/overlay2/repositories.json` names images,
 * `imagedb/content/sha256/<id>` is the image config (its `rootfs.diff_ids` bottom-up and `history[]`),
 * and `layerdb/sha256/<chain-id>/cache-id` names the layer's directory `overlay2/<cache-id>/diff`. The
 * chain id of layer n is diff_id(0) for the bottom one, else sha256("<chain-id(n-1)> <diff_id(n)>")
 * (moby layer/layer.go CreateChainID).
 *
 * History: `docker history` shows one entry per Dockerfile instruction; entries with `empty_layer: true`
 * (ENV, LABEL, CMD...) made no layer. They are folded into the next layer's `emptyHistory`, in order, as
 * dive folds them; those after the top-most layer go to that layer's `trailingHistory`.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { ErrorCodes, type Problem } from '../protocol';
import { refuse, echo } from '../failure';
import { overlay2Root } from '../discover/engines/docker';
import { listDir, obj, readJson, readText, str } from '../discover/engines/stateFiles';

export interface DockerImageLayer {
  /** The layer directory (`overlay2/<cache-id>/diff`): still to be verified on the host before it is read. */
  dir: string;
  createdBy: string | null;
  emptyHistory: string[];
  trailingHistory?: string[];
}

export interface DockerImage {
  /** `sha256:<hex>`. */
  id: string;
  /** The first repository:tag naming it, else the short id. */
  name: string;
  /** Bottom-up, as the image config lists them. */
  layers: DockerImageLayer[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Docker's image store under its data root (engines/docker.ts dockerDataRoot). */
function imageRoot(dataRoot: string): string {
  return path.join(dataRoot, 'image', 'overlay2');
}

/** repository:tag → image id, from repositories.json. */
function repositories(dataRoot: string, problems: Problem[]): Map<string, string> {
  const out = new Map<string, string>();
  const repos = obj(obj(readJson(path.join(imageRoot(dataRoot), 'repositories.json'), problems))?.Repositories);
  for (const tags of Object.values(repos ?? {})) {
    for (const [ref, id] of Object.entries(obj(tags) ?? {})) if (typeof id === 'string') out.set(ref, id);
  }
  return out;
}

/**
 * The image `ref` names (full or prefix id, with or without `sha256:`, or repository[:tag]), or null when
 * Docker has none by that name. Several ids sharing a prefix is refused as Ambiguous.
 */
export function findDockerImage(dataRoot: string, ref: string, problems: Problem[]): { id: string; name: string } | null {
  const repos = repositories(dataRoot, problems);
  const nameOf = (id: string): string => [...repos].find(([, v]) => v === id)?.[0] ?? id.slice(7, 19);
  const tagged = repos.get(ref) ?? (ref.includes(':') || ref.includes('@') ? undefined : repos.get(`${ref}:latest`));
  if (tagged) return { id: tagged, name: ref.includes(':') ? ref : `${ref}:latest` };
  const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  if (!/^[0-9a-f]{1,64}$/.test(hex)) return null;
  const ids = listDir(path.join(imageRoot(dataRoot), 'imagedb', 'content', 'sha256')).filter((h) => HEX64.test(h) && h.startsWith(hex));
  if (ids.length > 1) throw refuse(ErrorCodes.Ambiguous, `"${echo(ref)}" matches ${ids.length} images: give more of the id`);
  return ids.length ? { id: `sha256:${ids[0]}`, name: nameOf(`sha256:${ids[0]}`) } : null;
}

/** CreateChainID: each layer's chain id from the diff ids below and at it. */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds)
    out.push(
      out.length
        ? `sha256:${createHash('sha256')
            .update(`${out[out.length - 1]} ${d}`)
            .digest('hex')}`
        : d,
    );
  return out;
}

/** History folded onto layers, bottom-up: null when the history does not have one entry per layer. */
export function foldHistory(history: unknown[], layerCount: number): LayerHistory[] | null {
  const out: LayerHistory[] = [];
  let pending: string[] = [];
  for (const h of history) {
    const e = obj(h);
    const createdBy = str(e?.created_by);
    if (e?.empty_layer === true) {
      pending.push(createdBy ?? '');
      continue;
    }
    out.push({ createdBy, emptyHistory: pending });
    pending = [];
  }
  if (out.length !== layerCount) return null;
  if (pending.length && out.length) out[out.length - 1].trailingHistory = pending;
  return out;
}

type LayerHistory = Pick<DockerImageLayer, 'createdBy' | 'emptyHistory' | 'trailingHistory'>;

/**
 * What an image config (Docker's or containerd's: the same OCI/Docker config) says of its layers: the
 * diff ids bottom-up, and each layer's history (none known when the history does not fit, said once).
 */
export function configLayers(
  cfg: Record<string, unknown>,
  source: string,
  problems: Problem[],
): { diffIds: string[]; history: LayerHistory[] } {
  const rootfs = obj(cfg.rootfs);
  const diffIds = (Array.isArray(rootfs?.diff_ids) ? (rootfs.diff_ids as unknown[]) : []).filter((d): d is string => typeof d === 'string');
  const folded = foldHistory(Array.isArray(cfg.history) ? (cfg.history as unknown[]) : [], diffIds.length);
  if (!folded) problems.push({ source, message: `its history has not one entry per layer (${diffIds.length} layers): no createdBy` });
  return { diffIds, history: folded ?? diffIds.map(() => ({ createdBy: null, emptyHistory: [] })) };
}

/** The image with id `id` (`sha256:<hex>`): its layers bottom-up with their history. */
export function readDockerImage(dataRoot: string, id: string, name: string, problems: Problem[]): DockerImage {
  const hex = id.slice(7);
  if (!id.startsWith('sha256:') || !HEX64.test(hex)) throw refuse(ErrorCodes.InvalidParams, `not an image id: ${echo(id)}`);
  const file = path.join(imageRoot(dataRoot), 'imagedb', 'content', 'sha256', hex);
  const cfg = obj(readJson(file, problems));
  if (!cfg) throw refuse(ErrorCodes.NotFound, `image ${echo(name)}: its config ${file} is unreadable or missing`);
  const { diffIds, history } = configLayers(cfg, file, problems);
  const layers: DockerImageLayer[] = chainIds(diffIds).map((chain, i) => {
    const cacheFile = path.join(imageRoot(dataRoot), 'layerdb', 'sha256', chain.replace(/^sha256:/, ''), 'cache-id');
    const cacheId = HEX64.test(chain.slice(7)) ? readText(cacheFile)?.trim() : undefined;
    // A cache id names a directory under overlay2/: nothing with a slash or a dot in it.
    const dir = cacheId && /^[0-9a-zA-Z_-]+$/.test(cacheId) ? path.join(overlay2Root(dataRoot), cacheId, 'diff') : '';
    if (!dir) problems.push({ source: cacheFile, message: `layer ${i} (${chain}) has no usable cache id: not read` });
    return { dir, ...history[i] };
  });
  return { id, name, layers };
}
