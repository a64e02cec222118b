// The pretty format, the report a person reads first in a terminal: the summary (what was
// scanned, failed resources by severity, the compliance score of each selected framework),
// the failed controls worst first with a hint how to fix each, the most risky workloads,
// then failed resources in detail (each failed field once at file:line:col with its fix:
// report/view.ts), worst first, ten of them unless verbose. Everything fits the given width
// except a path or position that cannot be broken.
//
// It goes to a terminal: every string that comes from the scanned input passes through
// forTerminal (t below), so a name cannot carry an escape sequence or a carriage return that
// rewrites what the report says.
import pc from "picocolors";
import type { Severity } from "../core/model.js";
import type { ControlResult, ResourceResult, ScanReport } from "../core/scoring/result.js";
import type { Reporter, RenderOptions } from "./index.js";
import { fieldPieces, loc } from "./text.js";
import { chartFix, findingView, listedInDetail } from "./view.js";
import path from "node:path";
import { forTerminal as t } from "../core/escape.js";
import { columns, elide, joinPieces, textWidth, wrap, wrapIndented, wrapItems, type Cell, type Piece } from "./table.js";

export type PrettyOptions = RenderOptions;

/** Failed resources shown in detail when not verbose. */
export const DEFAULT_DETAILS = 10;
/** Workloads in "Most risky workloads". */
export const TOP_WORKLOADS = 10;

const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController", "DeploymentConfig"]);

/**
 * A control that had nothing to check: no resource of a kind it applies to. It is listed
 * apart and its (vacuous) pass is not shown as one.
 */
export function notApplicable(c: ControlResult): boolean {
  // a report saved before schema 1.2 (re-rendered from json) has no such status: there a pass
  // over no resource is the same thing
  return c.status === "not-applicable" || (c.status === "passed" && c.resources.passed + c.resources.failed + c.resources.excepted === 0);
}

const SEVERITIES: readonly Severity[] = ["Critical", "High", "Medium", "Low", "Info"];
const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));

/** Failed findings of a resource counted by their control's severity, worst severity first. */
function failedBySeverity(r: ResourceResult, severityOf: (id: string) => Severity): number[] {
  const counts = SEVERITIES.map(() => 0);
  for (const f of r.findings) if (f.status === "failed") counts[SEVERITY_RANK.get(severityOf(f.controlID))!]++;
  return counts;
}

/** Riskier first: more failures of the worst severity, then of the next, …; then by ID for a stable order. */
function byRisk(a: { counts: number[]; r: ResourceResult }, b: { counts: number[]; r: ResourceResult }): number {
  for (let i = 0; i < a.counts.length; i++) if (a.counts[i] !== b.counts[i]) return b.counts[i] - a.counts[i];
  return a.r.resourceID < b.r.resourceID ? -1 : a.r.resourceID > b.r.resourceID ? 1 : 0;
}

/** The first sentence of a remediation text, as a hint in one table cell. */
export function fixHint(remediation: string | undefined): string {
  if (!remediation) return "";
  const one = remediation.replace(/\s+/g, " ").trim();
  const m = /^(.*?[.;])(\s|$)/.exec(one);
  return (m ? m[1] : one).replace(/[.;]$/, "");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderPretty(report: ScanReport, opts: PrettyOptions): string {
  return [...renderPrettyChunks(report, opts)].join("");
}

/** Lines gathered before a piece is handed on (the details of 100,000 failed resources do not fit one string). */
const PIECE_LINES = 4096;

/** The pretty report in pieces of whole lines: joined, they are renderPretty's text. */
export function* renderPrettyChunks(report: ScanReport, opts: PrettyOptions): Generator<string> {
  const c = pc.createColors(opts.color);
  const width = Math.max(40, opts.width ?? 80);
  const verbose = opts.verbose === true;
  const sevColor: Record<Severity, (s: string) => string> = {
    Critical: (s) => c.bold(c.red(s)),
    High: c.red,
    Medium: c.yellow,
    Low: c.cyan,
    Info: c.dim,
  };
  const out: string[] = [];
  const para = (text: string, style: (s: string) => string = (x) => x) => {
    for (const l of wrap(text, width)) out.push(style(l));
  };
  /** a styled line when its plain text fits the width, else the plain text wrapped (colour codes take no columns but would count) */
  const styledLine = (plain: string, styled: string) => {
    if (textWidth(plain) <= width) out.push(styled);
    else
      out.push(
        ...wrapItems(
          plain.split(" · ").map((text) => ({ text, sep: " · " })),
          width,
        ),
      );
  };
  const s = report.summary;
  const ctlById = new Map(report.controls.map((x) => [x.id, x]));
  const severityOf = (id: string) => ctlById.get(id)?.severity ?? "Info";

  // --- the summary
  const cl = report.target.cluster;
  const scope = cl ? `cluster ${t(cl.context)} (${t(cl.server)}, ${t(cl.version || "unknown version")}${cl.namespace ? `, namespace ${t(cl.namespace)}` : ""})` : plural(s.filesRead, "file");
  const unevaluated = s.resources.unevaluated ? `, ${s.resources.unevaluated} not fully evaluated` : "";
  const headline = `Kubescape scan · ${scope} · ${plural(s.resources.total, "resource")}, ${s.resources.failed} failed${unevaluated}`;
  styledLine(headline, headline.replace(/^Kubescape scan/, c.bold("Kubescape scan")));
  if (cl) {
    const counts = Object.entries(cl.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n} ${t(k)}`);
    const items = (counts.length ? counts : ["nothing"]).map((text, i) => ({ text: i === 0 ? `listed ${text}` : text, sep: ", " }));
    items.push({ text: `in ${(cl.listMs / 1000).toFixed(1)} s`, sep: " " }, { text: `scan took ${(report.durationMs / 1000).toFixed(1)} s`, sep: " · " });
    for (const l of wrapItems(items, width)) out.push(c.dim(l));
  }
  const failed = report.controls.filter((x) => x.status === "failed");
  const na = report.controls.filter(notApplicable);
  const passed = report.controls.filter((x) => x.status === "passed" && !notApplicable(x));
  const skipped = report.controls.filter((x) => x.status === "skipped");
  para(`Controls: ${failed.length} failed, ${passed.length} passed` + (na.length ? `, ${na.length} not applicable` : "") + (skipped.length ? `, ${skipped.length} skipped` : ""));

  // resources by the worst severity they fail, so the counts add up to the failed resources
  const ranked = report.resources
    .filter(listedInDetail)
    .map((r) => ({ r, counts: failedBySeverity(r, severityOf) }))
    .sort(byRisk);
  const worst = SEVERITIES.map(() => 0);
  for (const x of ranked) {
    const i = x.counts.findIndex((n) => n > 0);
    if (i >= 0) worst[i]++;
  }
  const sevParts = SEVERITIES.map((sev, i) => ({ sev, n: worst[i] })).filter((x) => x.sev !== "Info" || x.n > 0);
  styledLine(
    `Failed resources by severity: ${sevParts.map((x) => `${x.n} ${x.sev}`).join(" · ")}`,
    `Failed resources by severity: ${sevParts.map((x) => (x.n ? sevColor[x.sev](`${x.n} ${x.sev}`) : `${x.n} ${x.sev}`)).join(" · ")}`,
  );

  const selected = (opts.frameworks ?? []).map((name) => report.frameworks.find((f) => f.name.toLowerCase() === name.toLowerCase()) ?? { name, score: undefined });
  const pct = (n: number | undefined) => (n === undefined ? "n/a" : `${n.toFixed(2)}%`);
  const score = selected.length ? selected.map((f) => `${t(f.name)} ${pct(f.score)}`).join(" · ") : pct(s.complianceScore);
  styledLine(`Compliance score: ${score}`, `${c.bold("Compliance score:")} ${score}`);

  // --- failed controls, worst first
  out.push("");
  if (failed.length) {
    out.push(c.bold(`Failed controls (${failed.length})`));
    const rows = [...failed]
      .sort((a, b) => SEVERITY_RANK.get(a.severity)! - SEVERITY_RANK.get(b.severity)! || b.resources.failed - a.resources.failed || (a.id < b.id ? -1 : 1))
      .map((ctl): Cell[] => {
        const all = ctl.resources.passed + ctl.resources.failed + ctl.resources.excepted;
        return [
          { text: ctl.severity, style: sevColor[ctl.severity] },
          t(`${ctl.id} ${ctl.name}`),
          `${ctl.resources.failed}/${all}` + (ctl.resources.excepted ? ` (+${ctl.resources.excepted} excepted)` : ""),
          { text: t(fixHint(opts.doc?.(ctl.id)?.remediation)), style: c.dim },
        ];
      });
    out.push(
      ...columns([{ header: "Severity" }, { header: "Control", flex: true, min: 32 }, { header: "Failed", align: "right" }, { header: "Fix", flex: true, min: 12 }], rows, { width, header: c.bold }),
    );
  } else out.push(c.green(report.summary.resources.total ? "No failed controls." : "No failed controls: nothing was scanned."));

  // --- the most risky workloads
  const workloads = ranked.filter((x) => WORKLOAD_KINDS.has(x.r.kind) && x.counts.some((n) => n > 0)).slice(0, TOP_WORKLOADS);
  if (workloads.length) {
    out.push("");
    out.push(c.bold("Most risky workloads") + c.dim(" · failed controls by severity"));
    workloads.forEach((x, i) => {
      const name = t(`${x.r.kind} ${x.r.namespace ? `${x.r.namespace}/` : ""}${x.r.name}`);
      const fails = SEVERITIES.map((sev, k) => ({ sev, n: x.counts[k] }))
        .filter((y) => y.n > 0)
        .map((y) => sevColor[y.sev](`${y.n} ${y.sev}`))
        .join(", ");
      const num = `${String(i + 1).padStart(2)}. `;
      const plainFails = SEVERITIES.map((sev, k) => ({ sev, n: x.counts[k] }))
        .filter((y) => y.n > 0)
        .map((y) => `${y.n} ${y.sev}`)
        .join(", ");
      const room = width - num.length - plainFails.length - 2;
      out.push(`${num}${elide(name, Math.max(16, room))}  ${fails}`);
      if (x.r.source && report.target.kind !== "cluster") out.push(c.dim(`    ${t(loc(x.r.source.file, x.r.source.line, x.r.source.column))}`));
    });
  }

  // --- failed resources in detail, worst first
  const detailed = ranked;
  const limit = verbose ? Infinity : (opts.details ?? DEFAULT_DETAILS);
  if (detailed.length) {
    out.push("");
    out.push(c.bold(`Failed resources (${report.summary.resources.failed})`) + (detailed.length > limit ? c.dim(` · the ${limit} most risky shown`) : ""));
    for (const { r } of detailed.slice(0, limit)) {
      out.push("");
      const head: Piece[] = [{ text: t(r.resourceID), style: c.bold, whole: true }];
      if (r.source) head.push({ text: t(loc(r.source.file, r.source.line, r.source.column)), style: c.dim, whole: true });
      out.push(...joinPieces("", head, 2, width));
      const findings = [...r.findings].sort((a, b) => SEVERITY_RANK.get(severityOf(a.controlID))! - SEVERITY_RANK.get(severityOf(b.controlID))!);
      for (const f of findings) {
        const ctl = ctlById.get(f.controlID)!;
        if (f.status === "excepted") {
          for (const l of wrapIndented(`  ${"excepted".padEnd(8)}`, t(`${ctl.id} ${ctl.name} — passed (excepted: ${f.exception ?? "an exception"})`), 11, width)) out.push(c.dim(l));
          continue;
        }
        const mark = f.baseline === "new" ? " new" : f.baseline === "existing" ? " (in baseline)" : "";
        const head = wrapIndented(`  ${ctl.severity.padEnd(8)}`, t(`${ctl.id} ${ctl.name}`) + mark, 11, width);
        head[0] = `  ${sevColor[ctl.severity](ctl.severity.padEnd(8))}${head[0].slice(10)}`;
        const last = head[head.length - 1];
        if (mark && last.endsWith(mark.trim())) {
          const word = mark.trim();
          head[head.length - 1] = last.slice(0, -word.length) + (f.baseline === "new" ? c.bold(c.magenta(word)) : c.dim(word));
        }
        out.push(...head);
        if (f.message) for (const l of wrapIndented("", t(f.message), 11, width)) out.push(c.dim(l));
        const view = findingView(r, f);
        for (const p of view.fields) {
          const pieces = fieldPieces(p, view.file, { at: t, code: t }).map((text, k): Piece => {
            if (k === 0 && view.file && p.line !== undefined) return { text, style: c.dim };
            return text.startsWith("fix: ") ? { text, style: (w, i) => (i === 0 ? c.green(w) : w) } : { text };
          });
          out.push(...joinPieces(" ".repeat(11), pieces, 13, width));
          // a values-driven chart field: the values.yaml lines that fix it
          const vf = p.values && p.values.file !== "--set" ? chartFix(p) : undefined;
          if (vf) out.push(`             ${c.dim(`in ${t(path.basename(p.values!.file))}:`)}`, ...vf.snippet.split("\n").map((l) => `               ${c.green(t(l))}`));
        }
        if (f.relatedObjects.length) for (const l of wrapIndented("", t(`related: ${f.relatedObjects.join(", ")}`), 11, width)) out.push(c.dim(l));
      }
      if (out.length >= PIECE_LINES) {
        yield out.join("\n") + "\n";
        out.length = 0;
      }
    }
    if (detailed.length > limit) {
      out.push("");
      para(`${plural(detailed.length - limit, "more failed resource")} not shown in detail: -v (--verbose) shows every one, or --format json/html for a file`, c.dim);
    }
  }

  // --- passed, not applicable and skipped controls
  if ((verbose || opts.showPassed) && passed.length) {
    out.push("");
    out.push(c.bold(`Passed controls (${passed.length})`));
    const rows = passed.map((ctl): Cell[] => [ctl.severity, t(`${ctl.id} ${ctl.name}`), String(ctl.resources.passed + ctl.resources.excepted)]);
    // no severity colour: nothing here needs attention
    out.push(...columns([{ header: "Severity" }, { header: "Control", flex: true, min: 24 }, { header: "Checked", align: "right" }], rows, { width, header: c.bold }));
  }
  if (na.length) {
    out.push("");
    para(`Not applicable (${na.length}): nothing in the scan for these controls to check; not counted in any score`, c.dim);
    if (verbose)
      out.push(
        ...columns(
          [{ header: "Control", flex: true, min: 24 }],
          na.map((ctl): Cell[] => [t(`${ctl.id} ${ctl.name}`)]),
          { width, indent: 2 },
        )
          .slice(1)
          .map(c.dim),
      );
    else para(`  ${idList(na.map((x) => x.id))}`, c.dim);
  }
  if (skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const ctl of skipped) byReason.set(ctl.skipReason ?? "skipped", [...(byReason.get(ctl.skipReason ?? "skipped") ?? []), ctl.id]);
    out.push("");
    for (const [reason, ids] of byReason) para(t(`${plural(ids.length, "control")} skipped (${reason}): ${verbose ? ids.join(", ") : idList(ids)}`), c.dim);
  }

  if (report.skippedFiles.length) {
    out.push("");
    out.push(c.bold(c.yellow(`Skipped input (${report.skippedFiles.length})`)));
    for (const f of report.skippedFiles) out.push(...wrapIndented("", `${t(loc(f.file, f.line))}: ${t(f.reason)}`, 2, width));
  }
  if (report.warnings.length) {
    out.push("");
    for (const w of report.warnings) para(`warning: ${t(w)}`, c.yellow);
  }
  if (!verbose && !opts.showPassed && passed.length) {
    out.push("");
    para(`${plural(passed.length, "passed control")} not listed: --show-passed lists them, -v (--verbose) shows everything`, c.dim);
  }
  if (out.length) yield out.join("\n") + "\n";
}

function idList(ids: string[]): string {
  return ids.length > 8 ? `${ids.slice(0, 8).join(", ")}, … (-v lists all)` : ids.join(", ");
}

export const reporter: Reporter = { ext: "txt", render: renderPretty, chunks: renderPrettyChunks };
