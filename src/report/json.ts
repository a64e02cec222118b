// The json format: the ScanReport model as is (schemas/report.schema.json).
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";

export function renderJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

export const reporter: Reporter = { ext: "json", render: renderJson };
