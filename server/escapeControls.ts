/**
 * Text from the node on a person's terminal: file names, process names, container names and hostnames
 * are chosen by whoever controls a container, and a name such as `x\n\e[31mFAKE` would otherwise start a
 * line of its own, recolour the output or, with a bidi override, show its characters in another order.
 *
 * What is escaped, and why each:
 *  - C0 controls U+0000–U+001F (newline, carriage return, ESC, backspace, bell, …) and DEL U+007F:
 *    they move the cursor, start lines and begin terminal escape sequences;
 *  - C1 controls U+0080–U+009F: U+009B is CSI by itself for terminals that honour 8-bit controls;
 *  - bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, the
 *    "Trojan Source" set of CVE-2021-42574) and the line and paragraph separators U+2028/U+2029,
 *    which editors break lines at.
 * Everything else (any other Unicode) is printed as it is, the backslash too: escaping twice must change
 * nothing, because text is escaped where it is made (the agent's error messages echo names escaped,
 * server/failure.ts) and again where it is printed. A name that spells `\x1b` therefore reads like one
 * holding ESC; `--json` gives every name exactly.
 */

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(ch: string, digits: number): string {
  return ch.charCodeAt(0).toString(16).padStart(digits, '0');
}

/** `text` with every control, bidi and separator character written as a visible C-style escape. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (ch) => NAMED[ch] ?? (ch.charCodeAt(0) < 0x100 ? `\\x${hex(ch, 2)}` : `\\u${hex(ch, 4)}`));
}

/** JSON.stringify already escapes C0; this escapes the rest of the set inside strings, keeping the JSON's value. */
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A JSON text that means the same document, with no character above left raw (they occur only inside strings). */
export function escapeControlsInJson(json: string): string {
  return json.replace(JSON_RAW, (ch) => `\\u${hex(ch, 4)}`);
}
