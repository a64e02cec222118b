// Rendered chart → what the user edits. helm marks each rendered document with
// `# Source: CHART/templates/x.yaml`; the template is read as the YAML it mostly is (lines
// made only of {{ }} actions are control flow, not content) to find the line of the failed
// field's key path, and where that line's value is `.Values.a.b` (or a `toYaml` of a values
// map the field sits in) the values key and its line in the values file that sets it. Where
// more than one line could have produced the field, the origin says so instead of choosing.
import fs from "node:fs";
import path from "node:path";
import type { ObjectSource, Origin, Position } from "../model.js";
import type { PathSegment } from "./field-path.js";
import { PositionIndex, type OriginMapper } from "./positions.js";
import { diskFiles, memoryFiles, readChartArchive, type ChartFiles } from "./chart-archive.js";

export interface ChartMapOptions {
  /** the chart directory, or a packaged chart (.tgz: read in memory, its files named `x.tgz:name/…`) */
  chart: string;
  /** the chart's files held in memory, named `<chart>/…` (an installed release's templates) */
  files?: Map<string, string>;
  /** the most bytes a packaged chart may hold, packed or unpacked */
  maxBytes?: number;
  /** the user's values files, in order (later ones win) */
  values?: string[];
  /** --set / --set-string / --set-file expressions */
  set?: string[];
}

/** "*": a templated key, or an item of a list written inside `range` */
type Seg = string | number;
const ANY = "*";

interface TLine {
  line: number;
  path: Seg[];
  /** the text after the key's colon (or an action line's text) */
  value: string;
  /** what `.` is here, as a values path (inside `with .Values.x`); undefined when unknown */
  dot?: string[];
  action?: boolean;
}

interface Parsed {
  lines: TLine[];
}

const CONTROL = /^\{\{-?\s*(if|else|with|range|define|block|end)\b/;

/** Read a template (or a named template's body) as YAML lines with their key paths. */
export function parseTemplate(text: string, startLine = 1): Parsed {
  const out: TLine[] = [];
  const stack: { indent: number; path: Seg[]; kind: "key" | "item"; line: number }[] = [{ indent: -1, path: [], kind: "key", line: 0 }];
  const counters = new Map<string, number>();
  const blocks: { kind: string; line: number; dot?: string[] }[] = [];
  let dot: string[] | undefined = [];
  let blockScalar = -1;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = startLine + i;
    const raw = lines[i];
    const indent = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (blockScalar >= 0) {
      if (!trimmed || indent > blockScalar) continue;
      blockScalar = -1;
    }
    if (!trimmed || trimmed.startsWith("#")) continue;
    if (/^(\{\{[\s\S]*?\}\}\s*)+$/.test(trimmed)) {
      for (const m of trimmed.matchAll(/\{\{[\s\S]*?\}\}/g)) {
        const a = m[0];
        const c = CONTROL.exec(a);
        if (!c) {
          out.push({ line: n, path: parentAt(stack, indent).path, value: a, dot, action: true });
          continue;
        }
        if (c[1] === "end") {
          const b = blocks.pop();
          if (b) dot = b.dot;
        } else if (c[1] !== "else") {
          blocks.push({ kind: c[1], line: n, dot });
          if (c[1] === "with") dot = valuesRef(a.replace(/^\{\{-?\s*with\s+/, ""), dot);
          else if (c[1] === "range" || c[1] === "define" || c[1] === "block") dot = undefined;
        }
      }
      continue;
    }
    let content = raw.slice(indent);
    let at = indent;
    // sequence items ("- ", possibly several on one line)
    while (content === "-" || content.startsWith("- ")) {
      while (stack.length > 1 && (stack[stack.length - 1].indent > at || (stack[stack.length - 1].indent === at && stack[stack.length - 1].kind === "item"))) stack.pop();
      const parent = stack[stack.length - 1];
      const key = JSON.stringify(parent.path) + "@" + parent.line;
      const idx = counters.get(key) ?? 0;
      counters.set(key, idx + 1);
      const inRange = blocks.some((b) => b.kind === "range" && b.line > parent.line);
      const itemPath = [...parent.path, inRange ? ANY : idx];
      stack.push({ indent: at, path: itemPath, kind: "item", line: n });
      const rest = content.slice(1);
      const pad = rest.length - rest.trimStart().length;
      at += 1 + pad;
      content = rest.trimStart();
      if (!content) break;
      if (!/^(-( |$)|[^:{]*:)/.test(content)) out.push({ line: n, path: itemPath, value: content, dot });
    }
    const km = /^("[^"]*"|'[^']*'|[^\s#'"][^#]*?)\s*:(?:\s+(.*)|)$/.exec(content);
    if (!km) continue;
    while (stack.length > 1 && stack[stack.length - 1].indent >= at) stack.pop();
    const parent = stack[stack.length - 1];
    let key: Seg = km[1];
    if (/^["']/.test(key)) key = key.slice(1, -1);
    if (key.includes("{{")) key = ANY;
    const value = (km[2] ?? "").trim();
    const p = [...parent.path, key];
    out.push({ line: n, path: p, value, dot });
    stack.push({ indent: at, path: p, kind: "key", line: n });
    if (/^[|>][-+0-9]*$/.test(value)) blockScalar = at;
  }
  return { lines: out };
}

function parentAt(stack: { indent: number; path: Seg[] }[], indent: number) {
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i].indent < indent) return stack[i];
  return stack[0];
}

/** `.Values.a.b`, `$.Values.a.b` or `.x` (relative to a `with`): the values path, else undefined. */
function valuesRef(expr: string, dot: string[] | undefined): string[] | undefined {
  const abs = /\$?\.Values((?:\.[A-Za-z0-9_-]+)*)/.exec(expr);
  if (abs) return abs[1].split(".").filter(Boolean);
  if (dot === undefined) return undefined;
  const rel = /(?:^|[\s(|])\.([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)/.exec(expr);
  if (rel && !/^(Release|Chart|Capabilities|Template|Files)\b/.test(rel[1])) return [...dot, ...rel[1].split(".")];
  if (/(?:^|[\s(|])\.(?:\s|\||\)|\}|$)/.test(expr)) return dot;
  return undefined;
}

/** Every distinct values path a line's actions read. */
function valuesRefs(value: string, dot: string[] | undefined): string[][] {
  const out = new Map<string, string[]>();
  for (const m of value.matchAll(/\{\{[\s\S]*?\}\}/g)) {
    const a = m[0].replace(/^\{\{-?|-?\}\}$/g, " ");
    for (const part of a.split(/\b(?:default|or|and|coalesce)\b/)) {
      const r = valuesRef(part, dot);
      if (r) out.set(r.join("."), r);
    }
  }
  return [...out.values()];
}

const segMatch = (t: Seg, s: PathSegment) => t === ANY || t === s;
const pathMatch = (t: Seg[], s: PathSegment[]) => t.length === s.length && t.every((x, i) => segMatch(x, s[i]));

/** A field path for the values file locator ("a.b[0]", keys with dots in brackets). */
function fieldPathOf(segs: PathSegment[]): string {
  return segs.map((s, i) => (typeof s === "number" ? `[${s}]` : /[.[\]]/.test(s) ? `[${s}]` : i ? `.${s}` : s)).join("");
}

const keyOf = (segs: PathSegment[]) =>
  segs
    .map((s) => (typeof s === "number" ? `[${s}]` : s))
    .join(".")
    .replace(/\.\[/g, "[");

/** The origin mapper for one rendered chart stream (its text: to read the `# Source:` markers). */
export function chartMapper(o: ChartMapOptions, rendered: string): OriginMapper {
  const lines = rendered.split("\n");
  let chartDir = o.chart;
  let isDir = false;
  let files: ChartFiles = diskFiles;
  if (o.files) {
    files = memoryFiles(o.files);
    isDir = true;
  } else {
    try {
      const st = fs.statSync(chartDir);
      isDir = st.isDirectory();
      if (st.isFile() && /\.(tgz|tar\.gz)$/i.test(chartDir)) {
        chartDir = path.normalize(chartDir);
        const archive = readChartArchive(chartDir, `${chartDir}:`, o.maxBytes ?? 20 * 1024 * 1024);
        // the archive's top folder holding Chart.yaml is the chart (helm package names it so)
        const top = archive && [...archive.keys()].map((k) => k.slice(chartDir.length + 1).split("/")).find((p) => p.length === 2 && p[1] === "Chart.yaml")?.[0];
        if (archive && top !== undefined) {
          files = memoryFiles(archive);
          chartDir = `${chartDir}:${top}`;
          isDir = true;
        }
      }
    } catch {
      // a chart reference (repo/name): only the rendered stream is known
    }
  }
  const texts = new Map<string, string | undefined>();
  const read = (f: string) => {
    // the user's own values files are on disk whatever holds the chart
    if (!texts.has(f)) texts.set(f, files.read(f) ?? (files === diskFiles ? undefined : diskFiles.read(f)));
    return texts.get(f);
  };
  const parsedTemplates = new Map<string, Parsed>();
  const template = (f: string) => {
    let p = parsedTemplates.get(f);
    if (!p) {
      const t = read(f);
      p = parseTemplate(t ?? "");
      parsedTemplates.set(f, p);
    }
    return p;
  };
  const defines = new Map<string, { file: string; parsed: Parsed } | undefined>();
  const defineOf = (chartRoot: string, name: string) => {
    const k = `${chartRoot}\0${name}`;
    if (defines.has(k)) return defines.get(k);
    let found: { file: string; parsed: Parsed } | undefined;
    for (const f of files.list(path.join(chartRoot, "templates")).filter((f) => /\.(tpl|ya?ml|txt)$/.test(f))) {
      const t = read(f) ?? "";
      const m = new RegExp(`\\{\\{-?\\s*define\\s+"${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s*-?\\}\\}`).exec(t);
      if (!m) continue;
      const start = t.slice(0, m.index + m[0].length).split("\n").length;
      const body = t.slice(m.index + m[0].length).split(/\{\{-?\s*end\s*-?\}\}/)[0];
      const bodyLines = body.split("\n");
      // the body's first line is the rest of the define line (usually empty)
      const minIndent = Math.min(...bodyLines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
      const shifted = bodyLines.map((l) => l.slice(Number.isFinite(minIndent) ? minIndent : 0)).join("\n");
      found = { file: f, parsed: parseTemplate(shifted, start) };
      break;
    }
    defines.set(k, found);
    return found;
  };

  const valuesIndex = new PositionIndex();
  const valuesLine = (file: string, segs: PathSegment[]): number | undefined => {
    const t = read(file);
    if (t === undefined) return undefined;
    valuesIndex.addText(file, t);
    const p = valuesIndex.resolve({ file, docIndex: 0, itemPath: [] }, fieldPathOf(segs));
    return p?.exact ? p.line : undefined;
  };

  /** Where a values key is set: --set first, then the user's files last to first, then the charts' own values. */
  const valuesOrigin = (chartRoot: string, prefix: string[], key: PathSegment[]): NonNullable<Origin["values"]> => {
    const full = [...prefix, ...key];
    const shown = keyOf(key);
    for (const s of [...(o.set ?? [])].reverse()) {
      const k = s.split("=")[0];
      const fk = keyOf(full);
      if (fk === k || fk.startsWith(k + ".") || fk.startsWith(k + "[")) return { file: "--set", key: keyOf(full) };
    }
    for (const f of [...(o.values ?? [])].reverse()) {
      if (f === "-") continue;
      const line = valuesLine(f, full);
      if (line !== undefined) return { file: f, line, key: keyOf(full) };
    }
    // the parent's values.yaml sets a subchart's values under its name
    let root = chartDir;
    for (let i = 0; i <= prefix.length; i++) {
      const file = path.join(root, "values.yaml");
      const line = valuesLine(file, [...prefix.slice(i), ...key]);
      if (line !== undefined) return { file, line, key: keyOf([...prefix.slice(i), ...key]) };
      if (i < prefix.length) root = path.join(root, "charts", prefix[i]);
    }
    return { file: path.join(chartRoot, "values.yaml"), key: shown };
  };

  return (source: ObjectSource, segments: PathSegment[], pos: Position | undefined): Origin | undefined => {
    if (!isDir || !pos) return undefined;
    // the nearest `# Source:` marker above the field
    let marker: string | undefined;
    for (let i = Math.min(pos.line, lines.length) - 1; i >= 0; i--) {
      const m = /^# Source: (.+?)\s*$/.exec(lines[i]);
      if (m) {
        marker = m[1];
        break;
      }
      if (i < pos.line - 1 && lines[i] === "---") break;
    }
    if (!marker) return undefined;
    const parts = marker.split("/");
    const rel = parts.slice(1);
    // web/charts/db/templates/x.yaml: the chart root is web's dir + charts/db; values are under db
    const prefix: string[] = [];
    let chartRoot = chartDir;
    while (rel[0] === "charts" && rel.length > 2 && rel[2] !== undefined && rel.indexOf("templates") > 1) {
      prefix.push(rel[1]);
      chartRoot = path.join(chartRoot, "charts", rel[1]);
      rel.splice(0, 2);
    }
    const file = path.join(chartRoot, ...rel);
    const segs = [...source.itemPath, ...segments];
    return locate(file, template(file), segs, chartRoot, prefix, 0);
  };

  function locate(file: string, t: Parsed, segs: PathSegment[], chartRoot: string, prefix: string[], depth: number): Origin {
    let exact = t.lines.filter((l) => !l.action && pathMatch(l.path, segs));
    // an item written at its index beats the items a `range` writes
    const written = exact.filter((l) => !l.path.includes(ANY));
    if (written.length) exact = written;
    const distinct = [...new Set(exact.map((l) => l.line))];
    if (distinct.length > 1) return { template: { file, line: distinct[0] }, note: `ambiguous: template lines ${distinct.join(", ")} may each produce this field` };
    if (distinct.length === 1) return fromLine(file, exact[0], segs.length, segs, chartRoot, prefix);
    // the deepest key written in the template that the field sits under
    for (let k = segs.length - 1; k >= 0; k--) {
      const head = segs.slice(0, k);
      const at = t.lines.filter((l) => !l.action && pathMatch(l.path, head));
      const actions = t.lines.filter((l) => l.action && pathMatch(l.path, head));
      const lineSet = [...new Set([...at, ...actions].map((l) => l.line))];
      if (!at.length && !actions.length && k > 0) continue;
      // what writes under that key: its own value ({{ toYaml … }}) or an action line inside it
      const writers = [...at.filter((l) => l.value.includes("{{")), ...actions];
      if (writers.length === 1) return fromWriter(file, writers[0], segs.slice(k), chartRoot, prefix, depth);
      if (writers.length > 1) return { template: { file, line: writers[0].line }, note: `ambiguous: template lines ${[...new Set(writers.map((w) => w.line))].join(", ")} may each write this field` };
      if (at.length > 1) return { template: { file, line: at[0].line }, note: `ambiguous: template lines ${lineSet.join(", ")}` };
      if (at.length === 1) return { template: { file, line: at[0].line }, note: `not written in the template: add it under ${path.basename(file)}:${at[0].line}` };
      return { template: { file, line: 1 }, note: "not found in the template" };
    }
    return { template: { file, line: 1 }, note: "not found in the template" };
  }

  function fromLine(file: string, l: TLine, _k: number, segs: PathSegment[], chartRoot: string, prefix: string[]): Origin {
    const refs = valuesRefs(l.value, l.dot);
    const origin: Origin = { template: { file, line: l.line } };
    if (refs.length === 1) origin.values = valuesOrigin(chartRoot, prefix, refs[0]);
    else if (refs.length > 1) origin.note = `ambiguous: the value comes from one of ${refs.map((r) => r.join(".")).join(", ")}`;
    else if (l.value.includes("{{")) origin.note = "the value is computed by the template";
    void segs;
    return origin;
  }

  function fromWriter(file: string, w: TLine, rest: PathSegment[], chartRoot: string, prefix: string[], depth: number): Origin {
    const inc = /\b(?:include|template)\s+"([^"]+)"/.exec(w.value);
    if (inc && depth < 5) {
      const d = defineOf(chartRoot, inc[1]);
      if (d) return locate(d.file, d.parsed, rest, chartRoot, prefix, depth + 1);
      return { template: { file, line: w.line }, note: `written by the named template "${inc[1]}", not found` };
    }
    if (/\btoYaml\b/.test(w.value)) {
      const refs = valuesRefs(w.value, w.dot);
      if (refs.length === 1) return { template: { file, line: w.line }, values: valuesOrigin(chartRoot, prefix, [...refs[0], ...rest]) };
    }
    return { template: { file, line: w.line }, note: "written by template code" };
  }
}
