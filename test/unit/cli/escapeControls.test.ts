/** What a name from the node can hold and how it reaches a terminal: the set of CVE-2021-42574 and ECMA-48. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls, escapeControlsInJson } from '../../../server/escapeControls';

/** Every character the module promises to escape, from the standards rather than from its own regex. */
const C0 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i));
const C1 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i));
const BIDI = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const SEPARATORS = ['\u2028', '\u2029'];
const ALL = [...C0, '\u007f', ...C1, ...BIDI, ...SEPARATORS];

describe('escaping what the node names before it reaches a terminal', () => {
  it('leaves no control, bidi or separator character raw, and spells each as a visible escape', () => {
    for (const ch of ALL) {
      const out = escapeControls(`a${ch}b`);
      assert.ok(!ALL.some((c) => out.includes(c)), `U+${ch.charCodeAt(0).toString(16)} left raw: ${JSON.stringify(out)}`);
      assert.match(out, /^a\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})b$/, JSON.stringify(out));
    }
    assert.equal(escapeControls('x\n\x1b[31mFAKE'), 'x\\n\\x1b[31mFAKE');
    assert.equal(escapeControls('evil\u202egnp.exe'), 'evil\\u202egnp.exe');
    assert.equal(escapeControls('\u009b2J'), '\\x9b2J');
  });

  it('keeps ordinary text, other Unicode included, as it is', () => {
    for (const s of ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'nodescope-rig-limited', 'café — 日本語 → 🙂', 'memory 1.0 MiB / 64.0 MiB'])
      assert.equal(escapeControls(s), s);
  });

  it('changes nothing when applied twice: text escaped where it is made can be escaped again where it is printed', () => {
    const once = escapeControls(`a${ALL.join('')}b\\n`);
    assert.equal(escapeControls(once), once);
  });

  it('in JSON, escapes what JSON.stringify leaves raw while the document stays the same', () => {
    const doc = { name: `x${ALL.join('')}y`, list: ['\u202e', 'plain'] };
    const compact = escapeControlsInJson(JSON.stringify(doc));
    assert.ok(!ALL.some((c) => compact.includes(c)), compact);
    assert.deepEqual(JSON.parse(compact), doc);
    // Pretty-printed, the only raw controls are the indentation's own newlines.
    const pretty = escapeControlsInJson(JSON.stringify(doc, null, 2));
    assert.ok(!ALL.filter((c) => c !== '\n').some((c) => pretty.includes(c)), pretty);
    assert.deepEqual(JSON.parse(pretty), doc);
  });
});
