// Rendering of `kubescape diff`: the findings fixed, new and unchanged between two reports.
import pc from "picocolors";
import { forTerminal as t } from "../core/escape.js";
import type { FindingItem, ReportDiff } from "../core/scoring/baseline.js";
import type { ScanReport } from "../core/scoring/result.js";

type ControlInfo = Pick<ScanReport["controls"][number], "id" | "name" | "severity">;

export function renderDiffJson(diff: ReportDiff, controls: Map<string, ControlInfo>): string {
  const withControl = (i: FindingItem) => ({ ...i, controlName: controls.get(i.controlID)?.name, severity: controls.get(i.controlID)?.severity });
  return (
    JSON.stringify(
      {
        summary: { new: diff.new.length, fixed: diff.fixed.length, unchanged: diff.unchanged.length, unscanned: diff.unscanned.length },
        new: diff.new.map(withControl),
        fixed: diff.fixed.map(withControl),
        unchanged: diff.unchanged.map(withControl),
        unscanned: diff.unscanned.map(withControl),
      },
      null,
      2,
    ) + "\n"
  );
}

export function renderDiffPretty(diff: ReportDiff, controls: Map<string, ControlInfo>, opts: { color: boolean; unchanged: boolean }): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  const section = (title: string, items: FindingItem[], paint: (s: string) => string) => {
    out.push(paint(c.bold(`${title} (${items.length})`)));
    let last = "";
    for (const i of items) {
      if (i.controlID !== last) {
        const ctl = controls.get(i.controlID);
        out.push(`  ${t(`${i.controlID} ${ctl?.name ?? ""}`)}${ctl ? c.dim(` [${t(ctl.severity)}]`) : ""}`);
        last = i.controlID;
      }
      // both reports are read from files anyone may have written: nothing of theirs reaches the terminal raw
      const where = i.file ? c.dim(` (${t(i.file)}${i.line ? `:${t(String(i.line))}` : ""})`) : "";
      out.push(`    ${t(i.resourceID)}${i.path ? ` ${t(i.path)}` : ""}${where}`);
    }
  };
  section("New", diff.new, c.red);
  section("Fixed", diff.fixed, c.green);
  if (opts.unchanged) section("Unchanged", diff.unchanged, (s) => s);
  if (diff.unscanned.length) section("Not rescanned: the later scan could not read their file", diff.unscanned, c.yellow);
  out.push(
    `${diff.new.length} new, ${diff.fixed.length} fixed, ${diff.unchanged.length} unchanged failed finding${diff.unchanged.length === 1 ? "" : "s"}` +
      (diff.unscanned.length ? `, ${diff.unscanned.length} not rescanned` : ""),
  );
  return out.join("\n") + "\n";
}
