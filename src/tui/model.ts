// What the TUI's views show, as plain data computed from a ScanReport: no Ink, no React, so
// the views stay thin and these functions are tested on their own. Every string that came
// from the scanned input is escaped for the terminal here (forTerminal), once.
import YAML, { LineCounter, isNode, type Document } from "yaml";
import type { ScanReport, ControlResult, ResourceResult, ResourceFinding, PathEntry } from "../core/scoring/result.js";
import type { K8sObject, Severity } from "../core/model.js";
import { SEVERITY_ORDER } from "../core/model.js";
import type { ControlExplanation } from "../core/catalogue.js";
import { parseFieldPath } from "../core/sources/field-path.js";
import { forTerminal, forTerminalCut } from "../core/escape.js";

export const SORTS = ["severity", "score", "failed"] as const;
export type SortKey = (typeof SORTS)[number];

const sevRank = (s: Severity) => SEVERITY_ORDER.indexOf(s);

/** Controls with failed (or excepted) resources, sorted and filtered as the controls view shows them. */
export function controlRows(report: ScanReport, sort: SortKey, filter: string): ControlResult[] {
  const f = filter.trim().toLowerCase();
  const rows = report.controls.filter((c) => c.status === "failed" || c.resources.excepted > 0);
  const shown = f ? rows.filter((c) => `${c.id} ${c.name} ${c.severity}`.toLowerCase().includes(f)) : rows;
  const byId = (a: ControlResult, b: ControlResult) => a.id.localeCompare(b.id);
  const cmp: Record<SortKey, (a: ControlResult, b: ControlResult) => number> = {
    severity: (a, b) => sevRank(a.severity) - sevRank(b.severity) || b.baseScore - a.baseScore || b.resources.failed - a.resources.failed || byId(a, b),
    // the lowest score (the worst) first
    score: (a, b) => (a.score ?? 100) - (b.score ?? 100) || sevRank(a.severity) - sevRank(b.severity) || byId(a, b),
    failed: (a, b) => b.resources.failed - a.resources.failed || sevRank(a.severity) - sevRank(b.severity) || byId(a, b),
  };
  return [...shown].sort(cmp[sort]);
}

/** The resources with a finding of one control, each with that finding. */
export function resourcesOf(report: ScanReport, controlID: string): { resource: ResourceResult; finding: ResourceFinding }[] {
  const out: { resource: ResourceResult; finding: ResourceFinding }[] = [];
  for (const r of report.resources) {
    const f = r.findings.find((x) => x.controlID === controlID);
    if (f) out.push({ resource: r, finding: f });
  }
  return out;
}

/** A resource's findings with their control, worst first. */
export function findingsOf(report: ScanReport, resource: ResourceResult): { control: ControlResult | undefined; finding: ResourceFinding }[] {
  const controls = new Map(report.controls.map((c) => [c.id, c]));
  return resource.findings
    .map((finding) => ({ control: controls.get(finding.controlID), finding }))
    .sort((a, b) => sevRank(a.control?.severity ?? "Info") - sevRank(b.control?.severity ?? "Info") || a.finding.controlID.localeCompare(b.finding.controlID));
}

/** The most risky workloads: summed base scores of their failed controls. */
export function riskyResources(report: ScanReport, n: number): { resource: ResourceResult; risk: number; failed: number }[] {
  const base = new Map(report.controls.map((c) => [c.id, c.baseScore]));
  return report.resources
    .map((resource) => {
      const failed = resource.findings.filter((f) => f.status === "failed");
      return { resource, failed: failed.length, risk: failed.reduce((s, f) => s + (base.get(f.controlID) ?? 0), 0) };
    })
    .filter((x) => x.failed > 0)
    .sort((a, b) => b.risk - a.risk || b.failed - a.failed || a.resource.resourceID.localeCompare(b.resource.resourceID))
    .slice(0, n);
}

/** A resource by Kind/name and namespace (kind in any case), as `--resource` names it. */
export function findResource(report: ScanReport, want: { kind: string; name: string; namespace?: string }): ResourceResult | undefined {
  return report.resources.find((r) => r.kind.toLowerCase() === want.kind.toLowerCase() && r.name === want.name && (want.namespace === undefined || r.namespace === want.namespace));
}

/** "ns/Kind/name" for a list row, escaped. */
export function resourceLabel(r: Pick<ResourceResult, "namespace" | "kind" | "name">, max = 200): string {
  return forTerminalCut(`${r.namespace ? `${r.namespace}/` : ""}${r.kind}/${r.name}`, max);
}

/** "file:line" of a resource, escaped; "" when it has no file (a cluster object). */
export function sourceLabel(r: ResourceResult, max = 200): string {
  if (!r.source?.file || r.source.file.startsWith("cluster:")) return "";
  return forTerminalCut(`${r.source.file}${r.source.line ? `:${r.source.line}` : ""}`, max);
}

/** A bar of `width` cells for a 0–100 score: "█" filled, "░" empty (readable without colour). */
export function bar(score: number | undefined, width: number): string {
  if (score === undefined || width <= 0) return "".padEnd(Math.max(0, width), " ");
  const full = Math.round((Math.max(0, Math.min(100, score)) / 100) * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

export type Tone = "failed" | "review" | "add" | "del" | "head" | "dim" | undefined;
export interface Line {
  text: string;
  tone?: Tone;
}

/** Word-wrap text to width (long words are cut), each line escaped. */
export function wrap(text: string, width: number, indent = ""): string[] {
  const out: string[] = [];
  const w = Math.max(10, width - indent.length);
  for (const para of text.replace(/\r\n/g, "\n").split("\n")) {
    let cur = "";
    for (const word of forTerminal(para).split(/\s+/).filter(Boolean)) {
      if (cur && cur.length + 1 + word.length > w) {
        out.push(indent + cur);
        cur = "";
      }
      let rest = word;
      while (rest.length > w) {
        out.push(indent + rest.slice(0, w));
        rest = rest.slice(w);
      }
      cur = cur ? `${cur} ${rest}` : rest;
    }
    out.push(indent + cur);
  }
  return out;
}

/** The text of one object with numbered lines: from its file, or rendered from the object. */
export interface ObjectText {
  /** where it comes from, for the heading: "examples/risky/api.json" or "cluster object" */
  origin: string;
  /** the object's lines with their numbers (file line numbers for a file) */
  lines: { n: number; text: string }[];
  /** line → tone of the path entries on it (failed beats review) */
  marks: Map<number, Tone>;
}

/**
 * The lines of the document in `fileText` that holds `line` (documents split at "---"): a
 * multi-document file shows only the object's own document, with its file line numbers.
 */
export function documentLines(fileText: string, line: number): { n: number; text: string }[] {
  const all = fileText.split(/\r?\n/);
  let start = 0;
  let end = all.length;
  for (let i = 0; i < all.length; i++) {
    if (/^---(\s|$)/.test(all[i])) {
      if (i + 1 < line) start = i + 1;
      else if (i + 1 > line) {
        end = i;
        break;
      }
    }
  }
  while (end > start && all[end - 1].trim() === "") end--;
  return all.slice(start, end).map((text, i) => ({ n: start + i + 1, text }));
}

function marksOf(paths: PathEntry[], lineOf: (p: PathEntry) => number | undefined): Map<number, Tone> {
  const marks = new Map<number, Tone>();
  for (const p of paths) {
    const tone: Tone = p.type === "failed" || p.type === "delete" ? "failed" : p.type === "review" ? "review" : undefined;
    const n = lineOf(p);
    if (!tone || n === undefined) continue;
    if (marks.get(n) !== "failed") marks.set(n, tone);
  }
  return marks;
}

/** The object's text from its file, with the finding's lines (the report's PathEntry lines) marked. */
export function objectFromFile(file: string, fileText: string, resource: ResourceResult, finding: ResourceFinding): ObjectText {
  const lines = documentLines(fileText, resource.source?.line ?? 1);
  return { origin: file, lines, marks: marksOf(finding.paths, (p) => p.line) };
}

/** Where a field path is in a YAML document (its nearest existing parent when it is absent): a 1-based line. */
function lineOfPath(doc: Document, counter: LineCounter, path: string): number | undefined {
  const segs = parseFieldPath(path);
  for (let n = segs.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segs.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The object rendered as YAML (a cluster object, or one from a stream), with the finding's paths placed in it. */
export function objectFromData(origin: string, object: K8sObject, finding: ResourceFinding): ObjectText {
  const text = YAML.stringify(object, { lineWidth: 0 });
  const counter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter });
  const lines = text
    .replace(/\n$/, "")
    .split("\n")
    .map((t, i) => ({ n: i + 1, text: t }));
  return { origin, lines, marks: marksOf(finding.paths, (p) => lineOfPath(doc, counter, p.path)) };
}

/** A fix path's value as YAML reads it ("true" → true, "3" → 3), else the string. */
function fixValue(v: string | undefined): unknown {
  if (v === undefined) return "";
  try {
    const parsed = YAML.parse(v);
    return parsed === null || typeof parsed === "object" ? v : parsed;
  } catch {
    return v;
  }
}

/**
 * The fix as a diff preview: the object with the finding's fix paths set and its delete paths
 * removed, against the object as it is, in unified-diff lines with two lines of context.
 * Empty when the finding has no fix or delete paths.
 */
export function fixDiff(object: K8sObject, finding: ResourceFinding): Line[] {
  const edits = finding.paths.filter((p) => p.type === "fix" || p.type === "delete");
  if (!edits.length) return [];
  const before = YAML.stringify(object, { lineWidth: 0 });
  const doc = new YAML.Document(structuredClone(object));
  for (const p of edits) {
    const segs = parseFieldPath(p.path);
    try {
      if (p.type === "delete") doc.deleteIn(segs);
      else doc.setIn(segs, fixValue(p.value));
    } catch {
      // a path through a scalar cannot be set: the other edits still show
    }
  }
  const after = doc.toString({ lineWidth: 0 });
  return unifiedDiff(before.split("\n"), after.split("\n"), 2);
}

/** A line diff (LCS) as unified-diff lines; objects are small, and a huge one is not diffed. */
export function unifiedDiff(a: string[], b: string[], context: number): Line[] {
  if (a.length * b.length > 4_000_000) return [{ text: "(the object is too large for a diff preview)", tone: "dim" }];
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: { op: " " | "-" | "+"; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ op: " ", text: a[i++] });
      j++;
    } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ op: "+", text: b[j++] });
    else ops.push({ op: "-", text: a[i++] });
  }
  const keep = new Set<number>();
  ops.forEach((o, k) => {
    if (o.op !== " ") for (let x = Math.max(0, k - context); x <= Math.min(ops.length - 1, k + context); x++) keep.add(x);
  });
  const out: Line[] = [];
  let last = -1;
  for (const k of [...keep].sort((x, y) => x - y)) {
    if (last >= 0 && k > last + 1) out.push({ text: "…", tone: "dim" });
    const o = ops[k];
    out.push({ text: `${o.op} ${forTerminal(o.text)}`, tone: o.op === "+" ? "add" : o.op === "-" ? "del" : undefined });
    last = k;
  }
  return out;
}

/** Everything the finding-detail view shows, as lines to scroll through. */
export function detailLines(opts: {
  resource: ResourceResult;
  finding: ResourceFinding;
  control?: ControlResult;
  explanation?: ControlExplanation;
  object?: ObjectText;
  fix?: Line[];
  width: number;
}): Line[] {
  const { resource: r, finding: f, control: c, explanation: x, width } = opts;
  const out: Line[] = [];
  const head = (t: string) => out.push({ text: t, tone: "head" });
  const status = f.error !== undefined ? "failed (not evaluated)" : f.status === "excepted" ? `excepted${f.exception ? ` by ${forTerminal(f.exception)}` : ""}` : "failed";
  out.push({ text: `${resourceLabel(r)}${sourceLabel(r) ? `  ${sourceLabel(r)}` : ""}` });
  out.push({ text: `${f.controlID} ${forTerminal(c?.name ?? x?.name ?? "")}  severity ${c?.severity ?? x?.severity ?? "?"}  status ${status}` });
  for (const l of wrap(f.message, width, "  ")) out.push({ text: l, tone: "dim" });
  if (f.error !== undefined) for (const l of wrap(`not evaluated: ${f.error}`, width, "  ")) out.push({ text: l, tone: "failed" });
  const fields = (type: PathEntry["type"], title: string, tone: Tone) => {
    const ps = f.paths.filter((p) => p.type === type);
    if (!ps.length) return;
    head(title);
    for (const p of ps) {
      const at = p.line ? ` (line ${p.line}${p.exact === false ? ", nearest parent" : ""})` : "";
      out.push({ text: `  ${forTerminal(p.path)}${p.value !== undefined ? ` = ${forTerminal(p.value)}` : ""}${at}`, tone });
    }
  };
  out.push({ text: "" });
  fields("failed", "Failed fields", "failed");
  fields("delete", "Fields to delete", "failed");
  fields("review", "Fields to review", "review");
  fields("fix", "Fix: set these fields", "add");
  if (!f.paths.length) out.push({ text: "  (the finding names no field)", tone: "dim" });
  if (f.relatedObjects.length) {
    head("Related objects");
    for (const o of f.relatedObjects) out.push({ text: `  ${forTerminal(o)}` });
  }
  out.push({ text: "" });
  const o = opts.object;
  if (o) {
    head(`Object (${forTerminal(o.origin)}); > failed, ~ review`);
    const numWidth = String(o.lines.at(-1)?.n ?? 1).length;
    for (const l of o.lines) {
      const tone = o.marks.get(l.n);
      const mark = tone === "failed" ? ">" : tone === "review" ? "~" : " ";
      out.push({ text: `${mark}${String(l.n).padStart(numWidth)} ${forTerminal(l.text)}`, tone });
    }
  } else {
    head("Object");
    out.push({ text: "  (the object's text is not available for this report)", tone: "dim" });
  }
  if (opts.fix?.length) {
    out.push({ text: "" });
    head("Fix preview");
    out.push(...opts.fix);
  }
  out.push({ text: "" });
  head("Explanation");
  if (x?.doc) {
    for (const [t, body] of [
      ["What it checks", x.doc.description],
      ["Why it matters", x.doc.why],
      ["How to fix", x.doc.remediation],
    ] as const) {
      out.push({ text: `${t}:`, tone: "head" });
      out.push(...wrap(body.trim(), width, "  ").map((text) => ({ text })));
    }
  } else {
    out.push({ text: "  No further description is available for this control yet.", tone: "dim" });
  }
  return out;
}
