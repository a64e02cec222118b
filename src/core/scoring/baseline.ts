// Baselines: compare a scan with an earlier json report. A finding is identified by
// resource ID + control + field path — never by line — so reordered files and shifted
// lines match, and a finding that fails one more field counts as new.
import { decorateFindings, type ResourceFinding, type ResourceResult, type ScanReport } from "./result.js";
import { UserError } from "../errors.js";

export class BaselineError extends UserError {}

/** One failed field of one resource under one control: the unit baselines compare. */
export interface FindingItem {
  controlID: string;
  resourceID: string;
  /** the failed field ("" when the finding names none) */
  path: string;
  kind: string;
  namespace: string;
  name: string;
  file?: string;
  line?: number;
  message: string;
}

const KEY_SEP = "\u0000";
const itemKey = (i: { resourceID: string; controlID: string; path: string }) => [i.resourceID, i.controlID, i.path].join(KEY_SEP);

/** The failed fields of a finding: failed/review/delete paths, or one "" for none. */
function failedPaths(f: ResourceFinding): string[] {
  const paths = f.paths.filter((p) => p.type !== "fix").map((p) => p.path);
  return paths.length ? [...new Set(paths)] : [""];
}

/** Every failed (not excepted) finding of a report, one item per failed field. */
export function findingItems(report: Pick<ScanReport, "resources">): FindingItem[] {
  const out: FindingItem[] = [];
  for (const r of report.resources) {
    for (const f of r.findings) {
      if (f.status !== "failed") continue;
      for (const p of failedPaths(f)) out.push(item(r, f, p));
    }
  }
  return out;
}

function item(r: ResourceResult, f: ResourceFinding, path: string): FindingItem {
  const pos = f.paths.find((p) => p.path === path && p.line !== undefined);
  return {
    controlID: f.controlID,
    resourceID: r.resourceID,
    path,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    file: r.source?.file,
    line: pos?.line ?? r.source?.line,
    message: f.message,
  };
}

/** Check that parsed JSON is an earlier report of this tool (the `json` format); `name` is for messages. */
export function parseReport(data: unknown, name: string): ScanReport {
  const r = data as Partial<ScanReport>;
  const ok =
    r &&
    typeof r === "object" &&
    typeof r.schemaVersion === "string" &&
    Array.isArray(r.resources) &&
    Array.isArray(r.controls) &&
    r.resources.every((x) => x && typeof x.resourceID === "string" && Array.isArray(x.findings) && x.findings.every((f) => f && typeof f.controlID === "string" && Array.isArray(f.paths)));
  if (!ok) throw new BaselineError(`${name}: not a kubescape json report (expected schemaVersion, controls and resources; see schemas/report.schema.json)`);
  if (r.schemaVersion!.split(".")[0] !== "1") throw new BaselineError(`${name}: report schema ${r.schemaVersion} is not supported (this version reads 1.x)`);
  return r as ScanReport;
}

export interface ReportDiff {
  fixed: FindingItem[];
  new: FindingItem[];
  unchanged: FindingItem[];
  /** failed before, in a file the later scan could not read: neither fixed nor unchanged */
  unscanned: FindingItem[];
}

/** Which failed fields were fixed, which are new and which are still there. */
export function diffReports(before: Pick<ScanReport, "resources">, after: Pick<ScanReport, "resources" | "skippedFiles" | "ignored">): ReportDiff {
  const old = new Map(findingItems(before).map((i) => [itemKey(i), i]));
  const now = new Map(findingItems(after).map((i) => [itemKey(i), i]));
  const order = (a: FindingItem, b: FindingItem) => a.controlID.localeCompare(b.controlID) || a.resourceID.localeCompare(b.resourceID) || a.path.localeCompare(b.path);
  // a file that no longer parses is ignored when it no longer looks like an object: not read either
  const unread = new Set([...after.skippedFiles, ...(after.ignored ?? []).filter((f) => /^not a Kubernetes object \(invalid/.test(f.reason))].map((f) => f.file));
  const gone = [...old].filter(([k]) => !now.has(k)).map(([, i]) => i);
  return {
    fixed: gone.filter((i) => !(i.file && unread.has(i.file))).sort(order),
    unscanned: gone.filter((i) => i.file && unread.has(i.file)).sort(order),
    new: [...now]
      .filter(([k]) => !old.has(k))
      .map(([, i]) => i)
      .sort(order),
    unchanged: [...now]
      .filter(([k]) => old.has(k))
      .map(([, i]) => i)
      .sort(order),
  };
}

/**
 * Mark each failed finding of `report` new or existing against `baseline` (in place) and
 * record the totals in report.baseline. A finding is existing only when every field it
 * fails already failed in the baseline; the totals count failed fields, as `diff` does.
 */
export function applyBaseline(report: ScanReport, baseline: Pick<ScanReport, "resources">, file: string): void {
  const d = diffReports(baseline, report);
  const fresh = new Set(d.new.map(itemKey));
  const mark = (r: ResourceResult, f: ResourceFinding) => {
    if (f.status !== "failed") return;
    const isNew = failedPaths(f).some((path) => fresh.has(itemKey({ resourceID: r.resourceID, controlID: f.controlID, path })));
    f.baseline = isNew ? "new" : "existing";
  };
  for (const r of report.resources) decorateFindings(r, mark);
  report.baseline = { file, new: d.new.length, existing: d.unchanged.length, fixed: d.fixed.length };
}
