/**
 * `nodescope --help` and `nodescope VERB --help`, made from the option tables (src/cli/verbOptions.ts):
 * a verb's synopsis is its arguments and its shown options, an option that goes with another nested
 * inside it. Pure.
 */
import { GLOBAL_OPTIONS, VERBS, type OptionDef } from './verbOptions';

/** Where a verb's description starts, and where a synopsis wraps. */
const COLUMN = 41;
const WIDTH = 100;

const CONTAINER_NOTE = 'CONTAINER is an id, a unique id prefix, or a name.';
const IMAGE_NOTE = 'IMAGE is a Docker image id, id prefix, or repository[:tag] (a container by that name is taken first).';
const LIMIT_NOTE = 'SIZE is bytes or a number with k, m, g or t (binary: 64m = 64 MiB); max (or unlimited) lifts a limit.';

/** The options as bracketed groups, those that go with another inside its brackets: `[--ci`, `[--x R]]`. */
function optionGroups(defs: OptionDef[]): string[] {
  const shown = defs.filter((d) => !d.hidden);
  const one = (d: OptionDef): string => `--${d.name}${d.value === undefined ? '' : ` ${d.value}`}`;
  const out: string[] = [];
  for (const d of shown.filter((o) => o.under === undefined)) {
    const inner = shown.filter((o) => o.under === d.name).map((o) => `[${one(o)}]`);
    if (!inner.length) out.push(`[${one(d)}]`);
    else out.push(`[${one(d)}`, ...inner.slice(0, -1), `${inner[inner.length - 1]}]`);
  }
  return out;
}

/** `first` then the words, a line at most WIDTH long, later lines indented by `indent`. */
function wrap(first: string, words: string[], indent: number): string[] {
  const lines = [first];
  for (const w of words) {
    const last = lines[lines.length - 1];
    if (last.length + 1 + w.length > WIDTH && last.trim().includes(' ')) lines.push(`${' '.repeat(indent)}${w}`);
    else lines[lines.length - 1] = `${last} ${w}`;
  }
  return lines;
}

/** One verb's entry: its synopsis, then what it does at COLUMN (on the same line when there is room). */
function verbEntry(verb: string): string {
  const def = VERBS[verb];
  const words = [
    ...def.args,
    ...(def.optionalArg ? [`[${def.optionalArg}]`] : []),
    ...optionGroups(def.options),
    ...(def.command ? ['[-- CMD...]'] : []),
  ];
  const lines = wrap(`  ${verb}`, words, verb.length + 3);
  const about = [...def.about];
  if (lines.length === 1 && lines[0].length < COLUMN - 1) lines[0] = lines[0].padEnd(COLUMN) + about.shift();
  return [...lines, ...about.map((a) => `${' '.repeat(COLUMN)}${a}`)].join('\n');
}

const GLOBAL_USAGE = wrap(
  'usage: nodescope',
  [...optionGroups(GLOBAL_OPTIONS.filter((d) => d.name !== 'help' && d.name !== 'version')), '<command>'],
  'usage: nodescope ['.length,
).join('\n');

export const USAGE = `${GLOBAL_USAGE}

commands:
${Object.keys(VERBS).map(verbEntry).join('\n')}

${CONTAINER_NOTE} Exit codes: 0 ok, 1 failure, 2 usage.`;

/** The usage of one verb (`nodescope whence --help`), or of all when `topic` is not one. */
export function usageOf(topic?: string): string {
  if (topic === undefined || !(topic in VERBS)) return USAGE;
  const own = verbEntry(topic);
  const notes = [
    own.includes('CONTAINER') ? CONTAINER_NOTE : '',
    own.includes('IMAGE') ? IMAGE_NOTE : '',
    VERBS[topic].options.some((o) => o.container) ? LIMIT_NOTE : '',
    'Global options (--ssh and the flags that go with it): `nodescope --help`.',
  ].filter(Boolean);
  return `usage: nodescope [global options]\n${own}${notes.length ? `\n\n${notes.join('\n')}` : ''}`;
}
