// How the human-readable formats (pretty, html, pdf) write a place and a failed field.
import type { PathEntry } from "../core/scoring/result.js";

/** file:line:column, leaving out what is unknown */
export function loc(file: string | undefined, line?: number, column?: number): string {
  return [file, line, column].filter((x) => x !== undefined).join(":");
}

export interface PathStyle {
  /** the position prefix ("file:line:col", with " (parent)" when the field does not exist yet) */
  at: (s: string) => string;
  /** a field path or value */
  code: (s: string) => string;
  /** the word "fix:" */
  fix: (s: string) => string;
}

const plain: PathStyle = { at: (s) => s, code: (s) => s, fix: (s) => s };

/**
 * One failed / review / delete / fix path as a line: where it is, then what to do. A path
 * whose field does not exist yet (exact=false) is placed at its nearest parent.
 */
export function pathText(p: PathEntry, file: string | undefined, style: Partial<PathStyle> = {}): string {
  const s = { ...plain, ...style };
  const at = file && p.line !== undefined ? `${s.at(`${loc(file, p.line, p.column)}${p.exact === false ? " (parent)" : ""}`)}  ` : "";
  const path = s.code(p.path);
  switch (p.type) {
    case "failed":
      return `${at}${path}`;
    case "review":
      return `${at}review: ${path}`;
    case "delete":
      return `${at}${s.fix("fix:")} remove ${path}`;
    case "fix":
      return `${at}${s.fix("fix:")} set ${path} = ${s.code(p.value ?? "")}`;
  }
}
