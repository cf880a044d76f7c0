/**
 * containerd, and Kubernetes through its CRI plugin. Task state lives in
 * /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/ with `config.json` (the OCI runtime
 * spec) and `init.pid`. The CRI plugin records the pod in the spec's annotations:
 * io.kubernetes.cri.{sandbox-name,sandbox-namespace,sandbox-uid,container-name,image-name}.
 * A task matches when its id appears in the init's cgroup path or its init.pid is our init.
 */
import * as path from 'path';
import type { PodInfo, Problem } from '../../protocol';
import type { Engine, EngineClaim, EngineContext, EngineRoots, LayerRecord } from './engine';
import { listDir, obj, readJson, readText, stringMap } from './stateFiles';

function findTask(ctx: EngineContext): { ns: string; id: string; dir: string } | null {
  const taskRoot = ctx.roots.containerdTasks;
  for (const ns of listDir(taskRoot)) {
    for (const id of listDir(path.join(taskRoot, ns))) {
      const dir = path.join(taskRoot, ns, id);
      const byCgroup = ctx.cgroupPaths.some((p) => p.split(/[/:]/).some((part) => part === id || part.endsWith(`-${id}.scope`)));
      const pid = readText(path.join(dir, 'init.pid'))?.trim();
      if (byCgroup || pid === String(ctx.initPid)) return { ns, id, dir };
    }
  }
  return null;
}

function claim(ctx: EngineContext): EngineClaim | null {
  const task = findTask(ctx);
  if (!task) return null;
  const spec = obj(readJson(path.join(task.dir, 'config.json'), ctx.problems));
  const ann = stringMap(spec?.annotations);
  const podName = ann['io.kubernetes.cri.sandbox-name'];
  const pod: PodInfo | null = podName
    ? {
        name: podName,
        namespace: ann['io.kubernetes.cri.sandbox-namespace'] ?? '',
        uid: ann['io.kubernetes.cri.sandbox-uid'] ?? null,
        containerName: ann['io.kubernetes.cri.container-name'] ?? null,
      }
    : null;
  return {
    runtime: pod ? 'kubernetes' : 'containerd',
    id: task.id,
    // A pod's sandbox ("pause") container has no container-name; it is named after its pod.
    name: pod?.containerName ?? (pod ? `${pod.name} (sandbox)` : task.id),
    image: ann['io.kubernetes.cri.image-name'] ?? null,
    imageId: null,
    pod,
    labels: {},
  };
}

/**
 * The overlayfs snapshotter keeps its ids in a bbolt database (metadata.db) we do not parse; the
 * snapshot id is the directory name itself, which is the identity containerd uses for it.
 */
function layerIdentities(roots: EngineRoots, _problems: Problem[]): Map<string, LayerRecord> {
  const out = new Map<string, LayerRecord>();
  for (const n of listDir(roots.containerdSnapshots)) {
    out.set(path.join(roots.containerdSnapshots, n, 'fs'), {
      identity: { engine: 'containerd', id: n, diffId: null, cacheId: null },
      sizeBytes: null,
    });
  }
  return out;
}

/** containerd, and Kubernetes pods through its CRI plugin. */
export const containerd: Engine = {
  runtimes: ['containerd', 'kubernetes'],
  claim,
  layerIdentities,
  storageRoots: (roots) => [roots.containerdSnapshots],
};
