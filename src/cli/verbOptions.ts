/**
 * What `nodescope` accepts, as one table per verb: its positional arguments, its options with what their
 * values are called and how they are read, and what it does. The parser's configuration (node:util's
 * parseArgs) and every usage text (src/cli/usageText.ts) are made from these tables, so a flag added here
 * is parsed and documented at once. Pure.
 */
import type { ParseArgsConfig } from 'node:util';
import { containerOptionsOf, type ContainerOptionDef } from './containerOptions';
import { parseRatio, parseSize } from './layerOptions';

export interface OptionDef {
  /** As typed, without the dashes: `lowest-efficiency`. */
  name: string;
  short?: string;
  /** What the value is called in the usage (`N`, `SIZE`); absent for a switch. */
  value?: string;
  multiple?: boolean;
  /** Reads the typed value (undefined when nothing followed the flag); throws one line naming the flag. */
  read?: (flag: string, text: string | undefined) => unknown;
  /** Shown nested under this option, which it goes with: `[--ci [--lowest-efficiency R]]`. */
  under?: string;
  /** Taken but not shown: `--json` where a verb's output has no JSON form to choose. */
  hidden?: boolean;
  /** One of the options that shape a container (src/cli/containerOptions.ts). */
  container?: ContainerOptionDef;
}

export interface VerbDef {
  /** The positional arguments, as the usage names them; `|` separates alternatives (`CONTAINER|DIR`). */
  args: string[];
  /** One more, optional, after them: ls's `PATH`. */
  optionalArg?: string;
  options: OptionDef[];
  /** Takes a command after `--`. */
  command?: boolean;
  /** What it does, a line each, as the usage prints it. */
  about: string[];
}

/** A value that must be there and must not look like a flag. */
export function word(flag: string, text: string | undefined): string {
  if (text === undefined || text.startsWith('-')) throw new Error(`${flag} needs a value`);
  return text;
}

export function wholeNumber(flag: string, text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new Error(`${flag} needs a whole number`);
  return Number(text);
}

/** Global flags: before the verb; a value must not look like a long flag. */
export const GLOBAL_OPTIONS: OptionDef[] = [
  { name: 'help', short: 'h' },
  { name: 'version', short: 'V' },
  { name: 'ssh', value: 'user@host[:port]', multiple: true },
  { name: 'hosts', value: 'PATTERN' },
  { name: 'identity', value: 'FILE', multiple: true, under: 'ssh' },
  { name: 'known-hosts', value: 'FILE', multiple: true, under: 'ssh' },
  { name: 'jump', value: 'user@host[:port]', multiple: true, under: 'ssh' },
  { name: 'accept-new-host-key', under: 'ssh' },
];

const json: OptionDef = { name: 'json' };
const hiddenJson: OptionDef = { ...json, hidden: true };
const yes: OptionDef = { name: 'yes' };
const dryRun: OptionDef = { name: 'dry-run' };
const containerOptions = (verb: 'limit' | 'launch'): OptionDef[] =>
  containerOptionsOf(verb).map((d) => ({ name: d.name, value: d.value, multiple: d.multiple, container: d }));

export const VERBS: Record<string, VerbDef> = {
  snapshot: { args: [], options: [json], about: ['everything on the node: containers, namespaces, layers'] },
  layer: { args: ['DIR'], options: [json], about: ['whiteouts, opaque dirs, redirects, counts of a layer directory'] },
  whence: { args: ['CONTAINER', 'PATH'], options: [json], about: ['which layer provides PATH in CONTAINER, or what deleted/hid it'] },
  diff: { args: ['CONTAINER'], options: [json], about: ['what CONTAINER changed against its image (A/C/D, as docker diff)'] },
  diagnose: {
    args: ['CONTAINER'],
    options: [json],
    about: [
      'why CONTAINER is broken: OOM kills (victim, time, memory), exits',
      'and restarts, memory by process, CPU throttling, what it wrote,',
      'its network namespace (interfaces, routes, sockets and owners)',
    ],
  },
  pagecache: {
    args: ['CONTAINER|DIR'],
    options: [json, { name: 'top', value: 'N', read: wholeNumber }],
    about: ["page cache resident per layer, next to the cgroup's file charge"],
  },
  layers: {
    args: ['CONTAINER|IMAGE'],
    options: [
      json,
      { name: 'ci' },
      { name: 'lowest-efficiency', value: 'R', read: parseRatio, under: 'ci' },
      { name: 'highest-wasted-bytes', value: 'SIZE', read: parseSize, under: 'ci' },
    ],
    about: [
      'each layer (top first) with the command that made it, its',
      'size, files, whiteouts; wasted space and efficiency, as dive;',
      '--ci: exit 1 when a rule is broken (default: efficiency 0.9)',
    ],
  },
  ls: {
    args: ['CONTAINER|IMAGE'],
    optionalArg: 'PATH',
    options: [{ name: 'layer', value: 'N', read: wholeNumber }, { name: 'merged', under: 'layer' }, json],
    about: [
      'a directory (default /) of the merged view, of layer N alone,',
      'or merged up to N: entries marked A/M/R/U against the layers below',
    ],
  },
  enter: {
    args: ['CONTAINER'],
    options: [
      { name: 'pid', value: 'PID', read: wholeNumber },
      { name: 'shell', value: 'PATH', read: word },
      { name: 'user', value: 'NAME|UID', read: word },
      { name: 'ns', value: 'TYPE,…', read: word },
      // Taken so that the refusal can say why: enter's output is the command's own.
      hiddenJson,
    ],
    command: true,
    about: [
      "run a shell (or CMD) inside all of CONTAINER's namespaces,",
      "as root or as a user of the container's /etc/passwd; --ns net,pid,…",
      "only those (without mnt: the node's files and tools)",
    ],
  },
  debug: {
    args: ['CONTAINER'],
    options: [{ name: 'pid', value: 'PID', read: wholeNumber }, { name: 'toolbox', value: 'PATH', read: word }, hiddenJson],
    command: true,
    about: [
      "a shell (or CMD) inside all of CONTAINER's namespaces, its files",
      "at /, with the node's static busybox on PATH (--toolbox PATH:",
      'another); for containers without a shell or tools. The',
      'container sees no change (a private copy of its mounts)',
    ],
  },
  limit: {
    args: ['CONTAINER'],
    options: [...containerOptions('limit'), dryRun, yes, json],
    about: ["change CONTAINER's cgroup limits while it runs (max lifts", 'one); shows the change and asks first, unless --yes'],
  },
  launch: {
    args: ['CONTAINER'],
    options: [...containerOptions('launch'), dryRun, yes, json],
    command: true,
    about: [
      "a test container on CONTAINER's image layers (a fresh",
      'writable layer, its own namespaces, runc); CMD defaults to',
      'what CONTAINER runs',
    ],
  },
  stop: { args: ['NAME'], options: [yes, hiddenJson], about: ['stop and remove a container that launch made'] },
  graph: {
    args: ['namespaces|layers'],
    options: [{ name: 'format', value: 'json|dot', read: word }, hiddenJson],
    about: ['the namespace or layer sharing graph the panels draw, as', 'JSON (nodes, edges; the default) or a Graphviz digraph'],
  },
  watch: {
    args: [],
    options: [json],
    about: [
      'one line per change until Ctrl-C: container started or stopped,',
      'limit changed, OOM kill, namespace appeared or vanished (all engines)',
    ],
  },
};

/** node:util parseArgs' options for a table; every verb also takes --help (-h). */
export function parserOptions(defs: OptionDef[]): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const d of defs)
    out[d.name] = {
      type: d.value === undefined ? 'boolean' : 'string',
      multiple: d.multiple === true,
      ...(d.short ? { short: d.short } : {}),
    };
  return out;
}
