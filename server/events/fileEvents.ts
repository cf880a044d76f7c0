/**
 * inotify (fs.watch) on what the kernel and engines change when a namespace or a container comes or goes:
 *   - /run/netns: `ip netns add|delete` makes and removes its bind-mount files there;
 *   - containerd's task state directories (one per namespace: default, moby, k8s.io), where a task's
 *     directory appears at its start and goes at its end;
 *   - on cgroup v2, each container's `cgroup.events` (populated 0/1) and `memory.events` (oom_kill): the
 *     kernel signals a modification of these files when their values change.
 * On cgroup v1 there is nothing to watch cheaply: memory.oom_control needs an eventfd registered through
 * cgroup.event_control, which Node cannot make; Docker's own `oom` event and the backstop pass cover it.
 * Like engine events these are hints: each only asks for a pass.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Snapshot } from '../protocol';
import type { ChangeSource } from '../watch';

/** At most this many cgroup files watched (two per container): inotify watches are a per-user budget. */
const MAX_CGROUP_WATCHES = 4000;
const CGROUP_V2_ROOT = '/sys/fs/cgroup';

/** Watches `dirs` (those that exist) and, as snapshots come, the cgroup files of their containers. */
export function fileEvents(dirs: readonly string[], poke: (why: string) => void, cgroupRoot = CGROUP_V2_ROOT): ChangeSource {
  const dirWatches: fs.FSWatcher[] = [];
  for (const dir of dirs) {
    const w = watchQuietly(dir, () => poke(`${dir} changed`));
    if (w) dirWatches.push(w);
  }
  const cgroupWatches = new Map<string, fs.FSWatcher>();
  return {
    update(s: Snapshot) {
      const wanted = new Set<string>();
      if (s.host.cgroupVersion === 'v2') {
        for (const c of s.containers) {
          const rel = c.cgroup?.version === 'v2' ? safeRelative(c.cgroup.path) : null;
          if (rel === null || wanted.size >= MAX_CGROUP_WATCHES) continue;
          wanted.add(path.join(cgroupRoot, rel, 'cgroup.events'));
          wanted.add(path.join(cgroupRoot, rel, 'memory.events'));
        }
      }
      for (const [file, w] of cgroupWatches) {
        if (wanted.has(file)) continue;
        w.close();
        cgroupWatches.delete(file);
      }
      for (const file of wanted) {
        if (cgroupWatches.has(file)) continue;
        const w = watchQuietly(file, () => poke(`${path.basename(file)} changed`));
        if (w) cgroupWatches.set(file, w);
      }
    },
    stop() {
      for (const w of [...dirWatches, ...cgroupWatches.values()]) w.close();
      dirWatches.length = 0;
      cgroupWatches.clear();
    },
  };
}

/** containerd's task directories to watch: the runtime's root and each of its namespaces' directories. */
export function containerdTaskDirs(root = '/run/containerd/io.containerd.runtime.v2.task'): string[] {
  try {
    const names = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.isSymbolicLink());
    return [root, ...names.slice(0, 64).map((d) => path.join(root, d.name))];
  } catch {
    return [];
  }
}

/** A cgroup path from the node (`/system.slice/docker-….scope`) made relative, or null when it could lead out. */
function safeRelative(p: string): string | null {
  const parts = p.split('/').filter((x) => x.length > 0);
  if (parts.some((x) => x === '..' || x === '.') || parts.length === 0) return null;
  return parts.join('/');
}

/** fs.watch, or null when the path is not there or cannot be watched (the backstop pass still sees it). */
function watchQuietly(p: string, onChange: () => void): fs.FSWatcher | null {
  try {
    const w = fs.watch(p, { persistent: false }, onChange);
    // A watched directory or file that goes (a cgroup removed) errors once; the next update drops it.
    w.on('error', () => w.close());
    return w;
  } catch {
    return null;
  }
}
