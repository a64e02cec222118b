// The pretty format: a summary table of controls, then each failed resource with
// file:line:col of every failed field and how to fix it (report/view.ts: each field once,
// the one at the finding's position first). It goes to a terminal: every string that comes
// from the scanned input passes through forTerminal (t below), so a name cannot carry an
// escape sequence or a carriage return that rewrites what the report says.
import { table as newTable } from "./table.js";
import pc from "picocolors";
import type { Severity } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";
import { fieldText, loc } from "./text.js";
import { chartFix, findingView, listedInDetail } from "./view.js";
import path from "node:path";
import { forTerminal as t } from "../core/escape.js";

export interface PrettyOptions {
  color: boolean;
}

export function renderPretty(report: ScanReport, opts: PrettyOptions): string {
  const c = pc.createColors(opts.color);
  const sevColor: Record<Severity, (s: string) => string> = {
    Critical: (s) => c.bold(c.red(s)),
    High: c.red,
    Medium: c.yellow,
    Low: c.cyan,
    Info: c.dim,
  };
  const out: string[] = [];
  const s = report.summary;
  const cl = report.target.cluster;
  const what = cl
    ? `cluster ${t(cl.context)} (${t(cl.server)}, ${t(cl.version || "unknown version")}${cl.namespace ? `, namespace ${t(cl.namespace)}` : ""}), ${s.resources.total} resource${s.resources.total === 1 ? "" : "s"}`
    : `${s.filesRead} file${s.filesRead === 1 ? "" : "s"}, ${s.resources.total} resource${s.resources.total === 1 ? "" : "s"}`;
  out.push(
    c.bold("Kubescape scan") +
      ` · ${what} · ${s.controls.total} controls (${s.controls.failed} failed, ${s.controls.passed} passed, ${s.controls.skipped} skipped${s.controls.notApplicable ? `, ${s.controls.notApplicable} not applicable` : ""})`,
  );
  if (cl) {
    const counts = Object.entries(cl.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n} ${t(k)}`);
    out.push(c.dim(`listed ${counts.join(", ") || "nothing"} in ${(cl.listMs / 1000).toFixed(1)} s · scan took ${(report.durationMs / 1000).toFixed(1)} s`));
  }
  out.push("");

  const shown = report.controls.filter((ctl) => ctl.status !== "skipped" && ctl.status !== "not-applicable");
  if (shown.length) {
    const table = newTable(["Severity", "Control", "Failed", "All", "Score"], { color: opts.color, colAligns: ["left", "left", "right", "right", "right"] });
    for (const ctl of shown) {
      const all = ctl.resources.passed + ctl.resources.failed;
      table.push([
        sevColor[ctl.severity](ctl.severity),
        t(`${ctl.id} ${ctl.name}`),
        (ctl.resources.failed ? c.red(String(ctl.resources.failed)) : "0") + (ctl.resources.excepted ? c.dim(` (+${ctl.resources.excepted} excepted)`) : ""),
        String(all + ctl.resources.excepted),
        ctl.score === undefined ? "-" : `${ctl.score.toFixed(0)}%`,
      ]);
    }
    out.push(table.toString());
  }
  const skipped = report.controls.filter((ctl) => ctl.status === "skipped");
  if (skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const ctl of skipped) byReason.set(ctl.skipReason ?? "skipped", [...(byReason.get(ctl.skipReason ?? "skipped") ?? []), ctl.id]);
    for (const [reason, ids] of byReason) {
      out.push(c.dim(t(`${ids.length} control${ids.length === 1 ? "" : "s"} skipped (${reason}): ${ids.length > 8 ? ids.slice(0, 8).join(", ") + ", …" : ids.join(", ")}`)));
    }
  }
  const na = report.controls.filter((ctl) => ctl.status === "not-applicable").map((ctl) => ctl.id);
  if (na.length)
    out.push(c.dim(t(`${na.length} control${na.length === 1 ? "" : "s"} not applicable (no resource they are about): ${na.length > 8 ? na.slice(0, 8).join(", ") + ", …" : na.join(", ")}`)));

  if (report.resources.length) {
    out.push("");
    out.push(c.bold(`Failed resources (${report.summary.resources.failed})`));
    const ctlById = new Map(report.controls.map((x) => [x.id, x]));
    for (const r of report.resources) {
      if (!listedInDetail(r)) continue; // only excepted findings, by the team's own exceptions
      out.push("");
      const where = r.source ? `  ${c.dim(t(loc(r.source.file, r.source.line, r.source.column)))}` : "";
      out.push(`${c.bold(t(r.resourceID))}${where}`);
      for (const f of r.findings) {
        const ctl = ctlById.get(f.controlID)!;
        if (f.status === "excepted") {
          out.push(c.dim(`  ${"excepted".padEnd(8)} ${t(`${ctl.id} ${ctl.name}`)} — passed (excepted: ${t(f.exception ?? "an exception")})`));
          continue;
        }
        const mark = f.baseline === "new" ? ` ${c.bold(c.magenta("new"))}` : f.baseline === "existing" ? c.dim(" (in baseline)") : "";
        out.push(`  ${sevColor[ctl.severity](ctl.severity.padEnd(8))} ${t(`${ctl.id} ${ctl.name}`)}${mark}`);
        if (f.message) out.push(`           ${c.dim(t(f.message))}`);
        const view = findingView(r, f);
        for (const p of view.fields) {
          out.push(`           ${fieldText(p, view.file, { at: (x) => c.dim(t(x)), code: t, fix: c.green })}`);
          // a values-driven chart field: the values.yaml lines that fix it
          const vf = p.values && p.values.file !== "--set" ? chartFix(p) : undefined;
          if (vf) out.push(`             ${c.dim(`in ${t(path.basename(p.values!.file))}:`)}`, ...vf.snippet.split("\n").map((l) => `               ${c.green(t(l))}`));
        }
        if (f.relatedObjects.length) out.push(`           ${c.dim("related: " + t(f.relatedObjects.join(", ")))}`);
      }
    }
  }

  if (report.skippedFiles.length) {
    out.push("");
    out.push(c.bold(c.yellow(`Skipped input (${report.skippedFiles.length})`)));
    for (const f of report.skippedFiles) out.push(`  ${t(loc(f.file, f.line))}: ${t(f.reason)}`);
  }
  if (report.warnings.length) {
    out.push("");
    for (const w of report.warnings) out.push(c.yellow(`warning: ${t(w)}`));
  }

  out.push("");
  const sev = (Object.entries(s.failedBySeverity) as [Severity, number][]).filter(([, n]) => n > 0);
  const fw = report.frameworks.filter((f) => f.score !== undefined && report.target.paths !== undefined);
  const score = s.complianceScore === undefined ? "n/a" : `${s.complianceScore.toFixed(2)}%`;
  out.push(
    `${c.bold("Compliance score:")} ${score}` + (sev.length ? `   ${c.bold("Failed controls:")} ${sev.map(([k, n]) => sevColor[k](`${n} ${k}`)).join(", ")}` : `   ${c.green("No failed controls")}`),
  );
  if (fw.length && fw.length <= 4) out.push(fw.map((f) => `${t(f.name)}: ${f.score!.toFixed(2)}%`).join("   "));
  return out.join("\n") + "\n";
}

export const reporter: Reporter = { ext: "txt", render: renderPretty };
