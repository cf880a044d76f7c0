/**
 * `nodescope` argument parsing: global connection flags, then a command and its arguments. Pure, so
 * every usage error is unit-tested; a UsageError ends the CLI with exit code 2.
 */
import { OptionError, takeContainerOptions, type ContainerOptions, type LimitValues } from './containerOptions';

export class UsageError extends Error {}

export interface GlobalFlags {
  ssh?: string;
  identity: string[];
  knownHosts: string[];
  jump: string[];
  acceptNewHostKey: boolean;
}

export type Command =
  | { name: 'snapshot'; json: boolean }
  | { name: 'layer'; dir: string; json: boolean }
  | { name: 'whence'; container: string; path: string; json: boolean }
  | { name: 'diff'; container: string; json: boolean }
  | { name: 'pagecache'; target: string; json: boolean; top: number }
  | { name: 'enter'; container: string; pid?: number; shell?: string; user?: string; command: string[] }
  | { name: 'limit'; container: string; limits: LimitValues; yes: boolean; dryRun: boolean; json: boolean }
  | { name: 'launch'; from: string; options: ContainerOptions; command: string[]; yes: boolean; dryRun: boolean; json: boolean }
  | { name: 'stop'; container: string; yes: boolean; json: boolean }
  | { name: 'help' }
  | { name: 'version' };

export interface Parsed {
  global: GlobalFlags;
  command: Command;
}

export const USAGE = `usage: nodescope [--ssh user@host[:port] [--identity FILE] [--known-hosts FILE]
                  [--jump user@host[:port]] [--accept-new-host-key]] <command>

commands:
  snapshot [--json]                      everything on the node: containers, namespaces, layers
  layer DIR [--json]                     whiteouts, opaque dirs, redirects, counts of a layer directory
  whence CONTAINER PATH [--json]         which layer provides PATH in CONTAINER, or what deleted/hid it
  diff CONTAINER [--json]                what CONTAINER changed against its image (A/C/D, as docker diff)
  pagecache CONTAINER|DIR [--json] [--top N]
                                         page cache resident per layer, next to the cgroup's file charge
  enter CONTAINER [--pid PID] [--shell PATH] [--user NAME|UID] [-- CMD...]
                                         run a shell (or CMD) inside all of CONTAINER's namespaces,
                                         as root or as a user of the container's /etc/passwd
  limit CONTAINER [--memory SIZE] [--pids N] [--cpus N] [--dry-run] [--yes] [--json]
                                         change CONTAINER's cgroup limits while it runs (max lifts
                                         one); shows the change and asks first, unless --yes
  launch CONTAINER [--name N] [--memory SIZE] [--pids N] [--cpus N] [--read-only]
         [--tmpfs PATH:SIZE] [--dry-run] [--yes] [--json] [-- CMD...]
                                         a test container on CONTAINER's image layers (a fresh
                                         writable layer, its own namespaces, runc); CMD defaults to
                                         what CONTAINER runs
  stop NAME [--yes]                      stop and remove a container that launch made

CONTAINER is an id, a unique id prefix, or a name. Exit codes: 0 ok, 1 failure, 2 usage.`;

/** Commands that change the node: they show what they will do and ask, unless --yes. */
const ACTIONS = new Set(['limit', 'launch', 'stop']);

const GLOBAL_VALUE = new Set(['--ssh', '--identity', '--known-hosts', '--jump']);

function positiveInt(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${flag} needs a whole number`);
  return Number(v);
}

/**
 * pagecache takes a container or a directory. Container names and ids never contain a slash, so
 * anything with one (or `.`/`..`) is a directory; an absolute one is sent as is.
 */
export function isRelativeDir(target: string): boolean {
  return !target.startsWith('/') && (target === '.' || target === '..' || target.includes('/'));
}

export function parseArgs(argv: string[]): Parsed {
  const global: GlobalFlags = { identity: [], knownHosts: [], jump: [], acceptNewHostKey: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { global, command: { name: 'help' } };
    if (a === '--version' || a === '-V') return { global, command: { name: 'version' } };
    if (a === '--accept-new-host-key') {
      global.acceptNewHostKey = true;
      continue;
    }
    if (GLOBAL_VALUE.has(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      if (a === '--ssh') global.ssh = v;
      else if (a === '--identity') global.identity.push(v);
      else if (a === '--known-hosts') global.knownHosts.push(v);
      else global.jump.push(v);
      continue;
    }
    if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    break;
  }
  if ((global.identity.length || global.knownHosts.length || global.jump.length || global.acceptNewHostKey) && !global.ssh) {
    throw new UsageError('--identity, --known-hosts, --jump and --accept-new-host-key go with --ssh');
  }
  const name = argv[i];
  if (!name) throw new UsageError('no command given');
  const rest = argv.slice(i + 1);
  const dashdash = rest.indexOf('--');
  let before = dashdash < 0 ? rest : rest.slice(0, dashdash);
  let options: ContainerOptions = {};
  if (name === 'limit' || name === 'launch') {
    try {
      ({ options, rest: before } = takeContainerOptions(before, name));
    } catch (err) {
      throw err instanceof OptionError ? new UsageError(err.message) : err;
    }
  }
  const after = dashdash < 0 ? [] : rest.slice(dashdash + 1);
  const json = before.includes('--json');
  let top = 10;
  let pid: number | undefined;
  let shell: string | undefined;
  let user: string | undefined;
  let yes = false;
  let dryRun = false;
  const positional: string[] = [];
  const value = (flag: string, v: string | undefined): string => {
    if (v === undefined || v.startsWith('-')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let k = 0; k < before.length; k++) {
    const a = before[k];
    if (a === '--json') continue;
    if (a === '--top' && name === 'pagecache') top = positiveInt('--top', before[++k]);
    else if (a === '--pid' && name === 'enter') pid = positiveInt('--pid', before[++k]);
    else if (a === '--shell' && name === 'enter') shell = value('--shell', before[++k]);
    else if (a === '--user' && name === 'enter') user = value('--user', before[++k]);
    else if (a === '--yes' && ACTIONS.has(name)) yes = true;
    else if (a === '--dry-run' && (name === 'limit' || name === 'launch')) dryRun = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} for ${name}`);
    else positional.push(a);
  }
  const want = (n: number, what: string): void => {
    if (positional.length < n) throw new UsageError(`${name} needs ${what}`);
    if (positional.length > n) throw new UsageError(`${name}: unexpected argument "${positional[n]}"`);
  };
  if (after.length && name !== 'enter' && name !== 'launch') throw new UsageError(`${name} takes no command after --`);
  if (yes && dryRun) throw new UsageError(`${name}: --dry-run or --yes, not both`);
  switch (name) {
    case 'snapshot':
      want(0, '');
      return { global, command: { name, json } };
    case 'layer':
      want(1, 'a directory');
      // A relative path names a directory here; on another node there is nothing it could be relative to.
      if (global.ssh && !positional[0].startsWith('/')) throw new UsageError(`layer: DIR must be absolute with --ssh, got "${positional[0]}"`);
      return { global, command: { name, dir: positional[0], json } };
    case 'whence':
      want(2, 'a container and a path');
      if (!positional[1].startsWith('/')) throw new UsageError(`whence: PATH must be absolute inside the container, got "${positional[1]}"`);
      return { global, command: { name, container: positional[0], path: positional[1], json } };
    case 'diff':
      want(1, 'a container');
      return { global, command: { name, container: positional[0], json } };
    case 'pagecache':
      want(1, 'a container or a directory');
      if (global.ssh && isRelativeDir(positional[0])) throw new UsageError(`pagecache: DIR must be absolute with --ssh, got "${positional[0]}"`);
      return { global, command: { name, target: positional[0], json, top } };
    case 'enter':
      if (json) throw new UsageError('enter has no --json');
      want(1, 'a container');
      if (shell !== undefined && !shell.startsWith('/')) throw new UsageError(`enter: --shell must be an absolute path in the container, got "${shell}"`);
      if (shell !== undefined && after.length) throw new UsageError('enter: --shell or a command after --, not both');
      return { global, command: { name, container: positional[0], pid, shell, user, command: after } };
    case 'limit':
      want(1, 'a container');
      if (!Object.keys(options).length) throw new UsageError('limit needs at least one of --memory, --pids, --cpus');
      return { global, command: { name, container: positional[0], limits: options, yes, dryRun, json } };
    case 'launch':
      want(1, 'a container to launch from');
      return { global, command: { name, from: positional[0], options, command: after, yes, dryRun, json } };
    case 'stop':
      want(1, 'a container Nodescope launched');
      return { global, command: { name, container: positional[0], yes, json } };
    case 'help':
      return { global, command: { name: 'help' } };
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}
