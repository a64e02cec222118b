// How the human-readable formats (pretty, html, pdf, junit) write a place and a field of a finding.
import type { FieldView } from "./view.js";

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
 * One field of a finding as a line: where it is, then what it is and what to do with it
 * (a field listed as failed and as fixed is one line). A field that does not exist yet
 * (exact=false) is placed at its nearest parent.
 */
export function fieldText(f: FieldView, file: string | undefined, style: Partial<PathStyle> = {}): string {
  return fieldPieces(f, file, style).join("  ");
}

/**
 * The same line as its pieces: the position (when known), the field (when listed as failed
 * or for review), and what to do. A terminal that is too narrow breaks the line between
 * pieces, never inside one.
 */
export function fieldPieces(f: FieldView, file: string | undefined, style: Partial<PathStyle> = {}): string[] {
  const s = { ...plain, ...style };
  // a field of a related object is in that object's file
  const where = f.file ?? file;
  const pieces: string[] = [];
  if (where && f.line !== undefined) pieces.push(s.at(`${loc(where, f.line, f.column)}${f.exact === false ? " (parent)" : ""}`));
  const path = s.code(f.path);
  const listed = f.failed || f.review;
  if (listed) pieces.push(f.failed ? path : `review: ${path}`);
  if (f.fix) {
    const fix = f.fix === "remove" ? (listed ? "remove" : `remove ${path}`) : listed ? `set to ${s.code(f.fix.value ?? "a value")}` : `set ${path} = ${s.code(f.fix.value ?? "a value")}`;
    const override = f.values && f.fix !== "remove" && f.fix.value !== undefined ? ` (${f.values.file === "--set" ? "" : "or "}--set ${f.values.key}=${f.fix.value})` : "";
    pieces.push(`${s.fix("fix:")} ${fix}${override}`);
  }
  const origin = chartOrigin(f);
  if (origin) pieces.push(origin);
  return pieces;
}

/** For a chart: "← templates/x.yaml:12, values.yaml:9 (a.b)", and why the mapping stops short. */
export function chartOrigin(f: FieldView): string {
  if (!f.template) return "";
  const v = f.values ? `, ${f.values.file === "--set" ? "--set" : loc(f.values.file, f.values.line)} (${f.values.key})` : "";
  return `← ${loc(f.template.file, f.template.line)}${v}${f.origin ? ` [${f.origin}]` : ""}`;
}

/** What a fix says, without the field's place: "remove <path>" or "set <path> = <value>". */
export function fixText(f: FieldView, code: (s: string) => string = (x) => x): string {
  if (!f.fix) return "";
  return f.fix === "remove" ? `remove ${code(f.path)}` : `set ${code(f.path)} = ${code(f.fix.value ?? "a value")}`;
}
