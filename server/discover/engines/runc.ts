/**
 * Plain runc: /run/runc/<id>/state.json (and containerd's per-namespace roots
 * /run/containerd/runc/<ns>/<id>/state.json). Matched by `init_process_pid`, confirmed by
 * `init_process_start` (clock ticks since boot, like /proc/PID/stat field 22) so a reused PID is not
 * mistaken for the container's init.
 */
import * as path from 'path';
import type { Engine, EngineClaim, EngineContext, EngineRoots } from './engine';
import { listDir, obj, readJson, str } from './stateFiles';

function stateRoots(roots: EngineRoots): string[] {
  return [...roots.runc, ...listDir(roots.containerdRunc).map((ns) => path.join(roots.containerdRunc, ns))];
}

function claim(ctx: EngineContext): EngineClaim | null {
  for (const root of stateRoots(ctx.roots)) {
    for (const id of listDir(root)) {
      const file = path.join(root, id, 'state.json');
      const state = obj(readJson(file, ctx.problems));
      if (!state || state.init_process_pid !== ctx.initPid) continue;
      const start = state.init_process_start;
      if (typeof start === 'number' && ctx.proc.startTime !== null && start !== ctx.proc.startTime) continue;
      const labels: Record<string, string> = {};
      const cfgLabels = obj(state.config)?.labels;
      for (const l of Array.isArray(cfgLabels) ? cfgLabels : []) {
        if (typeof l !== 'string') continue;
        const eq = l.indexOf('=');
        if (eq > 0) labels[l.slice(0, eq)] = l.slice(eq + 1);
      }
      return { runtime: 'runc', id: str(state.id) ?? id, name: str(state.id) ?? id, image: null, imageId: null, pod: null, labels };
    }
  }
  return null;
}

export const runc: Engine = { runtimes: ['runc'], claim };
