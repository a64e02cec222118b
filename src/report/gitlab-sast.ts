// The gitlab-sast format: GitLab's SAST security report (schema 15.x), so failed controls
// show in merge requests and the vulnerability report. Checked in tests against
// schemas/gitlab-sast.schema.json.
//
// - One vulnerability per failed finding (control × resource). Excepted findings are left
//   out: the report has no "accepted risk" state, and GitLab would re-open them.
// - id: a UUID-shaped (version 8) hash of file + resource ID + control ID, so a finding keeps
//   its id across scans and GitLab can track it.
// - location.file: the scanned file as given on the command line (run from the repository
//   root for GitLab to link it), lines from the finding's position (report/view.ts, the line
//   every format gives) to the last failed field. A resource from stdin or
//   a cluster has no file in the repository: its resource ID stands in, without lines, so
//   the dashboard still names the object instead of a dead link to "<stdin>".
import { createHash } from "node:crypto";
import { isStreamName } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import { findingView, type FindingView } from "./view.js";
import type { Reporter, RenderOptions } from "./index.js";
import { loc } from "./text.js";
import { jsonChunks, StreamedArray } from "./json.js";

export const SAST_SCHEMA_VERSION = "15.0.7";

export function renderGitlabSast(report: ScanReport, opts: Pick<RenderOptions, "doc">): string {
  return (
    JSON.stringify(
      sastReport(report, opts, (v) => [...v()]),
      null,
      2,
    ) + "\n"
  );
}

/** The same JSON in pieces, a vulnerability at a time (a scan of 100,000 Pods has 2.6 million). */
export function* renderGitlabSastChunks(report: ScanReport, opts: Pick<RenderOptions, "doc">): Generator<string> {
  yield* jsonChunks(sastReport(report, opts, (v) => new StreamedArray(v)));
  yield "\n";
}

/** The report; `collect` decides whether the vulnerabilities are an array or made as they are written. */
function sastReport(report: ScanReport, opts: Pick<RenderOptions, "doc">, collect: (vulnerabilities: () => Generator<object>) => unknown) {
  const controls = new Map(report.controls.map((c) => [c.id, c]));
  const tool = {
    id: report.generator.name.replace(/[^a-zA-Z0-9_-]/g, "-"),
    name: report.generator.name,
    version: report.generator.version,
    vendor: { name: report.generator.name },
  };
  const started = Date.parse(report.startedAt);
  const start = Number.isFinite(started) ? started : Date.now();
  const vulnerabilities = function* (): Generator<object> {
    for (const r of report.resources) {
      for (const f of r.findings) {
        if (f.status !== "failed") continue;
        const ctl = controls.get(f.controlID);
        const doc = opts.doc?.(f.controlID);
        const name = ctl?.name ?? f.controlID;
        const view = findingView(r, f);
        yield {
          id: stableId(r.source?.file ?? "", r.resourceID, f.controlID),
          name: name.slice(0, 255),
          description: clip([f.message, `Resource: \`${r.resourceID}\``, doc && [doc.description, doc.why].filter(Boolean).join("\n\n"), failedList(view)].filter(Boolean).join("\n\n"), 1_048_576),
          severity: ctl?.severity ?? "Unknown",
          solution: clip([doc?.remediation, fixList(view)].filter(Boolean).join("\n\n"), 7000) || undefined,
          location: location(view),
          identifiers: [
            {
              type: "kubescape_control",
              name: `Kubescape ${f.controlID}`,
              value: f.controlID,
              url: `https://hub.armosec.io/docs/${encodeURIComponent(f.controlID.toLowerCase())}`,
            },
          ],
        };
      }
    }
  };
  return {
    version: SAST_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: "sast",
      start_time: gitlabTime(start),
      end_time: gitlabTime(start + Math.max(0, report.durationMs)),
      status: "success",
      messages: [...report.warnings.map((value) => ({ level: "warn", value })), ...report.skippedFiles.map((s) => ({ level: "warn", value: `${loc(s.file, s.line)}: ${s.reason}` }))],
    },
    vulnerabilities: collect(vulnerabilities),
  };
}

/** From the finding's position (the line every format gives) to the last failed field's line. */
function location(view: FindingView): { file: string; start_line?: number; end_line?: number } {
  const { resource: r } = view;
  if (view.edit) return { file: view.edit.file.replace(/^\.\//, ""), start_line: view.edit.line, end_line: view.edit.line };
  // the file of the finding's line: the resource's, or a related object's (the Role behind an RBAC finding)
  const file = view.lineFile;
  if (!file || isStreamName(file)) return { file: r.resourceID || "unknown" };
  const clean = file.replace(/^\.\//, "");
  if (view.line === undefined) return { file: clean };
  const end = Math.max(view.line, ...view.failed.filter((p) => p.line !== undefined && (p.file ?? r.source?.file) === file).map((p) => p.line!));
  return { file: clean, start_line: view.line, end_line: end };
}

function failedList(view: FindingView): string {
  return view.failed.length
    ? "Failed fields:\n" +
        view.failed.map((p) => `- ${p.failed ? "" : "review "}\`${p.path}\`${p.line !== undefined ? (p.file !== undefined ? ` (${loc(p.file, p.line)})` : ` (line ${p.line})`) : ""}`).join("\n")
    : "";
}

function fixList(view: FindingView): string {
  if (!view.fixes.length) return "";
  return "Suggested changes:\n" + view.fixes.map((p) => (p.fix === "remove" ? `- remove \`${p.path}\`` : `- set \`${p.path}\` to \`${p.fix!.value ?? ""}\``)).join("\n");
}

/** A UUID-shaped id from a hash: version 8 ("custom") and the RFC variant bits set. */
export function stableId(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\0")).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** YYYY-MM-DDTHH:MM:SS in UTC, the only time form the schema accepts. */
function gitlabTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

export const reporter: Reporter = { ext: "gitlab-sast.json", render: renderGitlabSast, chunks: renderGitlabSastChunks };
