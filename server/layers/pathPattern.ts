/**
 * The explorer's path filter (layers.explore `pattern`). A glob when it holds `*`, `?` or `[`, else a
 * substring: people type "nginx" or "*.so" into a filter box, and both should do what they look like.
 *
 * Glob: `*` and `?` stay within one path component, `**` crosses components, `[abc]`, `[a-z]`, `[!x]`
 * a class. A glob holding `/` is matched against the whole absolute path (anchored at both ends), one
 * without against the entry's name, as .gitignore does. The substring is looked for in the absolute path.
 * Case-sensitive, as the file system is. Matched without backtracking (globMatcher): names come from the
 * node, and no name may make a filter slow.
 */
import { ErrorCodes } from '../protocol';
import { refuse } from '../failure';

export const PATTERN_MAX = 1024;

export type PathTest = (absPath: string, name: string) => boolean;

/** One step of a compiled glob. */
type Token = { t: 'char'; c: string } | { t: 'one' } | { t: 'class'; test: (c: string) => boolean } | { t: 'star' } | { t: 'globstar' };

/** A class `[...]` at `i` (after the `[`): its test and where it ends, or null when it is not closed. */
function globClass(p: string, i: number): { test: (c: string) => boolean; end: number } | null {
  let j = i;
  const negate = p[j] === '!' || p[j] === '^';
  if (negate) j++;
  const ranges: [string, string][] = [];
  // A `]` first in the class is a member, as in fnmatch.
  for (let first = true; j < p.length && (p[j] !== ']' || first); first = false) {
    if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
      ranges.push([p[j], p[j + 2]]);
      j += 3;
    } else {
      ranges.push([p[j], p[j]]);
      j++;
    }
  }
  if (j >= p.length || !ranges.length) return null;
  const inClass = (c: string): boolean => ranges.some(([a, b]) => c >= a && c <= b);
  return { test: (c) => c !== '/' && inClass(c) !== negate, end: j + 1 };
}

function compile(p: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      let n = 1;
      while (p[i + 1] === '*') {
        i++;
        n++;
      }
      out.push(n > 1 ? { t: 'globstar' } : { t: 'star' });
    } else if (c === '?') out.push({ t: 'one' });
    else if (c === '[') {
      const k = globClass(p, i + 1);
      if (k) {
        out.push({ t: 'class', test: k.test });
        i = k.end - 1;
      } else out.push({ t: 'char', c });
    } else out.push({ t: 'char', c });
  }
  return out;
}

/** Character tests a matcher remembers (each a bit set of the pattern's length): names use few distinct characters. */
const ACCEPTS_CACHED = 4096;

/**
 * Whether `s` matches the tokens, by stepping the set of positions the glob can be at (a Thompson NFA),
 * where a backtracking RegExp of `*a*a*a…` takes exponential time. The set is a bit set stepped a 32-bit
 * word at a time (shift-and): position k moves to k+1 when token k takes the character, stays when it is
 * a star that takes it. A 1,024-character pattern is 33 words per character of a name, not 1,025 steps:
 * 100,000 names of 255 characters were 160 s of the agent's thread against `*a*a…`, past any deadline.
 */
function globMatcher(tokens: Token[]): (s: string) => boolean {
  const m = tokens.length;
  const words = (m >>> 5) + 1; // positions 0..m
  const bits = (pick: (t: Token) => boolean): Uint32Array => {
    const set = new Uint32Array(words);
    tokens.forEach((t, k) => {
      if (pick(t)) set[k >>> 5] |= 1 << (k & 31);
    });
    return set;
  };
  const stars = bits((t) => t.t === 'star' || t.t === 'globstar');
  // What a star takes: any character but `/`; a globstar takes `/` too.
  const globstars = bits((t) => t.t === 'globstar');
  const accepts = new Map<string, Uint32Array>();
  const acceptsOf = (c: string): Uint32Array => {
    let set = accepts.get(c);
    if (!set) {
      set = bits((t) => (t.t === 'char' ? t.c === c : t.t === 'one' ? c !== '/' : t.t === 'class' && t.test(c)));
      if (accepts.size >= ACCEPTS_CACHED) accepts.clear();
      accepts.set(c, set);
    }
    return set;
  };
  const lastWord = m >>> 5;
  const lastBit = 1 << (m & 31);
  let at = new Uint32Array(words);
  let next = new Uint32Array(words);
  /** A star matches the empty string: being before it is being after it too. Two stars are never adjacent (compile merges them), so one step closes the set. */
  const close = (set: Uint32Array): number => {
    let carry = 0;
    let any = 0;
    for (let w = 0; w < words; w++) {
      const before = set[w] & stars[w];
      set[w] |= (before << 1) | carry;
      carry = before >>> 31;
      any |= set[w];
    }
    return any;
  };
  return (s) => {
    at.fill(0);
    at[0] = 1;
    close(at);
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      const acc = acceptsOf(c);
      const stay = c === '/' ? globstars : stars;
      let carry = 0;
      for (let w = 0; w < words; w++) {
        const moving = at[w] & acc[w];
        next[w] = (moving << 1) | carry | (at[w] & stay[w]);
        carry = moving >>> 31;
      }
      if (!close(next)) return false;
      [at, next] = [next, at];
    }
    return (at[lastWord] & lastBit) !== 0;
  };
}

/** The test a pattern stands for; refuses one that is too long or holds a NUL, in one line. */
export function pathTest(pattern: string): PathTest {
  if (pattern.length > PATTERN_MAX) throw refuse(ErrorCodes.InvalidParams, `"pattern" is longer than ${PATTERN_MAX} characters`);
  if (pattern.includes('\0')) throw refuse(ErrorCodes.InvalidParams, '"pattern" must not hold a NUL character');
  if (!/[*?[]/.test(pattern)) return (abs) => abs.includes(pattern);
  const match = globMatcher(compile(pattern));
  return pattern.includes('/') ? (abs) => match(abs) : (_abs, name) => match(name);
}
