// The gitlab-sast format: GitLab's SAST security report (schema 15.x), so failed controls
// show in merge requests and the vulnerability report. Checked in tests against
// schemas/gitlab-sast.schema.json.
//
// - One vulnerability per failed finding (control × resource). Excepted findings are left
//   out: the report has no "accepted risk" state, and GitLab would re-open them.
// - id: a UUID-shaped (version 8) hash of file + resource ID + control ID, so a finding keeps
//   its id across scans and GitLab can track it.
// - location.file: the scanned file as given on the command line (run from the repository
//   root for GitLab to link it), lines spanning the failed fields. A resource from stdin or
//   a cluster has no file in the repository: its resource ID stands in, without lines, so
//   the dashboard still names the object instead of a dead link to "<stdin>".
import { createHash } from "node:crypto";
import { isStreamName } from "../core/model.js";
import type { ScanReport, ResourceResult, ResourceFinding, PathEntry } from "../core/scoring/result.js";
import type { Reporter, RenderOptions } from "./index.js";
import { loc } from "./text.js";

export const SAST_SCHEMA_VERSION = "15.0.7";

export function renderGitlabSast(report: ScanReport, opts: Pick<RenderOptions, "doc">): string {
  const controls = new Map(report.controls.map((c) => [c.id, c]));
  const tool = {
    id: report.generator.name.replace(/[^a-zA-Z0-9_-]/g, "-"),
    name: report.generator.name,
    version: report.generator.version,
    vendor: { name: report.generator.name },
  };
  const started = Date.parse(report.startedAt);
  const start = Number.isFinite(started) ? started : Date.now();
  const vulnerabilities = [];
  for (const r of report.resources) {
    for (const f of r.findings) {
      if (f.status !== "failed") continue;
      const ctl = controls.get(f.controlID);
      const doc = opts.doc?.(f.controlID);
      const name = ctl?.name ?? f.controlID;
      vulnerabilities.push({
        id: stableId(r.source?.file ?? "", r.resourceID, f.controlID),
        name: name.slice(0, 255),
        description: clip(
          [f.message, `Resource: \`${r.resourceID}\``, doc && [doc.description, doc.why].filter(Boolean).join("\n\n"), failedList(f.paths)].filter(Boolean).join("\n\n"),
          1_048_576,
        ),
        severity: ctl?.severity ?? "Unknown",
        solution: clip([doc?.remediation, fixList(f.paths)].filter(Boolean).join("\n\n"), 7000) || undefined,
        location: location(r, f),
        identifiers: [
          {
            type: "kubescape_control",
            name: `Kubescape ${f.controlID}`,
            value: f.controlID,
            url: `https://hub.armosec.io/docs/${encodeURIComponent(f.controlID.toLowerCase())}`,
          },
        ],
      });
    }
  }
  const out = {
    version: SAST_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: "sast",
      start_time: gitlabTime(start),
      end_time: gitlabTime(start + Math.max(0, report.durationMs)),
      status: "success",
      messages: [
        ...report.warnings.map((value) => ({ level: "warn", value })),
        ...report.skippedFiles.map((s) => ({ level: "warn", value: `${loc(s.file, s.line)}: ${s.reason}` })),
      ],
    },
    vulnerabilities,
  };
  return JSON.stringify(out, null, 2) + "\n";
}

function location(r: ResourceResult, f: ResourceFinding): { file: string; start_line?: number; end_line?: number } {
  const src = r.source;
  if (!src?.file || isStreamName(src.file)) return { file: r.resourceID || "unknown" };
  const failed = f.paths.filter((p) => (p.type === "failed" || p.type === "review") && p.line !== undefined);
  const lines = (failed.length ? failed : f.paths.filter((p) => p.line !== undefined)).map((p) => p.line!);
  if (!lines.length && src.line !== undefined) lines.push(src.line);
  const clean = src.file.replace(/^\.\//, "");
  if (!lines.length) return { file: clean };
  return { file: clean, start_line: Math.min(...lines), end_line: Math.max(...lines) };
}

function failedList(paths: PathEntry[]): string {
  const failed = unique(paths.filter((p) => p.type === "failed" || p.type === "review")).filter(
    (p, _, all) => p.type === "failed" || !all.some((q) => q.type === "failed" && q.path === p.path),
  );
  return failed.length ? "Failed fields:\n" + failed.map((p) => `- \`${p.path}\`${p.line !== undefined ? ` (line ${p.line})` : ""}`).join("\n") : "";
}

function fixList(paths: PathEntry[]): string {
  const fixes = unique(paths.filter((p) => p.type === "fix" || p.type === "delete"));
  if (!fixes.length) return "";
  return "Suggested changes:\n" + fixes.map((p) => (p.type === "delete" ? `- remove \`${p.path}\`` : `- set \`${p.path}\` to \`${p.value ?? ""}\``)).join("\n");
}

/** Rules may report the same field twice; once is enough. */
function unique(paths: PathEntry[]): PathEntry[] {
  const seen = new Set<string>();
  return paths.filter((p) => !seen.has(`${p.type}\0${p.path}`) && !!seen.add(`${p.type}\0${p.path}`));
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

export const reporter: Reporter = { ext: "gitlab-sast.json", render: renderGitlabSast };
