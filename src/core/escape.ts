// Text from scanned input shown to a person: names, namespaces, file names, messages, paths
// and values come from files or a cluster anyone may have written. Sent to a terminal as is,
// an ESC sequence could retitle the window, erase the line or rewrite what the scan said
// ("\r PASS: ALL CLEAR"), and a bidi override could show text in another order than it is.
// These characters are shown as escapes instead, so what a reader sees is what is there.

// C0 controls, DEL, C1 controls (U+009B is a one-byte CSI), the bidi marks, embeddings,
// overrides and isolates (U+061C, U+200E/F, U+202A–202E, U+2066–2069), and the Unicode line
// and paragraph separators
// eslint-disable-next-line no-control-regex -- matching control characters is this module's job
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\v": "\\v", "\0": "\\0" };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.charCodeAt(0);
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
}

/**
 * An input-derived string made safe for a terminal: every control character and bidi
 * control is written as an escape (`\x1b`, `\n`, `\u202e`) instead of sent. Backslashes are
 * left alone (Windows paths stay readable), so an escape is visible, not reversible.
 */
export function forTerminal(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * The same, keeping the characters in `keep` (e.g. "\n\t" for a document where a line
 * break is layout, not an attack: html and markdown turn it into whitespace anyway).
 */
export function escapeControls(s: string, keep = ""): string {
  return s.replace(UNSAFE, (ch) => (keep.includes(ch) ? ch : escapeChar(ch)));
}

/**
 * forTerminal, cut to at most `max` characters with "…" (a 15 MB name is shown as its start;
 * only the start is escaped, so the cost does not grow with the input).
 */
export function forTerminalCut(s: string, max: number): string {
  const shown = forTerminal(s.length > max * 4 ? s.slice(0, max * 4) : s);
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}
