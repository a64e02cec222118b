// The json format: the ScanReport model as is (schemas/report.schema.json).
import type { ScanReport } from "../scoring/result.js";

export function renderJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}
