// The html format: one self-contained page (inline CSS, no script, no external request)
// that a browser opens from disk or a CI artifact store. Every string that comes from the
// scan goes through esc(): resource names, messages and paths are user-controlled. Each
// finding lists its fields once (report/view.ts), the one at the finding's position first.
import { escape } from "html-escaper";
import type { Severity } from "../core/model.js";
import type { ControlResult, ScanReport } from "../core/scoring/result.js";
import { findingView, listedInDetail, type FindingView } from "./view.js";
import { escapeControls } from "../core/escape.js";
import { UserError } from "../core/errors.js";
import type { RenderOptions, Reporter } from "./index.js";
import { fieldText, loc } from "./text.js";

const SEVERITIES: Severity[] = ["Critical", "High", "Medium", "Low", "Info"];

/** HTML-escaped, with control characters and bidi overrides shown as escapes (a newline or tab is only whitespace here) */
function esc(s: string | number | undefined): string {
  return s === undefined ? "" : escape(escapeControls(String(s), "\t\n"));
}

/** Scores as the page shows them: two decimals and a percent sign, or n/a. */
export function formatScore(score: number | undefined): string {
  return score === undefined ? "n/a" : `${score.toFixed(2)}%`;
}

function scoreClass(score: number | undefined): string {
  if (score === undefined) return "na";
  return score >= 90 ? "good" : score >= 70 ? "fair" : "poor";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// The page forbids everything but its own inline style and data: images, so even a
// rendering mistake cannot run a script or reach the network.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--panel:#f6f8fa;--good:#1a7f37;--fair:#9a6700;--poor:#cf222e;
--Critical:#82071e;--High:#cf222e;--Medium:#bc4c00;--Low:#0969da;--Info:#59636e}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.meta{color:var(--muted);margin:0;display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}.meta dt{font-weight:600}.meta dd{margin:0;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:150px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .big{font-size:30px;font-weight:700}
.good{color:var(--good)}.fair{color:var(--fair)}.poor{color:var(--poor)}.na{color:var(--muted)}
.sev{display:inline-block;min-width:64px;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;text-align:center}
.sev-Critical{background:var(--Critical)}.sev-High{background:var(--High)}.sev-Medium{background:var(--Medium)}.sev-Low{background:var(--Low)}.sev-Info{background:var(--Info)}
.sevcounts{display:flex;gap:8px;flex-wrap:wrap}.sev.zero{opacity:.4}.sevcounts li{list-style:none}
ul.sevcounts{padding:0;margin:6px 0 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.failed td:nth-child(4){color:var(--poor);font-weight:600}
.fw{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:8px}
.fw>div{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.fw .name{font-weight:600;overflow-wrap:anywhere}.fw .score{float:right;font-weight:700}.fw .sub{color:var(--muted);font-size:12px}
.bar{height:6px;background:var(--line);border-radius:3px;margin-top:6px;overflow:hidden}.bar span{display:block;height:100%}
.bar .good{background:var(--good)}.bar .fair{background:var(--fair)}.bar .poor{background:var(--poor)}
details{margin:6px 0}summary{cursor:pointer}
.skipped li{margin:2px 0}
.resource{border:1px solid var(--line);border-radius:8px;margin:12px 0;overflow:hidden}
.resource>header{background:var(--panel);padding:8px 12px;border-bottom:1px solid var(--line)}
.resource>header .id{font-weight:600;overflow-wrap:anywhere}.resource>header .src{color:var(--muted);margin-left:8px}
.finding{padding:8px 12px;border-top:1px solid var(--line)}.finding:first-of-type{border-top:0}
.finding .title{font-weight:600}.finding .msg{color:var(--muted);margin:2px 0 4px;overflow-wrap:anywhere}
.finding ul{margin:4px 0;padding-left:18px}.finding li{overflow-wrap:anywhere}
.finding .at{color:var(--muted)}.fix{color:var(--good);font-weight:600}
.remediation{margin:6px 0 0;padding:6px 10px;background:#dafbe1;border-left:3px solid var(--good);border-radius:4px}
.excepted{color:var(--muted)}
.warn{color:var(--fair)}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media print{main{max-width:none;padding:0}.resource{break-inside:avoid}}
`;

/**
 * The html report is one page built whole: above this many findings (about 40 MB of html, more
 * than a browser shows usefully) it is refused with one line rather than built (json, junit,
 * sarif, csv and yaml are written in pieces and have no such limit).
 */
export const HTML_MAX_FINDINGS = 50_000;

export class ReportTooLargeError extends UserError {}

export function renderHtml(report: ScanReport, opts: Pick<RenderOptions, "doc">): string {
  const findings = report.resources.reduce((n, r) => n + r.findings.length, 0);
  if (findings > HTML_MAX_FINDINGS) {
    throw new ReportTooLargeError(
      `the html report is limited to ${HTML_MAX_FINDINGS} findings and this scan has ${findings}: use --format json, sarif, junit, csv or yaml, which are written in pieces, or scan less at a time`,
    );
  }
  const s = report.summary;
  const ctlById = new Map(report.controls.map((c) => [c.id, c]));
  const parts: string[] = [];
  const title = `Kubescape scan report: ${targetTitle(report)}`;

  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>`);

  // header: what was scanned, when, by what
  parts.push(`<header>
<h1>Kubescape scan report</h1>
<dl class="meta">${targetRows(report)}
<dt>Date</dt><dd data-testid="started-at"><time datetime="${esc(report.startedAt)}">${esc(formatDate(report.startedAt))}</time> (took ${esc((report.durationMs / 1000).toFixed(1))} s)</dd>
<dt>Generator</dt><dd data-testid="generator">${esc(report.generator.name)} ${esc(report.generator.version)}</dd>
</dl>
</header>`);

  // summary cards
  const sevItems = SEVERITIES.map(
    (sev) =>
      `<li><span class="sev sev-${sev}${(s.failedBySeverity[sev] ?? 0) === 0 ? " zero" : ""}" data-severity="${sev}" title="failed ${sev} controls">${esc(s.failedBySeverity[sev] ?? 0)} ${sev}</span></li>`,
  ).join("");
  parts.push(`<section class="cards" aria-label="Summary">
<div class="card"><div class="label">Compliance score</div><div class="big ${scoreClass(s.complianceScore)}" data-testid="score-overall">${esc(formatScore(s.complianceScore))}</div></div>
<div class="card"><div class="label">Controls</div><div class="big" data-testid="controls-failed">${esc(s.controls.failed)}</div><div>failed of ${esc(s.controls.total)} (${esc(s.controls.passed)} passed, ${esc(s.controls.skipped)} skipped${s.controls.notApplicable ? `, ${esc(s.controls.notApplicable)} not applicable` : ""})</div></div>
<div class="card"><div class="label">Resources</div><div class="big" data-testid="resources-failed">${esc(s.resources.failed)}</div><div>failed of ${esc(s.resources.total)}</div></div>
<div class="card"><div class="label">Failed controls by severity</div><ul class="sevcounts">${sevItems}</ul></div>
</section>`);

  // frameworks
  if (report.frameworks.length) {
    parts.push(`<h2>Frameworks</h2>\n<div class="fw">`);
    for (const fw of report.frameworks) {
      const cls = scoreClass(fw.score);
      const width = fw.score === undefined ? 0 : Math.max(0, Math.min(100, fw.score));
      parts.push(
        `<div><span class="name">${esc(fw.name)}</span><span class="score ${cls}" data-framework="${esc(fw.name)}">${esc(formatScore(fw.score))}</span>` +
          `<div class="sub">${esc(fw.controls.failed)} failed of ${esc(fw.controls.evaluated)} evaluated, ${esc(fw.controls.skipped)} skipped${fw.controls.notApplicable ? `, ${esc(fw.controls.notApplicable)} not applicable` : ""}</div>` +
          `<div class="bar"><span class="${cls}" style="width:${width.toFixed(1)}%"></span></div></div>`,
      );
    }
    parts.push(`</div>`);
  }

  // controls
  const evaluated = report.controls.filter((c) => c.status !== "skipped" && c.status !== "not-applicable");
  parts.push(`<h2>Controls</h2>`);
  if (evaluated.length) {
    parts.push(`<table data-testid="controls">
<thead><tr><th>Severity</th><th>ID</th><th>Name</th><th class="num">Failed / all</th><th class="num">Score</th></tr></thead>
<tbody>`);
    for (const c of evaluated) {
      const all = c.resources.passed + c.resources.failed + c.resources.excepted;
      const excepted = c.resources.excepted ? ` <span class="excepted">(+${esc(c.resources.excepted)} excepted)</span>` : "";
      parts.push(
        `<tr class="${c.status}" data-control="${esc(c.id)}"><td><span class="sev sev-${esc(c.severity)}">${esc(c.severity)}</span></td><td class="mono">${esc(c.id)}</td><td>${esc(c.name)}</td>` +
          `<td class="num">${esc(c.resources.failed)} / ${esc(all)}${excepted}${c.partial ? ` <span class="partial" title="${esc(c.partial)}">(partial)</span>` : ""}</td><td class="num ${scoreClass(c.score)}">${esc(formatScore(c.score))}</td></tr>`,
      );
    }
    parts.push(`</tbody></table>`);
  } else {
    parts.push(`<p>No control was evaluated.</p>`);
  }
  const skipped = report.controls.filter((c) => c.status === "skipped");
  if (skipped.length) {
    const byReason = new Map<string, ControlResult[]>();
    for (const c of skipped) {
      const reason = c.skipReason ?? "skipped";
      byReason.set(reason, [...(byReason.get(reason) ?? []), c]);
    }
    parts.push(`<div class="skipped" data-testid="skipped-controls">`);
    for (const [reason, list] of byReason) {
      parts.push(
        `<details><summary>${esc(plural(list.length, "control"))} skipped: ${esc(reason)}</summary><ul>` +
          list.map((c) => `<li><span class="mono">${esc(c.id)}</span> ${esc(c.name)}</li>`).join("") +
          `</ul></details>`,
      );
    }
    parts.push(`</div>`);
  }
  const notApplicable = report.controls.filter((c) => c.status === "not-applicable");
  if (notApplicable.length) {
    parts.push(
      `<div class="skipped" data-testid="not-applicable-controls"><details><summary>${esc(plural(notApplicable.length, "control"))} not applicable: no scanned resource is one they are about</summary><ul>` +
        notApplicable.map((c) => `<li><span class="mono">${esc(c.id)}</span> ${esc(c.name)}</li>`).join("") +
        `</ul></details></div>`,
    );
  }

  // failed resources
  const failedResources = report.resources.filter(listedInDetail);
  parts.push(`<h2>Failed resources (${esc(report.summary.resources.failed)})</h2>`);
  if (!failedResources.length) parts.push(`<p>No resource failed a control.</p>`);
  for (const r of failedResources) {
    const src = r.source ? `<span class="src mono">${esc(loc(r.source.file, r.source.line, r.source.column))}</span>` : "";
    parts.push(`<article class="resource" data-resource="${esc(r.resourceID)}"><header><span class="id">${esc(r.resourceID)}</span>${src}</header>`);
    for (const f of r.findings) parts.push(findingHtml(findingView(r, f), ctlById.get(f.controlID), opts));
    parts.push(`</article>`);
  }

  if (report.skippedFiles.length) {
    parts.push(`<h2 class="warn">Skipped input (${esc(report.skippedFiles.length)})</h2><ul>`);
    for (const f of report.skippedFiles) parts.push(`<li><span class="mono">${esc(loc(f.file, f.line))}</span>: ${esc(f.reason)}</li>`);
    parts.push(`</ul>`);
  }
  if (report.warnings.length) {
    parts.push(`<h2 class="warn">Warnings</h2><ul>`);
    for (const w of report.warnings) parts.push(`<li>${esc(w)}</li>`);
    parts.push(`</ul>`);
  }

  parts.push(`<footer>Generated by ${esc(report.generator.name)} ${esc(report.generator.version)} · report schema ${esc(report.schemaVersion)}</footer>
</main>
</body>
</html>
`);
  return parts.join("\n");
}

function targetTitle(report: ScanReport): string {
  const cl = report.target.cluster;
  if (cl) return `cluster ${cl.context}`;
  return report.target.paths.join(", ") || "no input";
}

function targetRows(report: ScanReport): string {
  const cl = report.target.cluster;
  if (cl) {
    const unavailable = Object.entries(cl.unavailable);
    return (
      `\n<dt>Cluster</dt><dd data-testid="target">${esc(cl.context)} (${esc(cl.server)})</dd>` +
      `\n<dt>Version</dt><dd>${esc(cl.version || "unknown")}</dd>` +
      `\n<dt>Namespace</dt><dd>${esc(cl.namespace ?? "all namespaces")}</dd>` +
      (unavailable.length ? `\n<dt>Not listed</dt><dd class="warn">${unavailable.map(([k, why]) => `${esc(k)}: ${esc(why)}`).join("; ")}</dd>` : "")
    );
  }
  const s = report.summary;
  return (
    `\n<dt>Files</dt><dd data-testid="target" class="mono">${esc(report.target.paths.join(", ") || "none")}</dd>` +
    `\n<dt>Read</dt><dd>${esc(plural(s.filesRead, "file"))}, ${esc(plural(s.resources.total, "resource"))}</dd>`
  );
}

/** ISO time without milliseconds, in UTC, so the page reads the same everywhere. */
function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, " UTC");
}

function findingHtml(view: FindingView, ctl: ControlResult | undefined, opts: Pick<RenderOptions, "doc">): string {
  const f = view.finding;
  const id = esc(f.controlID);
  const name = esc(ctl?.name ?? "");
  if (f.status === "excepted") {
    return `<section class="finding excepted" data-finding="${id}"><span class="mono">${id}</span> ${name}: passed (excepted by ${esc(f.exception ?? "an exception")})</section>`;
  }
  const sev = ctl ? `<span class="sev sev-${esc(ctl.severity)}">${esc(ctl.severity)}</span> ` : "";
  const paths = view.fields
    .map((p) => `<li>${fieldText(p, view.file, { at: (x) => `<span class="at mono">${esc(x)}</span>`, code: (x) => `<code>${esc(x)}</code>`, fix: (x) => `<span class="fix">${x}</span>` })}</li>`)
    .join("");
  const related = f.relatedObjects.length ? `<div class="msg">related: ${esc(f.relatedObjects.join(", "))}</div>` : "";
  const remediation = opts.doc?.(f.controlID)?.remediation;
  return (
    `<section class="finding" data-finding="${id}"><div class="title">${sev}<span class="mono">${id}</span> ${name}</div>` +
    (f.message ? `<div class="msg">${esc(f.message)}</div>` : "") +
    (paths ? `<ul>${paths}</ul>` : "") +
    related +
    (remediation ? `<div class="remediation"><span class="fix">Fix:</span> ${esc(remediation.trim())}</div>` : "") +
    `</section>`
  );
}

export const reporter: Reporter = { ext: "html", render: (report, opts) => renderHtml(report, opts) };
