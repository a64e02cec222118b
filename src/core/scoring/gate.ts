// The CI gate: which thresholds a report breaches, and a one-line verdict either way.
import { SEVERITY_ORDER, type Severity } from "../model.js";
import type { ScanReport } from "./result.js";

export const SEVERITY_LEVELS = ["critical", "high", "medium", "low"] as const;

export interface GateOptions {
  severityThreshold?: (typeof SEVERITY_LEVELS)[number];
  complianceThreshold?: number;
}

export interface GateResult {
  /** true when no threshold is breached (also when none is set) */
  passed: boolean;
  /** one clause per threshold set, saying how it went */
  clauses: string[];
}

/**
 * Apply the thresholds. With a baseline (report.baseline) the severity threshold counts
 * only controls with a new failed finding; the compliance score is always the whole scan's.
 */
export function gate(report: ScanReport, opts: GateOptions): GateResult {
  const clauses: string[] = [];
  let passed = true;
  if (opts.severityThreshold) {
    const limit = SEVERITY_ORDER.findIndex((s) => s.toLowerCase() === opts.severityThreshold);
    const level = SEVERITY_ORDER[limit];
    const over = new Set(SEVERITY_ORDER.slice(0, limit + 1) as Severity[]);
    const severity = new Map(report.controls.map((c) => [c.id, c.severity]));
    const failing = new Set<string>();
    for (const r of report.resources) {
      for (const f of r.findings) {
        if (f.status === "failed" && (!report.baseline || f.baseline === "new") && over.has(severity.get(f.controlID)!)) failing.add(f.controlID);
      }
    }
    const n = failing.size;
    const what = report.baseline ? "control with new findings" : "failed control";
    const plural = report.baseline ? "controls with new findings" : "failed controls";
    if (n > 0) {
      passed = false;
      const ids = [...failing].sort();
      clauses.push(`${n} ${n === 1 ? what : plural} at or above ${level} (--severity-threshold ${opts.severityThreshold}): ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}`);
    } else {
      clauses.push(`no ${what} at or above ${level}`);
    }
  }
  if (opts.complianceThreshold !== undefined) {
    const s = report.summary.complianceScore;
    if (s !== undefined && s < opts.complianceThreshold) {
      passed = false;
      clauses.push(`compliance score ${s.toFixed(2)}% is below ${opts.complianceThreshold}% (--compliance-threshold)`);
    } else {
      clauses.push(s === undefined ? "no compliance score (nothing was checked)" : `compliance score ${s.toFixed(2)}% ≥ ${opts.complianceThreshold}%`);
    }
  }
  return { passed, clauses };
}
