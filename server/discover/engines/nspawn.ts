/**
 * systemd-nspawn: machines run in `machine.slice/machine-<name>.scope`, the name escaped by systemd's
 * unit-name escaping (systemd.unit(5): `-` becomes `\x2d`, other bytes `\xNN`).
 */
import type { Engine, EngineClaim, EngineContext } from './engine';

const SCOPE = /machine\.slice\/machine-(.+?)\.scope(?:\/|$)/;

export function unescapeUnitName(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function nspawnNameFromCgroup(paths: string[]): string | null {
  for (const p of paths) {
    const m = SCOPE.exec(p);
    if (m) return unescapeUnitName(m[1]);
  }
  return null;
}

function claim(ctx: EngineContext): EngineClaim | null {
  const name = nspawnNameFromCgroup(ctx.cgroupPaths);
  if (!name) return null;
  return { runtime: 'nspawn', id: name, name, image: null, imageId: null, pod: null, labels: {} };
}

export const nspawn: Engine = { runtimes: ['nspawn'], claim };
