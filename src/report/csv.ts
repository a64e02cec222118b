// The csv format: one row per finding (failed or excepted control × resource), for
// spreadsheets. Paths of one finding share a cell, joined by "; ", so a row stays one
// finding, each field once; line/column are the finding's position (report/view.ts: the
// first positioned failed field, then delete, review, fix, else the resource's own start).
// Cells that a spreadsheet would run as a formula (= + - @ tab CR at the start) get a
// leading ' (csv-stringify's escape_formulas): resource names and messages come from the
// scanned objects, which anyone may have written.
import { stringify } from "csv-stringify/sync";
import type { ScanReport } from "../core/scoring/result.js";
import { findingView, type FieldView } from "./view.js";
import type { Reporter } from "./index.js";

export const CSV_COLUMNS = [
  "severity",
  "controlID",
  "controlName",
  "status",
  "resourceID",
  "kind",
  "namespace",
  "name",
  "file",
  "line",
  "column",
  "failedPaths",
  "fixPaths",
  "message",
  "exception",
] as const;

export function renderCsv(report: ScanReport): string {
  return stringify([...csvRows(report)], { header: true, columns: [...CSV_COLUMNS], escape_formulas: true });
}

/** Rows per piece of renderCsvChunks. */
const BATCH = 1000;

/** The same text in pieces of BATCH rows: the header with the first. */
export function* renderCsvChunks(report: ScanReport): Generator<string> {
  let rows: Row[] = [];
  let header = true;
  for (const row of csvRows(report)) {
    rows.push(row);
    if (rows.length === BATCH) {
      yield stringify(rows, { header, columns: [...CSV_COLUMNS], escape_formulas: true });
      header = false;
      rows = [];
    }
  }
  if (rows.length || header) yield stringify(rows, { header, columns: [...CSV_COLUMNS], escape_formulas: true });
}

type Row = (string | number | undefined)[];

function* csvRows(report: ScanReport): Generator<Row> {
  const controls = new Map(report.controls.map((c) => [c.id, c]));
  for (const r of report.resources) {
    for (const f of r.findings) {
      const ctl = controls.get(f.controlID);
      const view = findingView(r, f);
      yield [
        ctl?.severity ?? "",
        f.controlID,
        ctl?.name ?? "",
        f.status,
        r.resourceID,
        r.kind,
        r.namespace,
        r.name,
        view.lineFile ?? "",
        view.line,
        view.column,
        view.failed.map((p) => p.path).join("; "),
        view.fixes.map(fixCell).join("; "),
        f.message,
        f.exception ?? "",
      ];
    }
  }
}

function fixCell(p: FieldView): string {
  return p.fix === "remove" ? `remove ${p.path}` : `${p.path}=${p.fix?.value ?? ""}`;
}

export const reporter: Reporter = { ext: "csv", render: renderCsv, chunks: renderCsvChunks };
