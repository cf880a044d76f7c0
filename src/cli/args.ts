/**
 * `nodescope` argument parsing: global connection flags, then a command and its arguments. Pure, so
 * every usage error is unit-tested; a UsageError ends the CLI with exit code 2.
 */
import { OptionError, takeContainerOptions, type ContainerOptions, type LimitValues } from './containerOptions';
import { DEFAULT_LOWEST_EFFICIENCY, parseRatio, parseSize } from './layerOptions';

/**
 * A command line that cannot be run as typed. `command`: the verb it was for, so the one line printed
 * can point at that verb's own usage (`nodescope whence --help`) instead of the whole list.
 */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

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
  /** `ci`: dive's CI mode, the rules to hold (at least one when ci). */
  | { name: 'layers'; target: string; json: boolean; ci: boolean; lowestEfficiency?: number; highestWastedBytes?: number }
  /** `layer` absent: the merged view of the whole stack; given: that layer alone, or up to it with `merged`. */
  | { name: 'ls'; target: string; path: string; layer?: number; merged: boolean; json: boolean }
  | { name: 'enter'; container: string; pid?: number; shell?: string; user?: string; command: string[] }
  | { name: 'limit'; container: string; limits: LimitValues; yes: boolean; dryRun: boolean; json: boolean }
  | { name: 'launch'; from: string; options: ContainerOptions; command: string[]; yes: boolean; dryRun: boolean; json: boolean }
  | { name: 'stop'; container: string; yes: boolean; json: boolean }
  | { name: 'graph'; of: GraphOf; format: 'json' | 'dot' }
  /** `topic`: the verb whose usage to print; absent for the whole list. */
  | { name: 'help'; topic?: string }
  | { name: 'version' };

/** The graphs `nodescope graph` prints (src/model/graph/). */
export const GRAPHS = ['namespaces', 'layers'] as const;
export type GraphOf = (typeof GRAPHS)[number];

export interface Parsed {
  global: GlobalFlags;
  command: Command;
}

const GLOBAL_USAGE = `usage: nodescope [--ssh user@host[:port] [--identity FILE] [--known-hosts FILE]
                  [--jump user@host[:port]] [--accept-new-host-key]] <command>`;

/** Each verb's own usage: its synopsis and what it does; `nodescope VERB --help` prints one. */
const COMMAND_USAGE: Record<string, string> = {
  snapshot: `  snapshot [--json]                      everything on the node: containers, namespaces, layers`,
  layer: `  layer DIR [--json]                     whiteouts, opaque dirs, redirects, counts of a layer directory`,
  whence: `  whence CONTAINER PATH [--json]         which layer provides PATH in CONTAINER, or what deleted/hid it`,
  diff: `  diff CONTAINER [--json]                what CONTAINER changed against its image (A/C/D, as docker diff)`,
  pagecache: `  pagecache CONTAINER|DIR [--json] [--top N]
                                         page cache resident per layer, next to the cgroup's file charge`,
  layers: `  layers CONTAINER|IMAGE [--json] [--ci [--lowest-efficiency R] [--highest-wasted-bytes SIZE]]
                                         each layer (top first) with the command that made it, its
                                         size, files, whiteouts; wasted space and efficiency, as dive;
                                         --ci: exit 1 when a rule is broken (default: efficiency 0.9)`,
  ls: `  ls CONTAINER|IMAGE [--layer N [--merged]] [PATH] [--json]
                                         a directory (default /) of the merged view, of layer N alone,
                                         or merged up to N: entries marked A/M/R/U against the layers below`,
  enter: `  enter CONTAINER [--pid PID] [--shell PATH] [--user NAME|UID] [-- CMD...]
                                         run a shell (or CMD) inside all of CONTAINER's namespaces,
                                         as root or as a user of the container's /etc/passwd`,
  limit: `  limit CONTAINER [--memory SIZE] [--pids N] [--cpus N] [--dry-run] [--yes] [--json]
                                         change CONTAINER's cgroup limits while it runs (max lifts
                                         one); shows the change and asks first, unless --yes`,
  launch: `  launch CONTAINER [--name N] [--memory SIZE] [--pids N] [--cpus N] [--read-only]
         [--tmpfs PATH:SIZE] [--dry-run] [--yes] [--json] [-- CMD...]
                                         a test container on CONTAINER's image layers (a fresh
                                         writable layer, its own namespaces, runc); CMD defaults to
                                         what CONTAINER runs`,
  stop: `  stop NAME [--yes]                      stop and remove a container that launch made`,
  graph: `  graph namespaces|layers [--format json|dot]
                                         the namespace or layer sharing graph the panels draw, as
                                         JSON (nodes, edges; the default) or a Graphviz digraph`,
};

const CONTAINER_NOTE = 'CONTAINER is an id, a unique id prefix, or a name.';
const IMAGE_NOTE = 'IMAGE is a Docker image id, id prefix, or repository[:tag] (a container by that name is taken first).';
const LIMIT_NOTE = 'SIZE is bytes or a number with k, m, g or t (binary: 64m = 64 MiB); max (or unlimited) lifts a limit.';

export const USAGE = `${GLOBAL_USAGE}

commands:
${Object.values(COMMAND_USAGE).join('\n')}

${CONTAINER_NOTE} Exit codes: 0 ok, 1 failure, 2 usage.`;

/** The usage of one verb (`nodescope whence --help`), or of all when `topic` is not one. */
export function usageOf(topic?: string): string {
  const own = topic === undefined ? undefined : COMMAND_USAGE[topic];
  if (own === undefined) return USAGE;
  const notes = [
    own.includes('CONTAINER') ? CONTAINER_NOTE : '',
    own.includes('IMAGE') ? IMAGE_NOTE : '',
    topic === 'limit' || topic === 'launch' ? LIMIT_NOTE : '',
    'Global options (--ssh and the flags that go with it): `nodescope --help`.',
  ].filter(Boolean);
  return `usage: nodescope [global options]\n${own}${notes.length ? `\n\n${notes.join('\n')}` : ''}`;
}

/** The positional arguments each verb takes, as its usage names them. */
const POSITIONALS: Record<string, string[]> = {
  snapshot: [],
  layer: ['DIR'],
  whence: ['CONTAINER', 'PATH'],
  diff: ['CONTAINER'],
  pagecache: ['CONTAINER or DIR'],
  layers: ['CONTAINER or IMAGE'],
  ls: ['CONTAINER or IMAGE'],
  enter: ['CONTAINER'],
  limit: ['CONTAINER'],
  launch: ['CONTAINER'],
  stop: ['NAME'],
  graph: ['namespaces or layers'],
};

/** Commands that change the node: they show what they will do and ask, unless --yes. */
const ACTIONS = new Set(['limit', 'launch', 'stop']);

const GLOBAL_VALUE = new Set(['--ssh', '--identity', '--known-hosts', '--jump']);

function positiveInt(command: string, flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${flag} needs a whole number`, command);
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
  if (name === 'help') {
    // `nodescope help whence` as `nodescope whence --help`.
    if (rest.length > 1 || (rest.length && !(rest[0] in COMMAND_USAGE))) throw new UsageError(`help takes one command (${Object.keys(COMMAND_USAGE).join(', ')})`);
    return { global, command: { name: 'help', topic: rest[0] } };
  }
  if (!(name in COMMAND_USAGE)) throw new UsageError(`unknown command "${name}"`);
  const dashdash = rest.indexOf('--');
  let before = dashdash < 0 ? rest : rest.slice(0, dashdash);
  // Every verb takes --help, whatever else is on the line: asking is never a mistake.
  if (before.includes('--help') || before.includes('-h')) return { global, command: { name: 'help', topic: name } };
  let options: ContainerOptions = {};
  if (name === 'limit' || name === 'launch') {
    try {
      ({ options, rest: before } = takeContainerOptions(before, name));
    } catch (err) {
      throw err instanceof OptionError ? new UsageError(err.message, name) : err;
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
  let format: string | undefined;
  let ci = false;
  let lowestEfficiency: number | undefined;
  let highestWastedBytes: number | undefined;
  let layer: number | undefined;
  let merged = false;
  const positional: string[] = [];
  const value = (flag: string, v: string | undefined): string => {
    if (v === undefined || v.startsWith('-')) throw new UsageError(`${flag} needs a value`, name);
    return v;
  };
  for (let k = 0; k < before.length; k++) {
    const a = before[k];
    if (a === '--json') continue;
    if (a === '--top' && name === 'pagecache') top = positiveInt(name, '--top', before[++k]);
    else if (a === '--pid' && name === 'enter') pid = positiveInt(name, '--pid', before[++k]);
    else if (a === '--shell' && name === 'enter') shell = value('--shell', before[++k]);
    else if (a === '--user' && name === 'enter') user = value('--user', before[++k]);
    else if (a === '--yes' && ACTIONS.has(name)) yes = true;
    else if (a === '--ci' && name === 'layers') ci = true;
    else if ((a === '--lowest-efficiency' || a === '--highest-wasted-bytes') && name === 'layers') {
      try {
        if (a === '--lowest-efficiency') lowestEfficiency = parseRatio(a, before[++k]);
        else highestWastedBytes = parseSize(a, before[++k]);
      } catch (err) {
        throw new UsageError((err as Error).message, name);
      }
    } else if (a === '--layer' && name === 'ls') layer = positiveInt(name, '--layer', before[++k]);
    else if (a === '--merged' && name === 'ls') merged = true;
    else if (a === '--dry-run' && (name === 'limit' || name === 'launch')) dryRun = true;
    else if (a === '--format' && name === 'graph') format = value('--format', before[++k]);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`, name);
    else positional.push(a);
  }
  const usage = (message: string): UsageError => new UsageError(message, name);
  const names = POSITIONALS[name];
  if (positional.length < names.length) throw usage(`missing ${names.slice(positional.length).join(' and ')}`);
  // ls takes an optional PATH after the container.
  const most = names.length + (name === 'ls' ? 1 : 0);
  if (positional.length > most) throw usage(`unexpected argument "${positional[most]}"`);
  if (after.length && name !== 'enter' && name !== 'launch') throw usage('takes no command after --');
  if (yes && dryRun) throw usage('--dry-run or --yes, not both');
  switch (name) {
    case 'snapshot':
      return { global, command: { name, json } };
    case 'layer':
      // A relative path names a directory here; on another node there is nothing it could be relative to.
      if (global.ssh && !positional[0].startsWith('/')) throw usage(`DIR must be absolute with --ssh, got "${positional[0]}"`);
      return { global, command: { name, dir: positional[0], json } };
    case 'whence':
      if (!positional[1].startsWith('/')) throw usage(`PATH must be absolute inside the container, got "${positional[1]}"`);
      return { global, command: { name, container: positional[0], path: positional[1], json } };
    case 'diff':
      return { global, command: { name, container: positional[0], json } };
    case 'pagecache':
      if (global.ssh && isRelativeDir(positional[0])) throw usage(`DIR must be absolute with --ssh, got "${positional[0]}"`);
      return { global, command: { name, target: positional[0], json, top } };
    case 'layers':
      if ((lowestEfficiency !== undefined || highestWastedBytes !== undefined) && !ci) throw usage('--lowest-efficiency and --highest-wasted-bytes go with --ci');
      if (ci && json) throw usage('--ci or --json, not both');
      if (ci && lowestEfficiency === undefined && highestWastedBytes === undefined) lowestEfficiency = DEFAULT_LOWEST_EFFICIENCY;
      return { global, command: { name, target: positional[0], json, ci, lowestEfficiency, highestWastedBytes } };
    case 'ls': {
      const dir = positional[1] ?? '/';
      if (!dir.startsWith('/')) throw usage(`PATH must be absolute inside the container, got "${dir}"`);
      if (merged && layer === undefined) throw usage('--merged goes with --layer N (without --layer the listing is the merged view)');
      return { global, command: { name, target: positional[0], path: dir, layer, merged: layer === undefined || merged, json } };
    }
    case 'enter':
      if (json) throw usage("--json is not an option here: enter's output is the command's own");
      if (shell !== undefined && !shell.startsWith('/')) throw usage(`--shell must be an absolute path in the container, got "${shell}"`);
      if (shell !== undefined && after.length) throw usage('--shell or a command after --, not both');
      return { global, command: { name, container: positional[0], pid, shell, user, command: after } };
    case 'limit':
      if (!Object.keys(options).length) throw usage('give at least one of --memory, --pids, --cpus');
      return { global, command: { name, container: positional[0], limits: options, yes, dryRun, json } };
    case 'launch':
      return { global, command: { name, from: positional[0], options, command: after, yes, dryRun, json } };
    case 'stop':
      return { global, command: { name, container: positional[0], yes, json } };
    case 'graph': {
      const of = positional[0];
      if (!(GRAPHS as readonly string[]).includes(of)) throw usage(`no graph "${of}": namespaces or layers`);
      if (format !== undefined && format !== 'json' && format !== 'dot') throw usage(`--format is json or dot, got "${format}"`);
      if (json && format === 'dot') throw usage('--json or --format dot, not both');
      return { global, command: { name, of: of as GraphOf, format: format === 'dot' ? 'dot' : 'json' } };
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}
