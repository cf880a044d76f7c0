/**
 * One snapshot of the node. Each kernel source is read once (one pass over /proc, one mountinfo read
 * per mount namespace); engines then only add names. Processes vanish mid-scan all the time: the
 * readers below treat ENOENT/ESRCH as "gone", so nothing here throws for churn.
 */
import * as os from 'os';
import type { ContainerInfo, NamespaceInfo, ProcessInfo, Problem, Snapshot } from '../protocol';
import { NS_TYPES, SCHEMA_VERSION } from '../protocol';
import { detectCgroupVersion } from './cgroups';
import { discoverContainers } from './containers';
import { layerIdentities, overlayRoots, resolveEngineRoots, type EngineOptions, type EngineRoots } from './engines';
import { boundContainer, boundNamespace } from './bounded';
import { buildLayerInventory } from './layerInventory';
import { readMountTables } from './mountinfo';
import { buildNamespaces } from './namespaces';
import { relativeLayerResolver } from './overlay';
import { ownNamespaces, readProcesses } from './procfs';
import { processOrder } from './snapshotOrder';

/** Same source and message → one entry (e.g. a layerdb file read for every container). */
export function dedupeProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.source}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Each namespace lists every container using it (a `--pid host` container uses the host's pid ns). */
function linkNamespaces(namespaces: NamespaceInfo[], containers: ContainerInfo[]): void {
  const index = new Map(namespaces.map((n) => [`${n.type}:${n.inode}`, n]));
  for (const c of containers) {
    for (const t of NS_TYPES) {
      const ino = c.namespaces[t];
      const ns = ino === null ? undefined : index.get(`${t}:${ino}`);
      if (ns && !ns.containerIds.includes(c.id)) ns.containerIds.push(c.id);
    }
  }
}

export interface SnapshotOptions {
  agentVersion?: string;
  /** Where engines keep their state (tests: fixture trees); by default found on the node. */
  engines?: EngineOptions;
}

export function takeSnapshot(opts: SnapshotOptions = {}): Snapshot {
  return observeNode(opts).snapshot;
}

/** A snapshot, and the engine roots it was taken with: later requests about its containers look there. */
export function observeNode(opts: SnapshotOptions = {}): { snapshot: Snapshot; engineRoots: EngineRoots } {
  const problems: Problem[] = [];
  const procs = readProcesses(problems);
  const host = ownNamespaces();
  const mountTables = readMountTables(procs, problems, host.pid);
  const namespaces = buildNamespaces(procs, host, mountTables, problems);

  const engineRoots = resolveEngineRoots(procs, opts.engines);
  const { containers, containerOf } = discoverContainers(
    procs,
    host,
    mountTables,
    problems,
    relativeLayerResolver(overlayRoots(engineRoots)),
    engineRoots,
  );
  linkNamespaces(namespaces, containers);
  const layers = buildLayerInventory(containers, layerIdentities(engineRoots, problems));

  const processes: ProcessInfo[] = procs.map((p) => {
    const info: ProcessInfo = {
      pid: p.pid,
      ppid: p.ppid,
      comm: p.comm,
      cmdline: p.cmdline,
      uid: p.uid,
      namespaces: p.namespaces,
      nspid: p.nspid,
      containerId: containerOf.get(p.pid) ?? null,
      threads: p.threads,
      startTime: p.startTime,
    };
    if (p.cmdlineTruncated) info.truncated = true;
    return info;
  });
  // Already in this order (readdir's); sorted so that the order a client's copy keeps is stated, not assumed.
  processes.sort(processOrder);
  // Names, labels and mount paths come from the node: cut before they reach the wire.
  containers.forEach(boundContainer);
  namespaces.forEach(boundNamespace);

  const snapshot: Snapshot = {
    schemaVersion: SCHEMA_VERSION,
    takenAt: new Date().toISOString(),
    agentVersion: opts.agentVersion ?? 'dev',
    host: {
      hostname: os.hostname(),
      kernel: os.release(),
      arch: os.arch(),
      cgroupVersion: detectCgroupVersion(),
      namespaces: host,
      processCount: processes.length,
    },
    processes,
    namespaces,
    containers,
    layers,
    problems: dedupeProblems(problems),
  };
  return { snapshot, engineRoots };
}
