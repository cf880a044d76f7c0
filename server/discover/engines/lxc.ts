/**
 * LXC: the container's cgroup is `/lxc/<name>` (LXC < 4) or `lxc.payload.<name>` / `lxc.payload/<name>`
 * (LXC 4+, which keeps its monitor in `lxc.monitor.<name>`). The name is all LXC records there.
 */
import type { Engine, EngineClaim, EngineContext } from './engine';

const PATTERNS = [/(?:^|\/)lxc\/([^/]+)/, /(?:^|\/)lxc\.payload[./]([^/]+)/];

export function lxcNameFromCgroup(paths: string[]): string | null {
  for (const p of paths) {
    for (const re of PATTERNS) {
      const m = re.exec(p);
      if (m) return m[1];
    }
  }
  return null;
}

function claim(ctx: EngineContext): EngineClaim | null {
  const name = lxcNameFromCgroup(ctx.cgroupPaths);
  if (!name) return null;
  return { runtime: 'lxc', id: name, name, image: null, imageId: null, pod: null, labels: {} };
}

export const lxc: Engine = { runtimes: ['lxc'], claim };
