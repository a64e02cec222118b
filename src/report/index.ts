// Report formats by name. Each renders the same ScanReport.
import type { ScanReport } from "../scoring/result.js";
import { renderJson } from "./json.js";
import { renderPretty } from "./pretty.js";

export const FORMATS = ["pretty", "json"] as const;
export type Format = (typeof FORMATS)[number];

export function render(format: Format, report: ScanReport, opts: { color: boolean }): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "pretty":
      return renderPretty(report, opts);
  }
}
