/**
 * The values `nodescope layers --ci` takes, as dive's CI rules name them: an efficiency ratio and a byte
 * count. Pure; each throws one line saying what to give.
 */
import { parseLimitBytes } from '../../server/units';

/** dive's default rule when none is given: efficiency at least 0.9 (its `lowestEfficiency`). */
export const DEFAULT_LOWEST_EFFICIENCY = 0.9;

/** A ratio from 0 to 1 ("0.95"); a percentage is refused rather than read as a ratio of 95. */
export function parseRatio(flag: string, v: string | undefined): number {
  if (v === undefined || !/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(v)) throw new Error(`${flag} needs a ratio from 0 to 1 (0.9 = 90%)`);
  return Number(v);
}

/** Bytes, or a number with k, m, g or t (binary, as --memory); 0 allowed: no waste at all. */
export function parseSize(flag: string, v: string | undefined): number {
  if (v === undefined || v.startsWith('-'))
    throw new Error(`${flag} needs a size: bytes or a number with k, m, g or t (binary: 1m = 1 MiB)`);
  if (/^0+$/.test(v)) return 0;
  let n: number | null;
  try {
    n = parseLimitBytes(v);
  } catch {
    n = null;
  }
  if (n === null) throw new Error(`${flag} needs a size: bytes or a number with k, m, g or t (binary: 1m = 1 MiB), got "${v}"`);
  return n;
}

/** The rules broken by a report, one line each (dive's CI output, in words); empty when all hold. */
export function brokenRules(
  r: { efficiency: number; wastedBytes: number; truncated: boolean },
  rules: { lowestEfficiency?: number; highestWastedBytes?: number },
  format: (n: number) => string,
): string[] {
  const out: string[] = [];
  const cut = r.truncated ? ' (the walk stopped at its limit: at least this much)' : '';
  if (rules.lowestEfficiency !== undefined && r.efficiency < rules.lowestEfficiency) {
    out.push(`FAIL lowest-efficiency: efficiency ${Number(r.efficiency.toFixed(6))} is below ${rules.lowestEfficiency}${cut}`);
  }
  if (rules.highestWastedBytes !== undefined && r.wastedBytes > rules.highestWastedBytes) {
    out.push(
      `FAIL highest-wasted-bytes: ${format(r.wastedBytes)} (${r.wastedBytes} bytes) wasted, above ${format(rules.highestWastedBytes)} (${rules.highestWastedBytes} bytes)${cut}`,
    );
  }
  // A walk cut short may have missed waste: figures that cover part of the image pass no gate.
  if (r.truncated) out.push('FAIL complete: the walk stopped at its limit, so the figures cover only part of the layers');
  return out;
}
