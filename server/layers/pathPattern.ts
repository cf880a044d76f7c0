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

/**
 * Whether `s` matches the tokens, by stepping the set of positions the glob can be at (a Thompson NFA):
 * O(length × pattern) for any pattern, where a backtracking RegExp of `*a*a*a…` takes exponential time.
 */
function globMatcher(tokens: Token[]): (s: string) => boolean {
  const m = tokens.length;
  const isStar = tokens.map((t) => t.t === 'star' || t.t === 'globstar');
  // Two sets of positions, reused for every name: a listing filters 100,000 names with one pattern.
  let at = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  const close = (set: Uint8Array): void => {
    // A star matches the empty string: being before it is being after it too.
    for (let k = 0; k < m; k++) if (set[k] && isStar[k]) set[k + 1] = 1;
  };
  return (s) => {
    at.fill(0);
    at[0] = 1;
    close(at);
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      next.fill(0);
      let any = false;
      for (let k = 0; k < m; k++) {
        if (!at[k]) continue;
        const tok = tokens[k];
        if (isStar[k]) {
          if (tok.t === 'globstar' || c !== '/') {
            next[k] = 1;
            any = true;
          }
        } else if (tok.t === 'char' ? tok.c === c : tok.t === 'one' ? c !== '/' : tok.t === 'class' && tok.test(c)) {
          next[k + 1] = 1;
          any = true;
        }
      }
      if (!any) return false;
      close(next);
      [at, next] = [next, at];
    }
    return at[m] === 1;
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
