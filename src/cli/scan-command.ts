// What the scan commands share: flags, splitting selections from paths, running the
// scan service, rendering, and the exit code.
import fs from "node:fs";
import { once } from "node:events";
import v8 from "node:v8";
import { Flags } from "@oclif/core";
import { FORMATS, formatFromExtension, isFormat, loadReporter, type Format } from "../report/index.js";
import { loc } from "../report/text.js";
// the modules themselves, not src/core/index.ts: a file scan loads no cluster, helm or report-source code
import { Scanner, DEFAULT_MAX_OBJECTS, type ScanRequest } from "../core/scanner.js";
import type { Registry } from "../core/engine/registry.js";
import { fileSource } from "../core/sources/local.js";
import type { Source } from "../core/sources/source.js";
import { clusterSource, type ClusterSourceOptions } from "../core/sources/cluster-source.js";
import { gate, SEVERITY_LEVELS } from "../core/scoring/gate.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/sources/files.js";
import type { ScanReport } from "../core/scoring/result.js";
import { EXIT, fail, oneLine } from "./errors.js";
import { UsageError } from "../core/errors.js";
import { readConfigInputs, readExceptions, readReport } from "./inputs.js";
import { readStdin } from "../core/sources/files.js";
import { stderrProgress } from "./progress.js";
import { didYouMean } from "./suggest.js";
import { terminalWidth, useColor } from "./terminal.js";
import { batched, writeOutput } from "./output.js";

export const scanFlags = {
  format: Flags.string({ char: "f", description: `report format, or several comma-separated: ${FORMATS.join(", ")} (default: from --output's extension, else pretty)` }),
  output: Flags.string({ char: "o", description: "write the report to this file instead of stdout; with several formats, the base name: out/report → out/report.sarif, out/report.json, …" }),
  color: Flags.boolean({ description: "colour the pretty report (default: on a terminal, or when FORCE_COLOR is set; never when NO_COLOR is)", allowNo: true }),
  verbose: Flags.boolean({
    char: "v",
    description: "pretty report: every failed resource in detail, passed and not applicable controls listed; on stderr, each file or document ignored as not a Kubernetes object, with the reason",
  }),
  quiet: Flags.boolean({ char: "q", description: 'no progress line and no "report written" note on stderr (errors and the threshold verdict still print)' }),
  "show-passed": Flags.boolean({ description: "pretty report: list the passed controls too" }),
  "severity-threshold": Flags.string({
    description: `exit 1 if a control of this severity or higher fails: ${SEVERITY_LEVELS.join(", ")} (any case)`,
    parse: async (s) => {
      const level = s.trim().toLowerCase();
      if (!(SEVERITY_LEVELS as readonly string[]).includes(level)) throw new Error(`Expected --severity-threshold=${s} to be one of: ${SEVERITY_LEVELS.join(", ")}`);
      return level;
    },
  }),
  "allow-empty": Flags.boolean({ description: "with a threshold, pass a scan that found no Kubernetes objects (default: exit 2, nothing was scanned)" }),
  "compliance-threshold": Flags.integer({ description: "exit 1 if the compliance score is below this (0-100)", min: 0, max: 100 }),
  "controls-config": Flags.string({ description: 'JSON/YAML file of control inputs: {"postureControlInputs": {...}}' }),
  exceptions: Flags.string({ description: "exceptions file (Kubescape posture-exception format, JSON or YAML)" }),
  "annotation-exceptions": Flags.boolean({
    description: "honour ignore-control.kubescape.io/<ID> annotations on the scanned objects (--no-annotation-exceptions: their authors cannot excuse themselves, for CI and admission)",
    allowNo: true,
    default: true,
  }),
  baseline: Flags.string({ description: "earlier json report: mark findings new or existing; --severity-threshold then counts only new ones" }),
  "max-objects": Flags.integer({ description: "refuse to scan more objects than this (memory grows with the findings)", default: DEFAULT_MAX_OBJECTS, min: 1 }),
  "follow-symlinks": Flags.boolean({ description: "follow symbolic links that point out of the scanned folders (not followed by default)" }),
  "max-file-size": Flags.integer({ description: "skip files larger than this many MB", default: DEFAULT_MAX_FILE_BYTES / 1024 / 1024, min: 1 }),
  render: Flags.boolean({
    description: "render a folder with Chart.yaml (helm template) or a kustomization (kustomize build / kubectl kustomize) and scan what it renders; --no-render reads their files as they are",
    allowNo: true,
    default: true,
  }),
  exclude: Flags.string({ description: "leave out paths matching this gitignore-like glob (repeatable; a scanned folder's .kubescapeignore adds its own)", multiple: true, multipleNonGreedy: true }),
  kubeconfig: Flags.string({ description: "cluster scan: kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)", helpGroup: "CLUSTER" }),
  context: Flags.string({ description: "cluster scan: kubeconfig context (default: current-context)", helpGroup: "CLUSTER" }),
  namespace: Flags.string({ char: "n", description: "cluster scan: only this namespace (cluster-scoped objects are still read)", helpGroup: "CLUSTER" }),
  "all-namespaces": Flags.boolean({ char: "A", description: "cluster scan: every namespace (the default)", helpGroup: "CLUSTER", exclusive: ["namespace"] }),
  selector: Flags.string({ char: "l", description: "cluster scan: label selector, e.g. app=web,tier!=db", helpGroup: "CLUSTER" }),
  "exclude-namespaces": Flags.string({ description: "cluster scan: comma-separated namespaces to leave out (none by default; kube-system is scanned)", helpGroup: "CLUSTER" }),
  "page-size": Flags.integer({ description: "cluster scan: objects per LIST page", default: 500, min: 1, hidden: true }),
  "allow-errors": Flags.boolean({
    description: "exit by the thresholds even when a rule could not evaluate some object (those findings still count as failed); default: exit 2",
  }),
  "fail-on-partial": Flags.boolean({ description: "cluster scan: exit 2 when some kinds could not be listed (their controls are skipped)", helpGroup: "CLUSTER" }),
};

type ScanFlagValues = {
  format?: string;
  output?: string;
  color?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  "show-passed"?: boolean;
  "severity-threshold"?: string;
  "compliance-threshold"?: number;
  "controls-config"?: string;
  exceptions?: string;
  "annotation-exceptions"?: boolean;
  baseline?: string;
  "max-file-size": number;
  "follow-symlinks"?: boolean;
  render?: boolean;
  exclude?: string[];
  "max-objects"?: number;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  "all-namespaces"?: boolean;
  selector?: string;
  "exclude-namespaces"?: string;
  "fail-on-partial"?: boolean;
  "allow-errors"?: boolean;
  "allow-empty"?: boolean;
  "page-size"?: number;
};

/**
 * Split leading selection words (framework names or controls, possibly comma-separated)
 * from the paths that follow. A word that is an existing path is a path. `resolve` gives
 * the canonical name of a selection word (undefined: not one); `known` lists the names a
 * mistyped entry is compared with for a suggestion.
 */
export function splitSelection(args: string[], resolve: (s: string) => string | undefined, what = "name", known: string[] | ((s: string) => string[]) = []): { names: string[]; paths: string[] } {
  const names: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-" || fs.existsSync(arg)) break;
    // "nsa, mitre" and "nsa,mitre" alike
    const parts = arg
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    if (!parts.length) break;
    const resolved = parts.map(resolve);
    const near = (x: string) => didYouMean(x, typeof known === "function" ? known(x) : known);
    const bad = parts.filter((_, k) => resolved[k] === undefined);
    if (bad.length === 0) {
      names.push(...(resolved as string[]));
      continue;
    }
    // a list with a good entry, or a comma, is a selection with a wrong entry: name that one
    if (parts.length > bad.length || arg.includes(",")) throw new UsageError(`unknown ${what} "${bad[0]}" in "${arg}"${near(bad[0])} (see: kubescape list ${what}s)`);
    // the first word must be a selection: say what it is not
    if (i === 0) throw new UsageError(`unknown ${what} "${arg}"${near(arg)} (see: kubescape list ${what}s)`);
    break;
  }
  return { names, paths: args.slice(i) };
}

/**
 * A control by ID ("C-0057", "c-0057", "57"), by its name in any case ("privileged
 * container"), or by the start of exactly one name. Undefined when none matches; a start
 * shared by several names is an error naming them.
 */
export function resolveControl(registry: Pick<Registry, "control" | "controls">, s: string): string | undefined {
  const byId = /^(C-)?\d{1,4}$/i.test(s) ? registry.control(s.replace(/^(C-)?(\d+)$/i, (_, _p, d: string) => `C-${d.padStart(4, "0")}`)) : undefined;
  if (byId) return byId.id;
  const want = s.toLowerCase().replace(/\s+/g, " ");
  const all = [...registry.controls.values()];
  const exact = all.find((c) => c.name.toLowerCase() === want);
  if (exact) return exact.id;
  if (want.length < 3) return undefined;
  const starts = all.filter((c) => c.name.toLowerCase().startsWith(want));
  if (starts.length === 1) return starts[0].id;
  if (starts.length > 1)
    throw new UsageError(
      `"${s}" starts ${starts.length} control names: ${starts
        .slice(0, 5)
        .map((c) => `${c.id} ${c.name}`)
        .join("; ")}${starts.length > 5 ? "; …" : ""} (name one by ID)`,
    );
  return undefined;
}

/** The cluster flags as cluster source options (also used by serve-metrics). */
export function clusterScanOptions(flags: Pick<ScanFlagValues, "kubeconfig" | "context" | "namespace" | "all-namespaces" | "selector" | "exclude-namespaces" | "page-size">): ClusterSourceOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags["all-namespaces"] ? undefined : flags.namespace,
    selector: flags.selector,
    excludeNamespaces: flags["exclude-namespaces"]
      ?.split(",")
      .map((x) => x.trim())
      .filter(Boolean),
    pageSize: flags["page-size"],
  };
}

/**
 * While workers evaluate, the main thread turns their replies into findings: short-lived
 * garbage that a small young generation collects before it adds to the peak (a 20,000 object
 * cluster scan: about 610 → 540 MB peak RSS; file scans take the same time). A process
 * setting, so the CLI makes it, not the scanner library.
 */
export function smallYoungGeneration(): void {
  v8.setFlagsFromString("--max-semi-space-size=2");
  // and an old generation that grows by 20% past what the last full collection kept (V8's
  // default lets it double): a scan's findings live until the report is written, and
  // garbage on top of them was half the peak (40,000 Pods, json: 1.5 → 1.06 GB peak RSS)
  v8.setFlagsFromString("--heap-growing-percent=20");
}

/** What to scan: paths (none: the cluster), or a source made by the command (helm). */
export interface ScanWhat {
  paths: string[];
  controls?: string[];
  frameworks?: string[];
  source?: Source;
}

/** The scan request the flags describe; the files they name (controls config, exceptions, baseline) are read here. */
export function scanRequest(
  flags: Pick<ScanFlagValues, "controls-config" | "exceptions" | "annotation-exceptions" | "baseline" | "max-file-size" | "follow-symlinks" | "max-objects" | "render" | "exclude"> &
    Parameters<typeof clusterScanOptions>[0],
  what: ScanWhat,
): ScanRequest {
  // no paths: the cluster of the kubeconfig context, as `kubectl kubescape scan` does
  const files = {
    maxFileBytes: flags["max-file-size"] * 1024 * 1024,
    followSymlinks: flags["follow-symlinks"],
    render: flags.render ?? true,
    exclude: flags.exclude,
    readStdin: (max: number) => readStdin(max, process.stdin),
  };
  const source = what.source ?? (what.paths.length ? fileSource(what.paths, files) : clusterSource(clusterScanOptions(flags)));
  return {
    source,
    controls: what.controls,
    frameworks: what.frameworks,
    controlInputs: flags["controls-config"] ? readConfigInputs(flags["controls-config"]) : undefined,
    exceptions: flags.exceptions ? readExceptions(flags.exceptions) : undefined,
    annotationExceptions: flags["annotation-exceptions"] ?? true,
    maxObjects: flags["max-objects"],
    baseline: flags.baseline ? { report: readReport(flags.baseline), name: flags.baseline } : undefined,
  };
}

export async function scanAndReport(flags: ScanFlagValues, what: ScanWhat): Promise<void> {
  const formats = parseFormats(flags.format, flags.output);
  const request = scanRequest(flags, what);
  smallYoungGeneration();
  const scanner = await Scanner.create();
  const progress = flags.quiet ? undefined : stderrProgress();
  let report: ScanReport;
  try {
    report = await scanner.scan(request, { onEvent: progress?.onEvent });
  } finally {
    progress?.done();
    await scanner.close();
  }
  const outputs = await writeReports(report, formats, flags, what, scanner.registry);
  if (outputs.some((o) => o.format !== "pretty" || o.file)) for (const w of report.warnings) process.stderr.write(`warning: ${oneLine(w)}\n`);
  for (const f of report.skippedFiles) process.stderr.write(`${oneLine(loc(f.file, f.line))}: ${oneLine(f.reason)}\n`);
  if (flags.verbose) for (const f of report.ignored ?? []) process.stderr.write(`ignored ${oneLine(loc(f.file, f.line))}: ${oneLine(f.reason)}\n`);
  const verdict = gate(report, {
    severityThreshold: flags["severity-threshold"] as (typeof SEVERITY_LEVELS)[number] | undefined,
    complianceThreshold: flags["compliance-threshold"],
  });
  const outcome = scanOutcome(report, verdict, flags);
  for (const line of outcome.lines) process.stderr.write(`${line}\n`);
  if (outcome.code !== EXIT.clean) process.exitCode = outcome.code;
}

/** Write to stdout batch by batch, waiting whenever the pipe is full (a 500 MB report never sits in memory twice). */
async function writeStdout(out: string | Uint8Array | Iterable<string>): Promise<void> {
  for (const b of batched(out)) if (!process.stdout.write(b)) await once(process.stdout, "drain");
}

/**
 * What the end of a scan says on stderr and which exit code it gets: inputs that could not be
 * read or evaluated (exit 2, fail closed), a partial cluster scan, else the gate (exit 1 when
 * a threshold is breached). Lines are escaped for a terminal.
 */
export function scanOutcome(
  report: ScanReport,
  verdict: { passed: boolean; clauses: string[] },
  flags: Pick<ScanFlagValues, "allow-errors" | "fail-on-partial" | "allow-empty">,
): { code: (typeof EXIT)[keyof typeof EXIT]; lines: string[] } {
  const lines: string[] = [];
  if (report.baseline) {
    const b = report.baseline;
    lines.push(`baseline ${oneLine(b.file)}: ${b.new} new, ${b.existing} existing, ${b.fixed} fixed failed field${b.fixed === 1 ? "" : "s"} (see: kubescape diff)`);
  }
  const unlisted = new Set(Object.values(report.target.cluster?.unavailable ?? {}));
  const partial = report.controls.filter((c) => c.skipReason !== undefined && unlisted.has(c.skipReason));
  if (partial.length) lines.push(`warning: ${partial.length} control${partial.length === 1 ? "" : "s"} skipped because some kinds could not be listed (${oneLine([...unlisted].join("; "))})`);
  // fail closed: objects a rule could not evaluate are named, and fail the scan unless allowed
  const unevaluated = report.resources.flatMap((r) => r.findings.filter((f) => f.error !== undefined).map((f) => ({ r, f })));
  for (const { r, f } of unevaluated)
    lines.push(`${oneLine(loc(r.source?.file, r.source?.line), 200)}: ${oneLine(r.kind, 60)}/${oneLine(r.name, 100)}: ${f.controlID} not evaluated: ${oneLine(f.error!, 300)}`);
  if (unevaluated.length && !flags["allow-errors"]) {
    const n = report.summary.resources.unevaluated ?? unevaluated.length;
    lines.push(`error: ${n} resource${n === 1 ? "" : "s"} could not be evaluated by every rule (listed above; counted as failed; --allow-errors to exit by the thresholds)`);
    return { code: EXIT.input, lines };
  }
  if (partial.length && flags["fail-on-partial"]) return { code: EXIT.input, lines: [...lines, "error: the scan is partial (--fail-on-partial)"] };
  if (report.skippedFiles.length) {
    const n = report.skippedFiles.length;
    return { code: EXIT.input, lines: [...lines, `error: ${n} input${n === 1 ? "" : "s"} could not be scanned (listed above)`] };
  }
  // nothing scanned is not a pass
  if (report.summary.resources.total === 0) {
    lines.push("warning: nothing was scanned: no Kubernetes objects in the input");
    if (verdict.clauses.length && !flags["allow-empty"]) {
      return { code: EXIT.input, lines: [...lines, "error: nothing was scanned, so no threshold can pass (--allow-empty to accept an empty scan)"] };
    }
  }
  // the last line says whether the gate passed and which threshold tripped
  if (verdict.clauses.length) lines.push(`${verdict.passed ? "PASS" : "FAIL"}: ${verdict.clauses.join("; ")}`);
  return { code: verdict.passed ? EXIT.clean : EXIT.findings, lines };
}

/** The formats asked for: --format a,b, else the one --output's extension names, else pretty. */
export function parseFormats(format: string | undefined, output: string | undefined): Format[] {
  if (format === undefined) return [(output && formatFromExtension(output)) || "pretty"];
  const names = format
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !isFormat(n));
  if (bad.length || !names.length) fail(`unknown format "${bad.join(",") || format}" (formats: ${FORMATS.join(", ")})`);
  const unique = [...new Set(names)] as Format[];
  if (unique.length > 1 && !output) fail(`several formats (${unique.join(", ")}) need --output <base>, e.g. --output out/report`);
  return unique;
}

/** Render each format and write it to stdout, --output, or <output base>.<ext> for several. */
async function writeReports(report: ScanReport, formats: Format[], flags: ScanFlagValues, what: ScanWhat, registry: Registry): Promise<{ format: Format; file?: string }[]> {
  const inputs = what.paths;
  const color = useColor(flags.color, !flags.output && process.stdout.isTTY === true);
  const doc = (id: string) => registry.doc(id);
  const layout = {
    // a report file has no screen to fit: its lines are not wrapped
    width: flags.output ? Infinity : terminalWidth(),
    verbose: flags.verbose,
    showPassed: flags["show-passed"],
    // a report file is read in an editor, not a screen: every resource in detail
    details: flags.output ? Infinity : undefined,
    frameworks: what.frameworks,
  };
  const written: { format: Format; file?: string }[] = [];
  for (const format of formats) {
    const reporter = await loadReporter(format);
    let out: string | Uint8Array | Iterable<string>;
    try {
      const opts = format === "pretty" ? { color, doc, ...layout } : { color, doc };
      out = reporter.chunks ? reporter.chunks(report, opts) : await reporter.render(report, opts);
    } catch (e) {
      // V8 holds strings up to about 512 MB: a format that renders to one string ends there
      if (e instanceof RangeError && /string length/i.test(e.message)) {
        fail(
          `the ${format} report of this scan is larger than one string can hold (${report.resources.length} resources with findings): use --format json, which is written in pieces, or scan less at a time`,
        );
      }
      throw e;
    }
    let file = flags.output;
    if (file && formats.length > 1) {
      const named = formatFromExtension(file);
      const base = named && formats.includes(named) ? file.replace(/\.[a-z]+$/i, "") : file;
      file = `${base}.${reporter.ext}`;
    }
    if (file) {
      writeOutput(file, out, { inputs: report.target.kind === "files" ? inputs : undefined });
      if (!flags.quiet) process.stderr.write(`report written to ${oneLine(file)}\n`);
    } else if (out instanceof Uint8Array && process.stdout.isTTY) {
      fail(`the ${format} format is binary: write it to a file with --output`);
    } else {
      await writeStdout(out);
    }
    written.push({ format, file });
  }
  return written;
}
