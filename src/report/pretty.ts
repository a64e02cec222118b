// The pretty format: a summary table of controls, then each failed resource with
// file:line:col of every failed field and how to fix it.
import { table as newTable } from "./table.js";
import pc from "picocolors";
import type { Severity } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";
import { loc, pathText } from "./text.js";

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
    ? `cluster ${cl.context} (${cl.server}, ${cl.version || "unknown version"}${cl.namespace ? `, namespace ${cl.namespace}` : ""}), ${s.resources.total} resource${s.resources.total === 1 ? "" : "s"}`
    : `${s.filesRead} file${s.filesRead === 1 ? "" : "s"}, ${s.resources.total} resource${s.resources.total === 1 ? "" : "s"}`;
  out.push(c.bold("Kubescape scan") + ` · ${what} · ${s.controls.total} controls (${s.controls.failed} failed, ${s.controls.passed} passed, ${s.controls.skipped} skipped)`);
  if (cl) {
    const counts = Object.entries(cl.counts).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);
    out.push(c.dim(`listed ${counts.join(", ") || "nothing"} in ${(cl.listMs / 1000).toFixed(1)} s · scan took ${(report.durationMs / 1000).toFixed(1)} s`));
  }
  out.push("");

  const shown = report.controls.filter((ctl) => ctl.status !== "skipped");
  if (shown.length) {
    const table = newTable(["Severity", "Control", "Failed", "All", "Score"], { color: opts.color, colAligns: ["left", "left", "right", "right", "right"] });
    for (const ctl of shown) {
      const all = ctl.resources.passed + ctl.resources.failed;
      table.push([
        sevColor[ctl.severity](ctl.severity),
        `${ctl.id} ${ctl.name}`,
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
      out.push(c.dim(`${ids.length} control${ids.length === 1 ? "" : "s"} skipped (${reason}): ${ids.length > 8 ? ids.slice(0, 8).join(", ") + ", …" : ids.join(", ")}`));
    }
  }

  if (report.resources.length) {
    out.push("");
    out.push(c.bold(`Failed resources (${report.summary.resources.failed})`));
    const ctlById = new Map(report.controls.map((x) => [x.id, x]));
    for (const r of report.resources) {
      if (!r.findings.some((f) => f.status === "failed")) continue; // only excepted findings
      out.push("");
      const where = r.source ? `  ${c.dim(loc(r.source.file, r.source.line, r.source.column))}` : "";
      out.push(`${c.bold(r.resourceID)}${where}`);
      for (const f of r.findings) {
        const ctl = ctlById.get(f.controlID)!;
        if (f.status === "excepted") {
          out.push(c.dim(`  ${"excepted".padEnd(8)} ${ctl.id} ${ctl.name} — passed (excepted: ${f.exception})`));
          continue;
        }
        const mark = f.baseline === "new" ? ` ${c.bold(c.magenta("new"))}` : f.baseline === "existing" ? c.dim(" (in baseline)") : "";
        out.push(`  ${sevColor[ctl.severity](ctl.severity.padEnd(8))} ${ctl.id} ${ctl.name}${mark}`);
        if (f.message) out.push(`           ${c.dim(f.message)}`);
        for (const p of f.paths) out.push(`           ${pathText(p, r.source?.file, { at: c.dim, fix: c.green })}`);
        if (f.relatedObjects.length) out.push(`           ${c.dim("related: " + f.relatedObjects.join(", "))}`);
      }
    }
  }

  if (report.skippedFiles.length) {
    out.push("");
    out.push(c.bold(c.yellow(`Skipped input (${report.skippedFiles.length})`)));
    for (const f of report.skippedFiles) out.push(`  ${loc(f.file, f.line)}: ${f.reason}`);
  }
  if (report.warnings.length) {
    out.push("");
    for (const w of report.warnings) out.push(c.yellow(`warning: ${w}`));
  }

  out.push("");
  const sev = (Object.entries(s.failedBySeverity) as [Severity, number][]).filter(([, n]) => n > 0);
  const fw = report.frameworks.filter((f) => f.score !== undefined && report.target.paths !== undefined);
  const score = s.complianceScore === undefined ? "n/a" : `${s.complianceScore.toFixed(2)}%`;
  out.push(
    `${c.bold("Compliance score:")} ${score}` +
      (sev.length ? `   ${c.bold("Failed controls:")} ${sev.map(([k, n]) => sevColor[k](`${n} ${k}`)).join(", ")}` : `   ${c.green("No failed controls")}`),
  );
  if (fw.length && fw.length <= 4) out.push(fw.map((f) => `${f.name}: ${f.score!.toFixed(2)}%`).join("   "));
  return out.join("\n") + "\n";
}



export const reporter: Reporter = { ext: "txt", render: renderPretty };
