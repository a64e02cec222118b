// The scan result: one model that every report format renders. Its JSON form is the
// `json` report (schemas/report.schema.json), versioned by SCHEMA_VERSION.
import type { ClusterInfo, Severity, SkippedFile } from "../model.js";

export const SCHEMA_VERSION = "1.2";

/**
 * skipped: not evaluated (data this scanner cannot see, a kind it could not read, manual
 * review); not-applicable: evaluated, but no scanned resource is one the control is about —
 * neither passed nor failed, and in no score
 */
export type ControlStatus = "passed" | "failed" | "skipped" | "not-applicable";

export interface ControlResult {
  id: string;
  name: string;
  severity: Severity;
  baseScore: number;
  status: ControlStatus;
  /** why a skipped control was not evaluated */
  skipReason?: string;
  /** set when only part of the control was evaluated (some of its checks need data this scanner cannot see): what was left out */
  partial?: string;
  /** passed / (passed + failed) × 100; absent when no resource was checked */
  score?: number;
  /** excepted: failed but covered by an exception; they count as passed in the score */
  resources: { passed: number; failed: number; excepted: number };
  frameworks: string[];
}

export interface PathEntry {
  type: "failed" | "review" | "delete" | "fix";
  path: string;
  value?: string;
  line?: number;
  column?: number;
  /** false when the field does not exist yet and line/column point at its nearest parent */
  exact?: boolean;
  /**
   * set when the path points into a related object (`relatedObjects[1].rules[0].verbs[0]`): that
   * object's resource ID; line/column are then in its source, in `file` when it came from one
   */
  object?: string;
  file?: string;
  /** rendered from a chart: the template line that writes the field */
  template?: { file: string; line: number };
  /** rendered from a chart: the values key the field comes from, and where it is set */
  values?: { file: string; line?: number; key: string };
  /** why the mapping to the chart stops short (ambiguous, computed) */
  origin?: string;
  /** a fix of a values-driven chart field: the `--set` override and the values.yaml lines that make it */
  valuesFix?: { set: string; snippet: string };
}

/** The values override that sets `key` (a.b.c) to `value`: `--set a.b.c=v` and its values.yaml lines; undefined for keys that need quoting. */
export function valuesOverride(key: string, value: string): { set: string; snippet: string } | undefined {
  const keys = key.split(".");
  if (keys.some((k) => !/^[A-Za-z0-9_-]+$/.test(k))) return undefined;
  const snippet = keys.map((k, i) => `${"  ".repeat(i)}${k}:${i === keys.length - 1 ? ` ${value}` : ""}`).join("\n");
  return { set: `--set ${key}=${value}`, snippet };
}

export interface ResourceFinding {
  controlID: string;
  /** excepted: "passed (excepted)", covered by the exception named in `exception` */
  status: "failed" | "excepted";
  exception?: string;
  /** excepted by an annotation on the object itself (its author excused it), not by an exceptions file */
  selfExcepted?: boolean;
  /** with --baseline: whether the finding was already in the baseline report */
  baseline?: "new" | "existing";
  /**
   * set when a rule could not evaluate the object (the reason): the finding fails closed,
   * counted as failed in every score and gate, never as passed
   */
  error?: string;
  message: string;
  paths: PathEntry[];
  relatedObjects: string[];
  /** where the related objects that were scanned are, by resource ID (present when any was) */
  relatedSources?: Record<string, { file: string; line?: number; column?: number }>;
}

export interface ResourceResult {
  resourceID: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  source?: { file: string; line?: number; column?: number };
  findings: ResourceFinding[];
}

export interface FrameworkResult {
  name: string;
  score?: number;
  /** evaluated: controls with a score; notApplicable: about no scanned resource; skipped: the rest */
  controls: { total: number; evaluated: number; failed: number; skipped: number; notApplicable: number };
}

export interface ScanReport {
  schemaVersion: string;
  generator: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  target: {
    kind: "files" | "cluster";
    paths: string[];
    /** for a cluster scan: where, which version, what was listed */
    cluster?: ClusterInfo;
  };
  summary: {
    complianceScore?: number;
    controls: { total: number; passed: number; failed: number; skipped: number; notApplicable: number };
    /** unevaluated: resources some rule could not evaluate (present only when there are any) */
    resources: { total: number; failed: number; unevaluated?: number };
    failedBySeverity: Record<Severity, number>;
    filesRead: number;
    skippedFiles: number;
    ignoredDocuments: number;
  };
  frameworks: FrameworkResult[];
  controls: ControlResult[];
  /** resources with at least one failed or excepted control */
  resources: ResourceResult[];
  skippedFiles: SkippedFile[];
  /** files and documents ignored as not Kubernetes objects, one reason each (present only when there are any) */
  ignored?: SkippedFile[];
  warnings: string[];
  /** with --baseline: the earlier report and how this scan compares, in failed fields (resource ID + control + path), as `kubescape diff` counts them */
  baseline?: { file: string; new: number; existing: number; fixed: number };
}

export type FindingDecorator = (r: ResourceResult, f: ResourceFinding) => void;

/** Where a report's resources get their findings from when read (one for all of them; resources by number). */
export interface FindingSource {
  /** resource n's findings */
  make(n: number): ResourceFinding[];
  /** resource n's j-th finding alone, made without the others */
  one(n: number, j: number): ResourceFinding | undefined;
  /** applied to every finding made (a baseline's marks) */
  readonly decorate: FindingDecorator[];
}

const SOURCE = Symbol("finding source");
const NUMBER = Symbol("resource number");
type Lazy = ResourceResult & { [SOURCE]: FindingSource; [NUMBER]: number };

// one getter and setter for every resource (a closure each would be hundreds of bytes per resource)
function getFindings(this: Lazy): ResourceFinding[] {
  const fs = this[SOURCE].make(this[NUMBER]);
  for (const fn of this[SOURCE].decorate) for (const f of fs) fn(this, f);
  return fs;
}
function setFindings(this: Lazy, v: ResourceFinding[]): void {
  Object.defineProperty(this, "findings", { value: v, writable: true, enumerable: true, configurable: true });
}
const lazyOf = (r: ResourceResult): Lazy | undefined => (Object.getOwnPropertyDescriptor(r, "findings")?.get === getFindings ? (r as Lazy) : undefined);

/**
 * A resource whose findings are made when read (resource `n` of `source`), not held: a scan
 * of 100,000 Pods has 2.6 million findings, each written out once by a format. `findings` is
 * an own, enumerable property (JSON, spreads and structured clones see it as data); setting
 * it stores the value given.
 */
export function withLazyFindings(r: Omit<ResourceResult, "findings">, source: FindingSource, n: number): ResourceResult {
  Object.defineProperty(r, "findings", { enumerable: true, configurable: true, get: getFindings, set: setFindings });
  Object.defineProperty(r, SOURCE, { value: source });
  Object.defineProperty(r, NUMBER, { value: n });
  return r as ResourceResult;
}

/**
 * A resource's j-th finding: for a resource whose findings are made when read, that finding
 * alone (a format that writes the findings control by control reads each once, not each
 * resource's every finding for each of its controls).
 */
export function findingAt(r: ResourceResult, j: number): ResourceFinding | undefined {
  const lazy = lazyOf(r);
  if (lazy === undefined) return r.findings[j];
  const f = lazy[SOURCE].one(lazy[NUMBER], j);
  if (f) for (const fn of lazy[SOURCE].decorate) fn(r, f);
  return f;
}

/**
 * Change a resource's findings: at once when they are held, or, for one whose findings are
 * made when read, each time they are made (a change made to them in place would be lost).
 */
export function decorateFindings(r: ResourceResult, fn: FindingDecorator): void {
  const lazy = lazyOf(r);
  if (lazy === undefined) {
    for (const f of r.findings) fn(r, f);
  } else if (!lazy[SOURCE].decorate.includes(fn)) lazy[SOURCE].decorate.push(fn);
}
