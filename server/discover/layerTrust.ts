/**
 * Which of a container's overlay layers are directories on the host. The layer paths come from the
 * container's own mountinfo: strings the overlay was mounted with, resolved in the mount namespace (and
 * root, and working directory) of whoever mounted it. An unprivileged user can make a user namespace,
 * mount a tmpfs on /root there and an overlay with `lowerdir=/root/s`: the string then names the host's
 * /root/s, which the overlay never saw. So a layer path is a host path only once verified on the host:
 *
 *  1. absolute and normal (no `.`, `..`, `//`), under one of the engines' storage roots
 *     (engines/index.ts storageRoots), which only root writes;
 *  2. a directory reached from the host's root with no symlink in any component (openat2
 *     RESOLVE_NO_SYMLINKS, sys/hostDir.ts): a link planted under a root cannot lead out of it;
 *  3. when the container's mount namespace is owned by a user namespace other than the agent's (the
 *     initial one), the strings may have been chosen by anyone who can make a user namespace. Then every
 *     layer must be named, in order, by its engine's own record of this container (Docker: what `docker
 *     inspect` shows as GraphDriver), and the engine must confirm the init process as its container's.
 *     A mount namespace owned by the initial user namespace could only be set up by a process with
 *     CAP_SYS_ADMIN there, i.e. root on the host, and its strings are trusted once 1 and 2 hold.
 *
 * Why not compare the layer directory's device and inode with what the overlay shows: the overlay does
 * not show them. Measured here (kernel 6.18) on `lowerdir=/tmp/u/bb:/root/s`, layers on two filesystems:
 * the merged root directory reports the overlay's own device and a made-up inode (2); a file reports a
 * per-layer pseudo device (not the layer's real one) and the real inode number of the lower file. Only
 * bare inode numbers of files come through, and an inode number alone proves nothing: a tmpfs the
 * attacker mounts numbers its inodes from 1 upwards, so any value can be reached by creating files.
 * Resolving the string inside the container's mount namespace is no proof either: the attacker can
 * lazily unmount the tmpfs after mounting the overlay, and the string then resolves to the host's
 * directory there too, while the overlay still holds the tmpfs's.
 */
import * as path from 'path';
import { ErrorCodes, type ContainerInfo, type LayerRef, type RootfsInfo } from '../protocol';
import { refuse } from '../failure';
import { hostDirIdentity } from '../sys/hostDir';
import { nsRelations } from '../sys/nsfs';
import { ownNamespaces } from './procfs';

export interface LayerTrustInput {
  /** The overlay's layers as rootfsOf read them: upper first, then lowers, then data-only lowers. */
  layers: LayerRef[];
  /** Whether the container's mount namespace is owned by the initial user namespace; null when unknown. */
  initialUserNs: boolean | null;
  /** The engine's record of this container's directories (upper first), when it confirms the container. */
  record: { layers: string[]; source: string } | null;
  storageRoots: string[];
}

/** Why `p` is not a layer directory on the host (checks 1 and 2), or null when it is one. */
export function hostLayerDirProblem(p: string, storageRoots: string[]): string | null {
  if (!p.startsWith('/') || path.posix.normalize(p) !== p || p.endsWith('/')) return 'not an absolute, normalised path';
  if (!storageRoots.some((r) => p.startsWith(`${r}/`))) return "not under an engine's storage root";
  const id = hostDirIdentity(p);
  if ('error' in id) {
    return id.error === 'ELOOP'
      ? 'reached through a symlink on the host'
      : id.error === 'ENOSYS'
        ? 'cannot be checked here (native calls unavailable)'
        : `not a directory on the host (${id.error})`;
  }
  return null;
}

/** Why the strings of a namespace outside the initial user namespace are not trusted, or null. */
function recordProblem(input: LayerTrustInput): string | null {
  if (input.initialUserNs === true) return null;
  const whose =
    input.initialUserNs === null
      ? 'the owner of its mount namespace is unknown'
      : 'its mount namespace belongs to a user namespace of its own';
  if (!input.record) return `${whose}, and no engine's record of this container names its layers`;
  const named = input.layers.map((l) => l.path);
  const same = named.length === input.record.layers.length && named.every((p, i) => p === input.record!.layers[i]);
  return same ? null : `${whose}, and its engine's record (${input.record.source}) names other directories`;
}

/** The layers with `hostPath` set where verified and `unverified` saying why not elsewhere. */
export function verifyLayers(input: LayerTrustInput): LayerRef[] {
  const shared = recordProblem(input);
  return input.layers.map((l) => {
    const why = shared ?? hostLayerDirProblem(l.path, input.storageRoots);
    return { ...l, hostPath: why === null ? l.path : null, unverified: why };
  });
}

/** What a refusal says about a layer that is not a host directory. */
export function notVerified(l: LayerRef): string {
  return `its layer ${JSON.stringify(l.path)} is not verified as a directory on the host (${l.unverified ?? 'not checked'})`;
}

/** Whether the mount namespace `mnt` of `pid` is owned by the agent's (the initial) user namespace; null: unknown. */
export function mountNsOwnedByHost(pid: number, mnt: number | null, hostUserNs: number | null = ownNamespaces().user): boolean | null {
  if (mnt === null || hostUserNs === null) return null;
  // Checked to be the same namespace (a reused pid answers ESRCH, owner null): unknown, never the host's.
  const owner = nsRelations(`/proc/${pid}/ns/mnt`, { type: 'mnt', inode: mnt }).ownerUserNs;
  return owner === null ? null : owner === hostUserNs;
}

/**
 * The container's overlay root for the verbs that read its layers on the host (whence, diff, page
 * cache). Its layers are read when all are verified, or when its mount namespace is the initial user
 * namespace's: root set those strings up (a bare overlay of its own outside the engines' roots), as
 * root could read them anyway. Refused otherwise: the strings are anyone's, and reading them here would
 * read whatever the host has at those paths.
 */
export function rootfsOnHost(c: ContainerInfo): RootfsInfo {
  const rootfs = c.rootfs!;
  const bad = rootfs.layers.find((l) => !l.hostPath);
  if (bad && mountNsOwnedByHost(c.initPid, c.namespaces.mnt) !== true) {
    throw refuse(ErrorCodes.NotPermitted, `${c.name}'s layers are not read here: ${notVerified(bad)}`);
  }
  return rootfs;
}
