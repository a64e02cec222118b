// Our chart (charts/kubescape-operator), rendered for `kubescape operator install`: with the
// real helm when it is there (the user's choice of tool, and what `helm install` would
// apply), else with a small renderer that understands what our templates use — `{{ .Values.a.b }}`
// and `{{ .Release.Namespace }}`, and whole lines `{{- if [not] .Values.a.b }}` … `{{- end }}`
// (not nested), nothing else. A test checks both render the same manifests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { renderChart } from "../core/sources/helm.js";
import { UserError } from "../core/errors.js";
import { dataPath, filesIn, inExecutable, listData, readDataText } from "../core/data-files.js";

/** Our chart, in the package (in the single executable, its embedded files). */
const CHART = ["charts", "kubescape-operator"];

/** The chart's files: in chartDir, else ours (read through the package's data files: the executable has no folder of them). */
function chartFiles(chartDir?: string): { read(...rel: string[]): string; list(dir: string): string[] } {
  if (chartDir !== undefined) {
    return {
      read: (...rel) => fs.readFileSync(path.join(chartDir, ...rel), "utf8"),
      list: (dir) => filesIn(path.join(chartDir, dir)),
    };
  }
  return { read: (...rel) => readDataText(...CHART, ...rel), list: (dir) => listData(...CHART, ...(dir ? [dir] : [])) };
}

/**
 * A folder holding the chart, for helm: chartDir, or ours — in the single executable, its
 * embedded files written to a temporary folder, removed after fn.
 */
async function withChartFolder<T>(chartDir: string | undefined, fn: (dir: string) => Promise<T>): Promise<T> {
  if (chartDir !== undefined) return fn(chartDir);
  if (!inExecutable) return fn(dataPath(...CHART));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubescape-chart-"));
  try {
    const files = chartFiles();
    for (const rel of ["", "crds", "templates"]) {
      fs.mkdirSync(path.join(tmp, rel), { recursive: true });
      for (const f of files.list(rel)) fs.writeFileSync(path.join(tmp, rel, f), files.read(...(rel ? [rel, f] : [f])));
    }
    return await fn(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface ChartOptions {
  namespace: string;
  /** a.b=c overrides of values.yaml */
  set?: string[];
  /** "helm", "builtin", or "auto" (helm when on PATH) */
  renderer?: "helm" | "builtin" | "auto";
  chartDir?: string;
}

/** The CRDs of the chart (helm keeps them apart, in crds/). */
export function chartCrds(chartDir?: string): string[] {
  const files = chartFiles(chartDir);
  return files
    .list("crds")
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => files.read("crds", f));
}

/**
 * Every CRD of the chart, whatever the values: those of crds/ and those the templates install
 * when the operator does not serve the storage API (templates/storage-crds.yaml, whose only
 * template lines are its {{ if }} and {{ end }}). The operator installs them out of cluster.
 */
export function allChartCrds(chartDir?: string): Record<string, any>[] {
  const conditional = chartFiles(chartDir)
    .read("templates", "storage-crds.yaml")
    .split("\n")
    .filter((l) => !/^\s*\{\{.*\}\}\s*$/.test(l))
    .join("\n");
  return [...chartCrds(chartDir), conditional].flatMap((t) => manifestObjects(t)).filter((o) => o.kind === "CustomResourceDefinition");
}

function setPath(values: Record<string, any>, key: string, value: string): void {
  const parts = key.split(".");
  let o = values;
  for (const p of parts.slice(0, -1)) o = o[p] && typeof o[p] === "object" ? o[p] : (o[p] = {});
  o[parts[parts.length - 1]] = value;
}

/** helm's truth of a value: false, 0, "", null and absent are false (a --set value is a string here). */
const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === "" || v === "false" || v === "0");

/** Keep or drop the lines between `{{- if [not] .Values.x }}` and `{{- end }}`, each on a line of its own. */
function conditionals(text: string, values: Record<string, any>, file: string): string {
  const out: string[] = [];
  let keep: boolean | undefined;
  for (const line of text.split("\n")) {
    const open = /^\s*\{\{-?\s*if\s+(not\s+)?\.Values((?:\.[A-Za-z0-9_]+)+)\s*-?\}\}\s*$/.exec(line);
    if (open) {
      if (keep !== undefined) throw new UserError(`${file}: nested {{ if }} is not supported by the built-in renderer (install helm)`);
      let v: any = values;
      for (const k of open[2].slice(1).split(".")) v = v?.[k];
      keep = open[1] ? !truthy(v) : truthy(v);
      continue;
    }
    if (/^\s*\{\{-?\s*end\s*-?\}\}\s*$/.test(line)) {
      if (keep === undefined) throw new UserError(`${file}: {{ end }} without {{ if }}`);
      keep = undefined;
      continue;
    }
    if (/\{\{-?\s*(if|else|end|range|with)\b/.test(line)) throw new UserError(`${file}: the built-in renderer supports {{ if }} and {{ end }} on lines of their own only (install helm)`);
    if (keep !== false) out.push(line);
  }
  if (keep !== undefined) throw new UserError(`${file}: {{ if }} without {{ end }}`);
  return out.join("\n");
}

/** Render the templates with the built-in renderer. */
export function renderBuiltIn(opts: ChartOptions): string {
  const files = chartFiles(opts.chartDir);
  const values = YAML.parse(files.read("values.yaml")) ?? {};
  for (const s of opts.set ?? []) {
    const i = s.indexOf("=");
    if (i < 1) throw new UserError(`--set ${s}: expected key=value`);
    setPath(values, s.slice(0, i), s.slice(i + 1));
  }
  const lookup = (expr: string, file: string): string => {
    if (expr === ".Release.Namespace") return opts.namespace;
    const m = /^\.Values((?:\.[A-Za-z0-9_]+)+)$/.exec(expr);
    if (!m) throw new UserError(`${file}: the built-in renderer does not support {{ ${expr} }} (install helm)`);
    let v: any = values;
    for (const k of m[1].slice(1).split(".")) v = v?.[k];
    if (v === undefined || v === null || typeof v === "object") throw new UserError(`${file}: ${expr} is not a value in values.yaml`);
    return String(v);
  };
  const docs: string[] = [];
  for (const f of files
    .list("templates")
    .filter((x) => x.endsWith(".yaml"))
    .sort()) {
    const text = conditionals(files.read("templates", f), values, `templates/${f}`).replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (_, expr: string) => lookup(expr.trim(), `templates/${f}`));
    docs.push(`---\n# Source: kubescape-operator/templates/${f}\n${text}`);
  }
  return docs.join("\n");
}

/** The chart's manifests (CRDs first, then the templates), as one multi-document YAML. */
export async function renderOperatorChart(opts: ChartOptions): Promise<{ yaml: string; renderer: "helm" | "builtin" }> {
  const crds = chartCrds(opts.chartDir).map((t) => `---\n${t}`);
  const want = opts.renderer ?? "auto";
  if (want !== "builtin") {
    try {
      const out = await withChartFolder(opts.chartDir, (chart) =>
        renderChart({ chart, release: "kubescape-ts", namespace: opts.namespace, set: opts.set }, { maxBytes: 16 * 1024 * 1024, timeoutMs: 60_000 }),
      );
      return { yaml: [...crds, out].join("\n"), renderer: "helm" };
    } catch (e) {
      if (want === "helm" || !/helm not found/.test((e as Error).message)) throw e;
    }
  }
  return { yaml: [...crds, renderBuiltIn(opts)].join("\n"), renderer: "builtin" };
}

/** The objects of a rendered chart, comments and empty documents dropped. */
export function manifestObjects(yaml: string): Record<string, any>[] {
  return YAML.parseAllDocuments(yaml)
    .map((d) => d.toJS())
    .filter((o) => o && typeof o === "object" && o.kind);
}
