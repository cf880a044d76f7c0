/**
 * The options that shape a container, as people type them: on the command line (`nodescope limit` and
 * `nodescope launch`) and in the editor's "Launch Test Container" box, one parser for both so the same
 * words mean the same thing. Sizes and CPUs as docker takes them (server/units.ts).
 */
import { parseLimitBytes, parseLimitCount, parseLimitCpus } from '../../server/units';
import { SHAREABLE_NS, type LaunchParams, type ShareableNs } from '../../server/protocol';

export class OptionError extends Error {}

/** New limits: absent = unchanged (limit) or none (launch), null = no limit ("max"). */
export interface LimitValues {
  memoryBytes?: number | null;
  pidsMax?: number | null;
  cpus?: number | null;
}

export interface ContainerOptions extends LimitValues {
  name?: string;
  readOnly?: boolean;
  tmpfs?: { path: string; sizeBytes: number }[];
  shareNs?: LaunchParams['shareNs'];
  hostname?: string;
  capAdd?: string[];
  capDrop?: string[];
  userNs?: boolean;
  env?: string[];
}

/** `db:net,pid` → join db's net and pid namespaces. */
function shareNsOf(text: string): NonNullable<LaunchParams['shareNs']> {
  const colon = text.lastIndexOf(':');
  const types = colon < 0 ? [] : text.slice(colon + 1).split(',');
  if (colon < 1 || !types.every((t) => (SHAREABLE_NS as readonly string[]).includes(t))) {
    throw new OptionError(`--share-ns takes CONTAINER:TYPES with TYPES some of ${SHAREABLE_NS.join(',')}, e.g. web:net,pid; got "${text}"`);
  }
  return { container: text.slice(0, colon), types: types as ShareableNs[] };
}

/** `--env K=V`: the agent checks the key; here only that there is one. */
function envOf(text: string): string {
  if (text.indexOf('=') < 1) throw new OptionError(`--env takes KEY=VALUE; got "${text}"`);
  return text;
}

/** `/tmp:16m` → a tmpfs at /tmp of 16 MiB. */
function tmpfsOf(text: string): { path: string; sizeBytes: number } {
  const colon = text.lastIndexOf(':');
  const p = colon < 0 ? text : text.slice(0, colon);
  if (!p.startsWith('/') || colon < 0) throw new OptionError(`--tmpfs takes PATH:SIZE with an absolute PATH, e.g. /tmp:16m; got "${text}"`);
  const size = parseLimitBytes(text.slice(colon + 1));
  if (size === null) throw new OptionError(`--tmpfs ${p}: give a size, not max`);
  return { path: p, sizeBytes: size };
}

/**
 * One option that shapes a container: how it is typed, what its value is called in the usage (absent for
 * a switch), which verbs take it, and how it sets the options. The CLI's option tables and its usage are
 * made from this list (src/cli/verbOptions.ts), the editor's box reads the same list.
 */
export interface ContainerOptionDef {
  name: string;
  value?: string;
  multiple?: boolean;
  verbs: readonly ('limit' | 'launch')[];
  set: (options: ContainerOptions, text: string) => void;
}

const BOTH = ['limit', 'launch'] as const;
const LAUNCH = ['launch'] as const;

export const CONTAINER_OPTIONS: readonly ContainerOptionDef[] = [
  { name: 'name', value: 'N', verbs: LAUNCH, set: (o, v) => (o.name = v) },
  { name: 'memory', value: 'SIZE', verbs: BOTH, set: (o, v) => (o.memoryBytes = parseLimitBytes(v)) },
  { name: 'pids', value: 'N', verbs: BOTH, set: (o, v) => (o.pidsMax = parseLimitCount(v)) },
  { name: 'cpus', value: 'N', verbs: BOTH, set: (o, v) => (o.cpus = parseLimitCpus(v)) },
  { name: 'read-only', verbs: LAUNCH, set: (o) => (o.readOnly = true) },
  { name: 'tmpfs', value: 'PATH:SIZE', multiple: true, verbs: LAUNCH, set: (o, v) => (o.tmpfs = [...(o.tmpfs ?? []), tmpfsOf(v)]) },
  { name: 'share-ns', value: 'C:TYPES', verbs: LAUNCH, set: (o, v) => (o.shareNs = shareNsOf(v)) },
  { name: 'hostname', value: 'NAME', verbs: LAUNCH, set: (o, v) => (o.hostname = v) },
  // Names as docker takes them (NET_ADMIN, net_admin, CAP_NET_ADMIN, ALL); the agent checks them against the kernel's list.
  { name: 'cap-drop', value: 'CAP', multiple: true, verbs: LAUNCH, set: (o, v) => (o.capDrop = [...(o.capDrop ?? []), ...v.split(',')]) },
  { name: 'cap-add', value: 'CAP', multiple: true, verbs: LAUNCH, set: (o, v) => (o.capAdd = [...(o.capAdd ?? []), ...v.split(',')]) },
  { name: 'user-ns', verbs: LAUNCH, set: (o) => (o.userNs = true) },
  { name: 'env', value: 'K=V', multiple: true, verbs: LAUNCH, set: (o, v) => (o.env = [...(o.env ?? []), envOf(v)]) },
];

/** The options `which` takes, in the order its usage shows them. */
export function containerOptionsOf(which: 'limit' | 'launch'): ContainerOptionDef[] {
  return CONTAINER_OPTIONS.filter((d) => d.verbs.includes(which));
}

/**
 * Sets one option typed as `flag` (`--memory`) with `text` (undefined for a switch, or when nothing
 * followed the flag). A value must not look like another flag; an error names the flag.
 */
export function applyContainerOption(options: ContainerOptions, def: ContainerOptionDef, flag: string, text: string | undefined): void {
  if (def.value !== undefined && (text === undefined || text.startsWith('--'))) throw new OptionError(`${flag} needs a value`);
  try {
    def.set(options, text ?? '');
  } catch (err) {
    if (err instanceof OptionError) throw err;
    throw new OptionError(`${flag}: ${(err as Error).message}`);
  }
}

/**
 * Takes the options `which` allows out of `words` and returns them with the words left over (the
 * caller's own flags and arguments). A flag's value is the next word; an error names the flag.
 */
export function takeContainerOptions(words: string[], which: 'limit' | 'launch'): { options: ContainerOptions; rest: string[] } {
  const options: ContainerOptions = {};
  const rest: string[] = [];
  const defs = containerOptionsOf(which);
  for (let k = 0; k < words.length; k++) {
    const a = words[k];
    const def = a.startsWith('--') ? defs.find((d) => d.name === a.slice(2)) : undefined;
    if (!def) rest.push(a);
    else applyContainerOption(options, def, a, def.value === undefined ? undefined : words[++k]);
  }
  return { options, rest };
}

/**
 * A command line typed in the editor, split as a POSIX shell would split a simple command: words by
 * blanks, '…' literal, "…" with \\ escapes, \\ outside quotes. No expansions. Throws on an open quote.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new OptionError("a ' is not closed");
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      word ??= '';
      for (i++; i < line.length && line[i] !== '"'; i++)
        word += line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '') ? line[++i] : line[i];
      if (i >= line.length) throw new OptionError('a " is not closed');
    } else if (ch === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
