// The sarif format: SARIF 2.1.0 for code-scanning tools (GitHub code scanning, IDE viewers).
// One rule per evaluated control, one result per failed (control, resource) pair; excepted
// findings stay in as results with an external suppression, so a viewer can show them as
// dismissed instead of losing them.
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Sarif from "sarif";
import { isStreamName, type Severity } from "../core/model.js";
import type { ControlResult, ResourceFinding, ResourceResult, ScanReport } from "../core/scoring/result.js";
import type { Reporter, RenderOptions } from "./index.js";
import { chartFix, findingView, isFile, type FieldView } from "./view.js";
import { fixText } from "./text.js";
import { jsonChunks, StreamedArray } from "./json.js";

const SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
// the controls are Kubescape's; their home is the most useful link for a reader
const INFORMATION_URI = "https://kubescape.io/";
const SRCROOT = "%SRCROOT%";

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  Critical: "error",
  High: "error",
  Medium: "warning",
  Low: "note",
  Info: "note",
};

export function renderSarif(report: ScanReport, opts: Pick<RenderOptions, "doc">, cwd = process.cwd()): string {
  const log = sarifLog(report, opts, cwd, (results) => [...results()]);
  return JSON.stringify(log, null, 2) + "\n";
}

/** The same log in pieces: results are made one at a time as they are written (a scan of 40,000 Pods has a million). */
export function* renderSarifChunks(report: ScanReport, opts: Pick<RenderOptions, "doc">, cwd = process.cwd()): Generator<string> {
  const log = sarifLog(report, opts, cwd, (results) => new StreamedArray(results));
  // jsonChunks writes short arrays whole: the one run is handed over as streamed, so its results are too
  yield* jsonChunks({ ...log, runs: new StreamedArray(() => log.runs) });
  yield "\n";
}

/** The SARIF log; `collect` decides whether the results are an array or made as they are written. */
function sarifLog(report: ScanReport, opts: Pick<RenderOptions, "doc">, cwd: string, collect: (results: () => Generator<Sarif.Result>) => unknown): Sarif.Log {
  const controls = report.controls.filter((c) => c.status !== "skipped" && c.status !== "not-applicable");
  const ruleIndex = new Map(controls.map((c, i) => [c.id, i]));
  const rules = controls.map((c) => rule(c, opts));

  const results = function* (): Generator<Sarif.Result> {
    for (const r of report.resources) {
      for (const f of r.findings) {
        const idx = ruleIndex.get(f.controlID);
        if (idx === undefined) continue; // a finding always names an evaluated control; guard anyway
        yield result(report, controls[idx], idx, r, f, cwd);
      }
    }
  };

  const notifications: Sarif.Notification[] = [
    ...report.warnings.map((w): Sarif.Notification => ({ level: "warning", message: { text: w } })),
    ...report.skippedFiles.map((s): Sarif.Notification => {
      const n: Sarif.Notification = { level: "error", message: { text: `${s.file}${s.line ? `:${s.line}` : ""}: ${s.reason}` } };
      const uri = !isStreamName(s.file) && report.target.kind !== "cluster" ? relativeUri(s.file, cwd) : undefined;
      if (uri) n.locations = [{ physicalLocation: { artifactLocation: { uri, uriBaseId: SRCROOT }, ...(s.line ? { region: { startLine: s.line } } : {}) } }];
      return n;
    }),
  ];

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: report.generator.name,
        version: report.generator.version,
        semanticVersion: report.generator.version,
        informationUri: INFORMATION_URI,
        rules,
      },
    },
    invocations: [
      {
        executionSuccessful: report.skippedFiles.length === 0,
        startTimeUtc: report.startedAt,
        endTimeUtc: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
        ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
      },
    ],
    // positions come from JavaScript string offsets
    columnKind: "utf16CodeUnits",
    results: collect(results) as Sarif.Result[],
    properties: {
      complianceScore: report.summary.complianceScore,
      frameworks: report.frameworks.map((fw) => ({ name: fw.name, score: fw.score })),
      // about no scanned resource: neither passed nor failed
      notApplicableControls: report.controls.filter((c) => c.status === "not-applicable").map((c) => c.id),
      target: report.target.kind,
    },
  };
  if (report.target.kind !== "cluster") {
    // relative URIs resolve against the directory the scan ran in
    run.originalUriBaseIds = { [SRCROOT]: { uri: pathToFileURL(cwd).href.replace(/\/?$/, "/") } };
  }
  return { $schema: SCHEMA_URI, version: "2.1.0", runs: [run] };
}

function rule(c: ControlResult, opts: Pick<RenderOptions, "doc">): Sarif.ReportingDescriptor {
  const doc = opts.doc?.(c.id);
  const description = doc?.description?.trim() || c.name;
  const textParts = [description];
  const mdParts = [`**${c.id} ${c.name}**`, description];
  if (doc?.why?.trim()) {
    textParts.push(`Why: ${doc.why.trim()}`);
    mdParts.push(`**Why it matters.** ${doc.why.trim()}`);
  }
  if (doc?.remediation?.trim()) {
    textParts.push(`Remediation: ${doc.remediation.trim()}`);
    mdParts.push(`**Remediation.** ${doc.remediation.trim()}`);
  }
  if (doc?.example?.trim()) mdParts.push("Example:\n\n```yaml\n" + doc.example.trimEnd() + "\n```");
  return {
    id: c.id,
    name: pascal(c.name),
    shortDescription: { text: c.name },
    fullDescription: { text: description },
    help: { text: textParts.join("\n\n"), markdown: mdParts.join("\n\n") },
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: {
      severity: c.severity,
      baseScore: c.baseScore,
      // GitHub code scanning ranks security results by this number, as a string 0.0–10.0
      "security-severity": Math.min(10, Math.max(0, c.baseScore)).toFixed(1),
      tags: [...new Set(["security", "kubernetes", ...c.frameworks])], // the schema wants them unique
      frameworks: c.frameworks,
      ...(c.partial ? { partial: c.partial } : {}),
    },
  };
}

function result(report: ScanReport, c: ControlResult, ruleIndex: number, r: ResourceResult, f: ResourceFinding, cwd: string): Sarif.Result {
  const view = findingView(r, f);
  const logical: Sarif.LogicalLocation = { fullyQualifiedName: r.resourceID, name: r.name || r.resourceID, kind: "resource" };
  // the finding's place: in the resource's file, or in a related object's (a Role's rule behind an RBAC finding)
  const uriOf = (file: string | undefined) => (isFile(report, file) ? relativeUri(file, cwd) : undefined);
  const uri = uriOf(view.lineFile);

  const primary: Sarif.Location = { logicalLocations: [logical] };
  // an installed release's templates (`<helm release NAME>:…`) are no file here
  if (view.edit && !view.edit.file.startsWith("<")) {
    // a chart: the template line the user edits, not the rendered stream
    primary.physicalLocation = { artifactLocation: { uri: relativeUri(view.edit.file, cwd), uriBaseId: SRCROOT }, region: { startLine: view.edit.line } };
  } else if (uri) {
    primary.physicalLocation = { artifactLocation: { uri, uriBaseId: SRCROOT } };
    if (view.line !== undefined) primary.physicalLocation.region = region(view.line, view.column);
  }
  if (view.at) primary.message = { text: describeField(view.at) };

  // the other positioned fields, each once, each in its own file
  const related: Sarif.Location[] = [];
  const v = view.at?.values;
  if (v && v.file !== "--set" && !v.file.startsWith("<") && v.line !== undefined) {
    related.push({
      id: related.length,
      physicalLocation: { artifactLocation: { uri: relativeUri(v.file, cwd), uriBaseId: SRCROOT }, region: { startLine: v.line } },
      message: { text: `value ${v.key}` },
    });
  }
  for (const p of view.fields) {
    if (p === view.at || p.line === undefined) continue;
    const at = uriOf(p.file ?? r.source?.file);
    if (!at) continue;
    related.push({
      id: related.length,
      physicalLocation: { artifactLocation: { uri: at, uriBaseId: SRCROOT }, region: region(p.line, p.column) },
      message: { text: describeField(p) },
    });
  }

  const fixes = view.fixes.map((p) => {
    // a values-driven chart field: the override that fixes it, on the command line or in values.yaml
    const vf = p.values && p.values.file !== "--set" ? chartFix(p) : undefined;
    return vf ? `${fixText(p)} (or ${vf.set}; in values.yaml:\n${vf.snippet})` : fixText(p);
  });
  const base = f.message.trim() || `${c.id} ${c.name} failed on ${r.resourceID}`;
  const res: Sarif.Result = {
    ruleId: c.id,
    ruleIndex,
    kind: "fail",
    level: LEVEL[c.severity],
    message: { text: fixes.length ? `${base}\nTo fix: ${fixes.join("; ")}` : base },
    locations: [primary],
    partialFingerprints: { "kubescapeFinding/v1": fingerprint(r.resourceID, c.id, view.at?.path ?? "") },
    properties: {
      severity: c.severity,
      resourceID: r.resourceID,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      ...(r.source ? { source: r.source.file } : {}),
      paths: f.paths.map((p) => ({ type: p.type, path: p.path, ...(p.value !== undefined ? { value: p.value } : {}), ...(p.object !== undefined ? { object: p.object } : {}) })),
      ...(f.relatedObjects.length ? { relatedObjects: f.relatedObjects } : {}),
    },
  };
  if (related.length) res.relatedLocations = related;
  if (f.status === "excepted") {
    res.suppressions = [{ kind: "external", status: "accepted", justification: f.exception ?? "excepted" }];
  }
  return res;
}

function region(line: number, column: number | undefined): Sarif.Region {
  return column !== undefined ? { startLine: line, startColumn: column } : { startLine: line };
}

/** A field and what to do with it, in one phrase: "spec.x (review; fix: remove it)". */
function describeField(p: FieldView): string {
  const notes = [...(p.review && !p.failed ? ["review"] : []), ...(p.fix ? [p.fix === "remove" ? "fix: remove it" : `fix: set to ${p.fix.value ?? "a value"}`] : [])];
  return notes.length ? `${p.path} (${notes.join("; ")})` : p.path;
}

/** Stable across line shifts: what failed and where in the object, not where in the file. */
function fingerprint(resourceID: string, controlID: string, fieldPath: string): string {
  return createHash("sha256").update(`${resourceID}\0${controlID}\0${fieldPath}`).digest("hex");
}

/** A file as a URI reference relative to cwd: forward slashes, each segment percent-encoded. */
export function relativeUri(file: string, cwd: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, file)) || path.basename(file);
  return rel.split(path.sep).map(encodeURIComponent).join("/");
}

function pascal(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join("") || "Control";
}

export const reporter: Reporter = { ext: "sarif", render: (report, opts) => renderSarif(report, opts), chunks: (report, opts) => renderSarifChunks(report, opts) };
