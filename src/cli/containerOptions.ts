/**
 * The options that shape a container, as people type them: on the command line (`nodescope limit` and
 * `nodescope launch`) and in the editor's "Launch Test Container" box, one parser for both so the same
 * words mean the same thing. Sizes and CPUs as docker takes them (server/units.ts).
 */
import { parseLimitBytes, parseLimitCount, parseLimitCpus } from '../../server/units';

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
}

const LIMIT_FLAGS: Record<string, [keyof LimitValues, (text: string) => number | null]> = {
  '--memory': ['memoryBytes', parseLimitBytes],
  '--pids': ['pidsMax', parseLimitCount],
  '--cpus': ['cpus', parseLimitCpus],
};

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
 * Takes the options `which` allows out of `words` and returns them with the words left over (the
 * caller's own flags and arguments). A flag's value is the next word; an error names the flag.
 */
export function takeContainerOptions(words: string[], which: 'limit' | 'launch'): { options: ContainerOptions; rest: string[] } {
  const options: ContainerOptions = {};
  const rest: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const a = words[k];
    const value = (): string => {
      const v = words[++k];
      if (v === undefined || v.startsWith('--')) throw new OptionError(`${a} needs a value`);
      return v;
    };
    try {
      if (a in LIMIT_FLAGS) {
        const [key, parse] = LIMIT_FLAGS[a];
        options[key] = parse(value());
      } else if (which === 'launch' && a === '--name') options.name = value();
      else if (which === 'launch' && a === '--read-only') options.readOnly = true;
      else if (which === 'launch' && a === '--tmpfs') options.tmpfs = [...(options.tmpfs ?? []), tmpfsOf(value())];
      else rest.push(a);
    } catch (err) {
      if (err instanceof OptionError) throw err;
      throw new OptionError(`${a}: ${(err as Error).message}`);
    }
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
      if (end < 0) throw new OptionError('a \' is not closed');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      word ??= '';
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '') ? line[++i] : line[i];
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
