/**
 * What lands in a snapshot from text the node controls, cut to a size (issue 8, "Bounded everything").
 * A container chooses its command lines, its hostname, its mount points and (through its image) its
 * labels; 500 processes with 1.8 MB command lines once made a snapshot too large for one JavaScript
 * string and took the agent and the extension host with it. Each cut is said: a process carries
 * `truncated`, a container `truncated` and a line in `unknown` naming what was cut.
 *
 * Cuts are in UTF-8 bytes (what crosses the wire) and never split a character: a cut string is still
 * valid text, a prefix of the original.
 */
import type { CgroupInfo, ContainerInfo, MountInfo, NamespaceInfo } from '../protocol';

/** A command line is read up to this many bytes (of /proc/PID/cmdline), never more. */
export const CMDLINE_MAX_BYTES = 4096;
/** Any other single string from the node: a name, a label's key or value, a path (PATH_MAX). */
export const TEXT_MAX_BYTES = 4096;
/** Labels kept per container (Docker and Kubernetes objects carry tens). */
export const LABELS_MAX = 256;
/** Mounts kept per container (a pod's container has tens; a system container a few hundred). */
export const MOUNTS_MAX = 4096;
/** Bind mounts listed per namespace (one is usual: /run/netns/NAME). */
export const BIND_MOUNTS_MAX = 64;

/**
 * The length, in bytes, of the longest prefix of `bytes[0, max)` that ends on a character boundary:
 * a UTF-8 continuation byte (10xxxxxx) at the cut means the character it belongs to started before it.
 */
export function utf8Boundary(bytes: Uint8Array, max: number): number {
  if (bytes.length <= max) return bytes.length;
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return end;
}

/** `s` cut to at most `max` UTF-8 bytes on a character boundary, or null when it fits already. */
export function cutText(s: string, max = TEXT_MAX_BYTES): string | null {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most strings are known to fit without encoding them.
  if (s.length * 3 <= max || Buffer.byteLength(s) <= max) return null;
  // Only the head is encoded: `max` units give at least `max` bytes.
  const bytes = Buffer.from(s.slice(0, max));
  return bytes.toString('utf8', 0, utf8Boundary(bytes, max));
}

/** Cuts the fields of a container the node controls, in place; says what was cut in `unknown`. */
export function boundContainer(c: ContainerInfo): ContainerInfo {
  const cuts: string[] = [];
  const text = <T extends string | null>(field: string, v: T): T => {
    if (v === null) return v;
    const cut = cutText(v);
    if (cut === null) return v;
    cuts.push(`${field} (${Buffer.byteLength(v)} bytes)`);
    return cut as T;
  };
  c.name = text('name', c.name);
  c.image = text('image', c.image);
  c.imageId = text('imageId', c.imageId);
  c.hostname = text('hostname', c.hostname);
  c.lsmLabel = text('lsmLabel', c.lsmLabel);
  if (c.pod) {
    c.pod.name = text('pod.name', c.pod.name);
    c.pod.namespace = text('pod.namespace', c.pod.namespace);
    c.pod.uid = text('pod.uid', c.pod.uid);
    c.pod.containerName = text('pod.containerName', c.pod.containerName);
  }
  c.labels = boundLabels(c.labels, cuts);
  if (c.rootfs) c.rootfs.source = text('rootfs.source', c.rootfs.source);
  if (c.cgroup) c.cgroup = boundCgroup(c.cgroup, cuts);
  if (c.mounts.length > MOUNTS_MAX) {
    cuts.push(`mounts (${c.mounts.length}, the first ${MOUNTS_MAX} kept)`);
    c.mounts = c.mounts.slice(0, MOUNTS_MAX);
  }
  let mountCuts = 0;
  for (const m of c.mounts) if (boundMount(m)) mountCuts++;
  if (mountCuts) cuts.push(`paths or options of ${mountCuts} mount${mountCuts === 1 ? '' : 's'}`);
  if (cuts.length) {
    c.truncated = true;
    c.unknown.push({ source: 'snapshot', message: `cut to ${TEXT_MAX_BYTES} bytes a field or ${LABELS_MAX} labels: ${cuts.join(', ')}` });
  }
  return c;
}

function boundLabels(labels: Record<string, string>, cuts: string[]): Record<string, string> {
  const keys = Object.keys(labels);
  let cutEntries = 0;
  const out: Record<string, string> = {};
  for (const k of keys.slice(0, LABELS_MAX)) {
    const key = cutText(k);
    const value = cutText(labels[k]);
    if (key !== null || value !== null) cutEntries++;
    out[key ?? k] = value ?? labels[k];
  }
  if (keys.length > LABELS_MAX) cuts.push(`labels (${keys.length}, the first ${LABELS_MAX} kept)`);
  if (cutEntries) cuts.push(`${cutEntries} label${cutEntries === 1 ? '' : 's'} over ${TEXT_MAX_BYTES} bytes`);
  return out;
}

/** Cuts a mount's strings in place; true when any was cut. */
function boundMount(m: MountInfo): boolean {
  let cut = false;
  for (const f of ['target', 'source', 'root', 'options', 'superOptions', 'fstype'] as const) {
    const v = cutText(m[f]);
    if (v !== null) {
      m[f] = v;
      cut = true;
    }
  }
  return cut;
}

/**
 * A cgroup's paths: a container with CAP_SYS_ADMIN in its cgroup namespace names and nests its cgroups
 * as it likes (cgroup.max.depth is unlimited by default). The kernel refuses a /proc/PID/cgroup line past
 * PATH_MAX, so these fit today; the cut keeps that true whatever reads them. The reading is shared by the
 * containers of one cgroup (cgroups.ts snapshotCgroupReader): a cut one is a copy.
 */
function boundCgroup(cg: CgroupInfo, cuts: string[]): CgroupInfo {
  const path = cutText(cg.path);
  const entries = Object.entries(cg.paths).map(([k, v]) => [k, v, cutText(v)] as const);
  if (path === null && entries.every(([, , cut]) => cut === null)) return cg;
  cuts.push(`cgroup paths (the longest ${Math.max(...[cg.path, ...Object.values(cg.paths)].map((p) => Buffer.byteLength(p)))} bytes)`);
  return { ...cg, path: path ?? cg.path, paths: Object.fromEntries(entries.map(([k, v, cut]) => [k, cut ?? v])) };
}

/** Bind-mount targets of a namespace: each a path, and a bounded list of them. */
export function boundNamespace(n: NamespaceInfo): NamespaceInfo {
  const all = n.bindMounts;
  const kept = all.slice(0, BIND_MOUNTS_MAX).map((p) => cutText(p) ?? p);
  if (all.length > BIND_MOUNTS_MAX || kept.some((p, i) => p !== all[i])) {
    n.bindMounts = kept;
    n.truncated = true;
  }
  return n;
}
