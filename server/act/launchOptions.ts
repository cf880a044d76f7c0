/**
 * The options that shape what a launched container may do and see, checked as the agent receives them:
 * capabilities (Docker's default set, minus and plus names given with or without `CAP_`), its hostname,
 * its environment, and the uid range its root maps to in a user namespace of its own. Pure but for the
 * look at the ranges earlier launches took (their bundles' config.json, the agent's own files).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCodes } from '../protocol';
import { refuse } from '../failure';
import { CAPABILITY_NAMES, DOCKER_DEFAULT_CAPS } from '../discover/capabilities';

/** A capability name as given (`net_admin`, `CAP_NET_ADMIN`) → the kernel's name; `ALL` stays `ALL`. */
function capName(flag: string, given: unknown): string {
  if (typeof given !== 'string') throw refuse(ErrorCodes.InvalidParams, `"${flag}" must be a list of capability names`);
  const upper = given.toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!CAPABILITY_NAMES.includes(name))
    throw refuse(ErrorCodes.InvalidParams, `${flag}: no capability "${given}" (e.g. NET_ADMIN or CAP_SYS_PTRACE)`);
  return name;
}

/**
 * Docker's default set, then every dropped one taken away, then every added one put in (Docker's order:
 * an added name wins over a dropped one; `ALL` drops or adds every capability this kernel names).
 */
export function capabilitiesOf(capAdd: unknown, capDrop: unknown): string[] {
  const list = (flag: string, v: unknown): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > CAPABILITY_NAMES.length + 1)
      throw refuse(ErrorCodes.InvalidParams, `"${flag}" must be a list of capability names`);
    return v.map((c) => capName(flag, c));
  };
  const add = list('capAdd', capAdd);
  const drop = list('capDrop', capDrop);
  let caps = new Set(drop.includes('ALL') ? [] : DOCKER_DEFAULT_CAPS.filter((c) => !drop.includes(c)));
  if (add.includes('ALL')) caps = new Set(CAPABILITY_NAMES);
  for (const c of add) if (c !== 'ALL') caps.add(c);
  // In the kernel's bit order, so the plan reads as /proc/PID/status decodes.
  return CAPABILITY_NAMES.filter((c) => caps.has(c));
}

/** What uname -n can hold: RFC 1123 labels, at most 64 bytes (the kernel's __NEW_UTS_LEN). */
const HOSTNAME = /^(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function checkedHostname(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !HOSTNAME.test(v)) {
    throw refuse(
      ErrorCodes.InvalidParams,
      `a hostname is letters, digits and - in dot-separated labels, at most 64 characters; got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

const ENV_MOST = 128;
const ENV_BYTES_MOST = 32 * 1024;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment: `base` (PATH, HOSTNAME), then each `KEY=VALUE` given, a later one replacing an earlier
 * one of the same key. Bounded (128 entries, 32 KiB), keys as POSIX shells take them, no NUL.
 */
export function environmentOf(base: string[], given: unknown): string[] {
  if (given === undefined) return base;
  if (!Array.isArray(given) || given.length > ENV_MOST)
    throw refuse(ErrorCodes.InvalidParams, `"env" must be a list of at most ${ENV_MOST} KEY=VALUE`);
  const env = new Map(base.map((e) => [e.slice(0, e.indexOf('=')), e]));
  let bytes = 0;
  for (const e of given) {
    const eq = typeof e === 'string' ? e.indexOf('=') : -1;
    if (eq < 1 || !ENV_KEY.test((e as string).slice(0, eq)) || (e as string).includes('\0')) {
      throw refuse(ErrorCodes.InvalidParams, `an environment entry is KEY=VALUE with KEY letters, digits and _; got ${JSON.stringify(e)}`);
    }
    bytes += (e as string).length;
    env.set((e as string).slice(0, eq), e as string);
  }
  if (bytes > ENV_BYTES_MOST) throw refuse(ErrorCodes.InvalidParams, `the environment given is more than ${ENV_BYTES_MOST / 1024} KiB`);
  return [...env.values()];
}

/** Ids a launched container's own user namespace maps: 65,536 of them, far above any login's. */
export const USERNS_SIZE = 65_536;
const USERNS_FIRST = 1_000_000_000;
const USERNS_SLOTS = 1024;
/** Ranges handed to launches whose config.json is not written yet (release() when it is, or the launch failed). */
const pending = new Set<number>();

/**
 * The first range of USERNS_SIZE ids from USERNS_FIRST that no other launched container maps (read from
 * the bundles under `launchRoot`, which only the agent writes, and the ranges of launches under way), so two test
 * containers' roots are never the same uid.
 */
export function freeUserRange(launchRoot: string): { outside: number; count: number; release: () => void } {
  const taken = new Set<number>(pending);
  let names: string[] = [];
  try {
    names = fs.readdirSync(launchRoot);
  } catch {
    /* no launches yet */
  }
  for (const n of names) {
    try {
      const spec = JSON.parse(fs.readFileSync(path.join(launchRoot, n, 'config.json'), 'utf8')) as {
        linux?: { uidMappings?: { hostID: number }[] };
      };
      for (const m of spec.linux?.uidMappings ?? []) taken.add(m.hostID);
    } catch {
      /* a bundle being made or removed has no config yet: its range, if any, is not written either */
    }
  }
  for (let slot = 0; slot < USERNS_SLOTS; slot++) {
    const outside = USERNS_FIRST + slot * USERNS_SIZE;
    if (!taken.has(outside)) {
      pending.add(outside);
      return { outside, count: USERNS_SIZE, release: () => pending.delete(outside) };
    }
  }
  throw refuse(
    ErrorCodes.Unsupported,
    `every one of ${USERNS_SLOTS} user-namespace ranges is taken by a launched container; stop some first`,
  );
}
