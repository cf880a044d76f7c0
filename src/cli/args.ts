/**
 * `nodescope` argument parsing: global connection flags, then a command and its arguments, read with
 * node:util's parseArgs against the option tables of src/cli/verbOptions.ts (which the usage texts are
 * made from too). Pure, so every usage error is unit-tested; a UsageError ends the CLI with exit code 2.
 */
import { parseArgs as tokenize } from 'node:util';
import { NS_TYPES } from '../../server/protocol';
import { applyContainerOption, type ContainerOptions, type LimitValues } from './containerOptions';
import { DEFAULT_LOWEST_EFFICIENCY } from './layerOptions';
import { GLOBAL_OPTIONS, parserOptions, VERBS, word, type OptionDef } from './verbOptions';

export { USAGE, usageOf } from './usageText';

/**
 * A command line that cannot be run as typed. `command`: the verb it was for, so the one line printed
 * can point at that verb's own usage (`nodescope whence --help`) instead of the whole list.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export interface GlobalFlags {
  ssh?: string;
  /** Every --ssh after the first: the command runs on each node (a fleet, src/cli/fleet.ts). */
  alsoSsh?: string[];
  /** --hosts: a Host pattern of the SSH config whose hosts are the fleet. */
  hosts?: string;
  identity: string[];
  knownHosts: string[];
  jump: string[];
  acceptNewHostKey: boolean;
}

export type Command =
  | { name: 'snapshot'; json: boolean }
  | { name: 'watch'; json: boolean }
  | { name: 'layer'; dir: string; json: boolean }
  | { name: 'whence'; container: string; path: string; json: boolean }
  | { name: 'diff'; container: string; json: boolean }
  | { name: 'diagnose'; container: string; json: boolean }
  | { name: 'pagecache'; target: string; json: boolean; top: number }
  /** `ci`: dive's CI mode, the rules to hold (at least one when ci). */
  | { name: 'layers'; target: string; json: boolean; ci: boolean; lowestEfficiency?: number; highestWastedBytes?: number }
  /** `layer` absent: the merged view of the whole stack; given: that layer alone, or up to it with `merged`. */
  | { name: 'ls'; target: string; path: string; layer?: number; merged: boolean; json: boolean }
  | { name: 'enter'; container: string; pid?: number; shell?: string; user?: string; namespaces?: string[]; command: string[] }
  | { name: 'debug'; container: string; pid?: number; toolbox?: string; command: string[] }
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

/**
 * pagecache takes a container or a directory. Container names and ids never contain a slash, so
 * anything with one (or `.`/`..`) is a directory; an absolute one is sent as is.
 */
export function isRelativeDir(target: string): boolean {
  return !target.startsWith('/') && (target === '.' || target === '..' || target.includes('/'));
}

/** The words as parseArgs' tokens (options, positionals, the `--`), in order, against the options `defs`. */
function tokensOf(args: string[], defs: OptionDef[]) {
  return tokenize({ args, options: parserOptions(defs), strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** The global flags up to the verb, and where the verb is; help or version as soon as either is seen. */
function parseGlobal(argv: string[]): { global: GlobalFlags; verbAt: number } | Parsed {
  const global: GlobalFlags = { identity: [], knownHosts: [], jump: [], acceptNewHostKey: false };
  for (const t of tokensOf(argv, GLOBAL_OPTIONS)) {
    if (t.kind === 'positional') return { global, verbAt: t.index };
    if (t.kind === 'option-terminator') throw new UsageError('unknown option --');
    if (t.name === 'help') return { global, command: { name: 'help' } };
    if (t.name === 'version') return { global, command: { name: 'version' } };
    const def = GLOBAL_OPTIONS.find((d) => d.name === t.name);
    if (!def) throw new UsageError(`unknown option ${t.rawName}`);
    if (def.value === undefined) {
      global.acceptNewHostKey = true;
      continue;
    }
    if (t.value === undefined || t.value.startsWith('--')) throw new UsageError(`${t.rawName} needs a value`);
    if (t.name === 'ssh' && global.ssh !== undefined) global.alsoSsh = [...(global.alsoSsh ?? []), t.value];
    else if (t.name === 'ssh') global.ssh = t.value;
    else if (t.name === 'hosts') global.hosts = t.value;
    else if (t.name === 'identity') global.identity.push(t.value);
    else if (t.name === 'known-hosts') global.knownHosts.push(t.value);
    else global.jump.push(t.value);
  }
  return { global, verbAt: argv.length };
}

/** A verb's options and positional arguments, each value read by its option's definition. */
function parseVerbWords(name: string, words: string[]): { values: Map<string, unknown>; options: ContainerOptions; positional: string[] } {
  const defs = VERBS[name].options;
  const values = new Map<string, unknown>();
  const options: ContainerOptions = {};
  const positional: string[] = [];
  for (const t of tokensOf(words, defs)) {
    if (t.kind === 'option-terminator') break;
    if (t.kind === 'positional') {
      // parseArgs takes a lone `-` as an argument; no verb has a use for one.
      if (t.value.startsWith('-')) throw new UsageError(`unknown option ${t.value}`, name);
      positional.push(t.value);
      continue;
    }
    const def = defs.find((d) => d.name === t.name);
    if (!def) throw new UsageError(`unknown option ${t.rawName}`, name);
    try {
      if (def.container) applyContainerOption(options, def.container, t.rawName, t.value);
      else if (def.value !== undefined) values.set(def.name, (def.read ?? word)(t.rawName, t.value));
      else if (t.value !== undefined) throw new Error(`${t.rawName} takes no value`);
      else values.set(def.name, true);
    } catch (err) {
      throw new UsageError((err as Error).message, name);
    }
  }
  return { values, options, positional };
}

export function parseArgs(argv: string[]): Parsed {
  const head = parseGlobal(argv);
  if ('command' in head) return head;
  const { global, verbAt } = head;
  if (
    (global.identity.length || global.knownHosts.length || global.jump.length || global.acceptNewHostKey) &&
    !global.ssh &&
    !global.hosts
  ) {
    throw new UsageError('--identity, --known-hosts, --jump and --accept-new-host-key go with --ssh or --hosts');
  }
  const name = argv[verbAt];
  if (!name) throw new UsageError('no command given');
  const rest = argv.slice(verbAt + 1);
  if (name === 'help') {
    // `nodescope help whence` as `nodescope whence --help`.
    if (rest.length > 1 || (rest.length && !(rest[0] in VERBS)))
      throw new UsageError(`help takes one command (${Object.keys(VERBS).join(', ')})`);
    return { global, command: { name: 'help', topic: rest[0] } };
  }
  if (!(name in VERBS)) throw new UsageError(`unknown command "${name}"`);
  const dashdash = rest.indexOf('--');
  const before = dashdash < 0 ? rest : rest.slice(0, dashdash);
  // Every verb takes --help, whatever else is on the line (even as another flag's value): asking is never a mistake.
  if (before.includes('--help') || before.includes('-h')) return { global, command: { name: 'help', topic: name } };
  const after = dashdash < 0 ? [] : rest.slice(dashdash + 1);
  const { values, options, positional } = parseVerbWords(name, rest);
  const flag = (k: string): boolean => values.get(k) === true;
  const num = (k: string): number | undefined => values.get(k) as number | undefined;
  const str = (k: string): string | undefined => values.get(k) as string | undefined;
  const json = flag('json');
  const yes = flag('yes');
  const dryRun = flag('dry-run');
  const usage = (message: string): UsageError => new UsageError(message, name);
  const { args, optionalArg, command: takesCommand } = VERBS[name];
  if (positional.length < args.length)
    throw usage(
      `missing ${args
        .slice(positional.length)
        .map((a) => a.replace('|', ' or '))
        .join(' and ')}`,
    );
  const most = args.length + (optionalArg ? 1 : 0);
  if (positional.length > most) throw usage(`unexpected argument "${positional[most]}"`);
  if (after.length && !takesCommand) throw usage('takes no command after --');
  if (yes && dryRun) throw usage('--dry-run or --yes, not both');
  switch (name) {
    case 'snapshot':
    case 'watch':
      return { global, command: { name, json } };
    case 'layer':
      // A relative path names a directory here; on another node there is nothing it could be relative to.
      if ((global.ssh || global.hosts) && !positional[0].startsWith('/'))
        throw usage(`DIR must be absolute with --ssh, got "${positional[0]}"`);
      return { global, command: { name, dir: positional[0], json } };
    case 'whence':
      if (!positional[1].startsWith('/')) throw usage(`PATH must be absolute inside the container, got "${positional[1]}"`);
      return { global, command: { name, container: positional[0], path: positional[1], json } };
    case 'diff':
    case 'diagnose':
      return { global, command: { name, container: positional[0], json } };
    case 'pagecache':
      if ((global.ssh || global.hosts) && isRelativeDir(positional[0]))
        throw usage(`DIR must be absolute with --ssh, got "${positional[0]}"`);
      return { global, command: { name, target: positional[0], json, top: num('top') ?? 10 } };
    case 'layers': {
      const ci = flag('ci');
      let lowestEfficiency = num('lowest-efficiency');
      const highestWastedBytes = num('highest-wasted-bytes');
      if ((lowestEfficiency !== undefined || highestWastedBytes !== undefined) && !ci)
        throw usage('--lowest-efficiency and --highest-wasted-bytes go with --ci');
      if (ci && json) throw usage('--ci or --json, not both');
      if (ci && lowestEfficiency === undefined && highestWastedBytes === undefined) lowestEfficiency = DEFAULT_LOWEST_EFFICIENCY;
      return { global, command: { name, target: positional[0], json, ci, lowestEfficiency, highestWastedBytes } };
    }
    case 'ls': {
      const layer = num('layer');
      const merged = flag('merged');
      const dir = positional[1] ?? '/';
      if (!dir.startsWith('/')) throw usage(`PATH must be absolute inside the container, got "${dir}"`);
      if (merged && layer === undefined) throw usage('--merged goes with --layer N (without --layer the listing is the merged view)');
      return { global, command: { name, target: positional[0], path: dir, layer, merged: layer === undefined || merged, json } };
    }
    case 'enter': {
      const shell = str('shell');
      if (json) throw usage("--json is not an option here: enter's output is the command's own");
      if (shell !== undefined && !shell.startsWith('/')) throw usage(`--shell must be an absolute path in the container, got "${shell}"`);
      if (shell !== undefined && after.length) throw usage('--shell or a command after --, not both');
      const ns = str('ns');
      // Checked by the agent too (known types, at least one); here so that a typo never reaches a node.
      const namespaces = ns === undefined ? undefined : ns.split(',').map((t) => t.trim());
      const unknown = namespaces?.find((t) => !(NS_TYPES as readonly string[]).includes(t));
      if (unknown !== undefined) throw usage(`--ns takes namespace types separated by commas (${NS_TYPES.join(', ')}), got "${unknown}"`);
      return {
        global,
        command: {
          name,
          container: positional[0],
          pid: num('pid'),
          shell,
          user: str('user'),
          ...(namespaces && { namespaces }),
          command: after,
        },
      };
    }
    case 'debug': {
      const toolbox = str('toolbox');
      if (json) throw usage("--json is not an option here: debug's output is the command's own");
      if (toolbox !== undefined && !toolbox.startsWith('/'))
        throw usage(`--toolbox must be an absolute path on the node, got "${toolbox}"`);
      return { global, command: { name, container: positional[0], pid: num('pid'), toolbox, command: after } };
    }
    case 'limit':
      if (!Object.keys(options).length) throw usage('give at least one of --memory, --pids, --cpus');
      return { global, command: { name, container: positional[0], limits: options, yes, dryRun, json } };
    case 'launch':
      return { global, command: { name, from: positional[0], options, command: after, yes, dryRun, json } };
    case 'stop':
      return { global, command: { name, container: positional[0], yes, json } };
    case 'graph': {
      const of = positional[0];
      const format = str('format');
      if (!(GRAPHS as readonly string[]).includes(of)) throw usage(`no graph "${of}": namespaces or layers`);
      if (format !== undefined && format !== 'json' && format !== 'dot') throw usage(`--format is json or dot, got "${format}"`);
      if (json && format === 'dot') throw usage('--json or --format dot, not both');
      return { global, command: { name, of: of as GraphOf, format: format === 'dot' ? 'dot' : 'json' } };
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}
