// The CI gate: which threshold, if any, a report breaches.
import { SEVERITY_ORDER, type Severity } from "../model.js";
import type { ScanReport } from "./result.js";

export const SEVERITY_LEVELS = ["critical", "high", "medium", "low"] as const;

export interface GateOptions {
  severityThreshold?: (typeof SEVERITY_LEVELS)[number];
  complianceThreshold?: number;
}

/** The reasons the scan fails the gate (empty when it passes). */
export function gate(report: ScanReport, opts: GateOptions): string[] {
  const reasons: string[] = [];
  if (opts.severityThreshold) {
    const limit = SEVERITY_ORDER.findIndex((s) => s.toLowerCase() === opts.severityThreshold);
    const over = SEVERITY_ORDER.slice(0, limit + 1) as Severity[];
    const n = over.reduce((acc, s) => acc + report.summary.failedBySeverity[s], 0);
    if (n > 0) reasons.push(`${n} failed control${n === 1 ? "" : "s"} at or above severity ${SEVERITY_ORDER[limit]} (--severity-threshold ${opts.severityThreshold})`);
  }
  if (opts.complianceThreshold !== undefined) {
    const s = report.summary.complianceScore;
    if (s !== undefined && s < opts.complianceThreshold) {
      reasons.push(`compliance score ${s.toFixed(2)}% is below ${opts.complianceThreshold}% (--compliance-threshold)`);
    }
  }
  return reasons;
}
