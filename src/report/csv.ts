// The csv format: one row per finding (failed or excepted control × resource), for
// spreadsheets. Paths of one finding share a cell, joined by "; ", so a row stays one
// finding; line/column are those of the first failed field (else the resource's own).
// Cells that a spreadsheet would run as a formula (= + - @ tab CR at the start) get a
// leading ' (csv-stringify's escape_formulas): resource names and messages come from the
// scanned objects, which anyone may have written.
import { stringify } from "csv-stringify/sync";
import type { ScanReport, PathEntry } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";

export const CSV_COLUMNS = [
  "severity", "controlID", "controlName", "status", "resourceID", "kind", "namespace", "name",
  "file", "line", "column", "failedPaths", "fixPaths", "message", "exception",
] as const;

export function renderCsv(report: ScanReport): string {
  const controls = new Map(report.controls.map((c) => [c.id, c]));
  const rows: (string | number | undefined)[][] = [];
  for (const r of report.resources) {
    for (const f of r.findings) {
      const ctl = controls.get(f.controlID);
      const failed = f.paths.filter((p) => p.type === "failed" || p.type === "review");
      const at = failed.find((p) => p.line !== undefined) ?? f.paths.find((p) => p.line !== undefined) ?? r.source;
      rows.push([
        ctl?.severity ?? "",
        f.controlID,
        ctl?.name ?? "",
        f.status,
        r.resourceID,
        r.kind,
        r.namespace,
        r.name,
        r.source?.file ?? "",
        at?.line,
        at?.column,
        [...new Set(failed.map((p) => p.path))].join("; "),
        [...new Set(f.paths.filter((p) => p.type === "fix" || p.type === "delete").map(fixText))].join("; "),
        f.message,
        f.exception ?? "",
      ]);
    }
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], escape_formulas: true });
}

function fixText(p: PathEntry): string {
  return p.type === "delete" ? `remove ${p.path}` : `${p.path}=${p.value ?? ""}`;
}

export const reporter: Reporter = { ext: "csv", render: renderCsv };
