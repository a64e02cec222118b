// Scoring: alerts + the objects scanned → status per control per resource, compliance
// scores per control and framework, and the findings per resource.
import type { Alert, AlertObjectRef, ScanObject, Severity, SourceResult, Position, ObjectSource } from "../model.js";
import type { PositionRequest } from "../sources/positions.js";
import type { ExceptionMatcher, ExceptionTarget } from "./exceptions.js";
import { SEVERITY_ORDER } from "../model.js";
import type { Control, Registry } from "../engine/registry.js";
import { SCHEMA_VERSION, type ControlResult, type FrameworkResult, type PathEntry, type ResourceResult, type ScanReport } from "./result.js";

/** Resolves many field paths to positions at once (each file is parsed once). */
export type PositionResolver = (requests: PositionRequest[]) => void;

/** Kubescape's resource ID: group/version/namespace/Kind/name ("" group for core). */
export function resourceID(ref: { apiVersion: string; kind: string; name: string; namespace: string }): string {
  const [group, version] = ref.apiVersion.includes("/") ? ref.apiVersion.split("/", 2) : ["", ref.apiVersion];
  return `${group}/${version}/${ref.namespace}/${ref.kind}/${ref.name}`;
}

const refOf = (o: ScanObject): AlertObjectRef => ({
  apiVersion: o.object.apiVersion,
  kind: o.object.kind,
  name: o.object.metadata?.name ?? "",
  namespace: o.object.metadata?.namespace ?? "",
  id: o.id,
});

const round = (n: number) => Math.round(n * 100) / 100;

export interface ScoreInput {
  registry: Registry;
  /** every control asked for, implemented or not */
  controls: Control[];
  source: SourceResult;
  /** the alerts, gathered as they came (FindingCollector.of(controls, alerts) for a list) */
  findings: FindingCollector;
  resolve: PositionResolver;
  target: ScanReport["target"];
  startedAt: Date;
  generator: ScanReport["generator"];
  warnings: string[];
  exceptions?: ExceptionMatcher;
  /** controls whose objects could not all be read (e.g. forbidden to list a kind) → why */
  unavailable?: Map<string, string>;
}

function targetOf(obj: ScanObject | undefined, ref: AlertObjectRef): ExceptionTarget {
  const md = obj?.object.metadata;
  const strings = (m: unknown) => (m && typeof m === "object" ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)])) : {});
  return { kind: ref.kind, name: ref.name, namespace: ref.namespace, labels: strings(md?.labels), annotations: strings(md?.annotations) };
}

/** What one failed (control, resource) pair has gathered from its alerts, deduplicated. */
interface Failure {
  messages: string[];
  paths: { type: PathEntry["type"]; path: string; value?: string }[];
  related: string[];
}

const pushNew = <T>(list: T[], x: T) => {
  if (!list.includes(x)) list.push(x);
};

/**
 * Gathers alerts as the engine produces them into failures per control and resource, so
 * the alerts themselves need not be kept: a large scan holds the findings once, not the
 * alerts and then the findings.
 */
export class FindingCollector {
  private readonly ruleToControls = new Map<string, string[]>();
  /** control → resource key (#<object id> or a resource ID) → failure */
  readonly failures = new Map<string, Map<string, Failure>>();
  /** resources an alert names that were not scanned objects (RBAC subjects) */
  readonly synthetic = new Map<string, AlertObjectRef>();
  /** control → message of an alert that names no object (manual review) */
  readonly manual = new Map<string, string>();
  /** one copy of each path and related ID: every alert brings its own copies, and most repeat */
  private readonly strings = new Map<string, string>();

  constructor(controls: Control[]) {
    for (const c of controls) for (const r of c.rules) this.ruleToControls.set(r.name, [...(this.ruleToControls.get(r.name) ?? []), c.id]);
  }

  static of(controls: Control[], alerts: Iterable<Alert>): FindingCollector {
    const f = new FindingCollector(controls);
    for (const a of alerts) f.add(a);
    return f;
  }

  add(a: Alert): void {
    const ids = this.ruleToControls.get(a.rule);
    if (!ids) return;
    for (const id of ids) {
      if (a.objects.length === 0) this.manual.set(id, a.message);
      for (const ref of a.objects) {
        const key = ref.id !== undefined ? `#${ref.id}` : resourceID(ref);
        if (ref.id === undefined) this.synthetic.set(key, ref);
        let m = this.failures.get(id);
        if (!m) this.failures.set(id, (m = new Map()));
        let f = m.get(key);
        if (!f) m.set(key, (f = { messages: [], paths: [], related: [] }));
        if (a.message) pushNew(f.messages, a.message);
        const add = (type: PathEntry["type"], p: string, value?: string) => {
          const path = this.intern(p);
          if (!f.paths.some((x) => x.type === type && x.path === path && x.value === value)) f.paths.push(value === undefined ? { type, path } : { type, path, value });
        };
        a.failedPaths.forEach((p) => add("failed", p));
        a.reviewPaths.forEach((p) => add("review", p));
        a.deletePaths.forEach((p) => add("delete", p));
        a.fixPaths.forEach((x) => add("fix", x.path, x.value));
        for (const r of a.relatedObjects) pushNew(f.related, this.intern(resourceID(r)));
      }
    }
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}

export function score(input: ScoreInput): ScanReport {
  const { controls, source } = input;
  const objects = source.objects;
  const { failures, synthetic, manual } = input.findings;

  // accepted findings: control → resource keys → the exception (self: an annotation on the object)
  const excepted = new Map<string, Map<string, { name: string; self: boolean }>>();
  if (input.exceptions) {
    for (const c of controls) {
      for (const key of failures.get(c.id)?.keys() ?? []) {
        const obj = key.startsWith("#") ? objects[Number(key.slice(1))] : undefined;
        const ref = obj ? refOf(obj) : synthetic.get(key)!;
        const hit = input.exceptions.hit(targetOf(obj, ref), { id: c.id, name: c.name, frameworks: c.frameworks, rules: c.rules.map((r) => r.name) });
        if (hit === undefined) continue;
        let m = excepted.get(c.id);
        if (!m) excepted.set(c.id, (m = new Map()));
        m.set(key, hit);
      }
    }
  }

  const kindCounts = new Map<string, number>();
  for (const o of objects) kindCounts.set(o.object.kind, (kindCounts.get(o.object.kind) ?? 0) + 1);

  const controlResults: ControlResult[] = controls.map((c) => {
    const base = { id: c.id, name: c.name, severity: c.severity, baseScore: c.baseScore, frameworks: c.frameworks };
    const none = { passed: 0, failed: 0, excepted: 0 };
    if (c.skipReason) return { ...base, status: "skipped", skipReason: c.skipReason, resources: none };
    const why = input.unavailable?.get(c.id);
    if (why) return { ...base, status: "skipped", skipReason: why, resources: none };
    if (manual.has(c.id) && !failures.has(c.id)) return { ...base, status: "skipped", skipReason: "needs manual review", resources: none };
    const kinds = new Set([...c.matchKinds, ...c.rules.flatMap((r) => r.matchKinds)]);
    const failedKeys = failures.get(c.id) ?? new Map();
    let inScope = 0;
    for (const k of kinds) inScope += kindCounts.get(k) ?? 0;
    let failed = 0;
    let extra = 0;
    for (const key of failedKeys.keys()) {
      failed++;
      if (key.startsWith("#")) {
        const o = objects[Number(key.slice(1))];
        if (!kinds.has(o.object.kind)) extra++; // flagged object of a kind outside matchKinds still counts
      } else extra++;
    }
    const total = inScope + extra;
    const exc = excepted.get(c.id)?.size ?? 0;
    failed -= exc;
    const passed = total - failed - exc;
    if (total === 0) return { ...base, status: "skipped", skipReason: "no matching resources", resources: none };
    return { ...base, status: failed ? "failed" : "passed", score: round(((passed + exc) / total) * 100), resources: { passed, failed, excepted: exc } };
  });
  controlResults.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id));

  // findings per resource; positions for every path are resolved at the end, file by file
  const requests: PositionRequest[] = [];
  const at = (source: ObjectSource, path: string, done: (p: Position | undefined) => void) => requests.push({ source, path, done });
  const byResource = new Map<string, ResourceResult>();
  for (const c of controlResults) {
    for (const [key, list] of failures.get(c.id) ?? []) {
      let rr = byResource.get(key);
      if (!rr) {
        const obj = key.startsWith("#") ? objects[Number(key.slice(1))] : undefined;
        const ref = obj ? refOf(obj) : synthetic.get(key)!;
        rr = { resourceID: resourceID(ref), apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, findings: [] };
        if (obj) {
          const src: NonNullable<ResourceResult["source"]> = { file: obj.source.file };
          rr.source = src;
          at(obj.source, "", (pos) => pos && Object.assign(src, { line: pos.line, column: pos.column }));
        }
        byResource.set(key, rr);
      }
      const obj = key.startsWith("#") ? objects[Number(key.slice(1))] : undefined;
      // the collected path entries become the report's, given their positions in place
      const paths: PathEntry[] = list.paths;
      if (obj) for (const e of paths) at(obj.source, e.path, (pos) => pos && Object.assign(e, { line: pos.line, column: pos.column, exact: pos.exact }));
      const exception = excepted.get(c.id)?.get(key);
      rr.findings.push({
        controlID: c.id,
        status: exception === undefined ? "failed" : "excepted",
        ...(exception === undefined ? {} : exception.self ? { exception: exception.name, selfExcepted: true } : { exception: exception.name }),
        message: list.messages.join("; "),
        paths,
        relatedObjects: list.related,
      });
    }
  }

  input.resolve(requests);

  const evaluated = controlResults.filter((c) => c.score !== undefined);
  const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : undefined);
  const selectedIds = new Set(controls.map((c) => c.id));
  const resultById = new Map(controlResults.map((c) => [c.id, c]));
  const frameworks: FrameworkResult[] = [...input.registry.frameworks.values()]
    .filter((f) => f.controls.some((id) => selectedIds.has(id)))
    .map((f) => {
      const rs = f.controls.map((id) => resultById.get(id)).filter((r): r is ControlResult => !!r);
      return {
        name: f.name,
        score: mean(rs.filter((r) => r.score !== undefined).map((r) => r.score!)),
        controls: {
          total: f.controls.length,
          evaluated: rs.filter((r) => r.score !== undefined).length,
          failed: rs.filter((r) => r.status === "failed").length,
          skipped: f.controls.length - rs.filter((r) => r.score !== undefined).length,
        },
      };
    });

  const failedBySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const c of controlResults) if (c.status === "failed") failedBySeverity[c.severity]++;
  const resources = [...byResource.values()].sort((a, b) => (a.source?.file ?? "").localeCompare(b.source?.file ?? "") || (a.source?.line ?? 0) - (b.source?.line ?? 0) || a.resourceID.localeCompare(b.resourceID));

  return {
    schemaVersion: SCHEMA_VERSION,
    generator: input.generator,
    startedAt: input.startedAt.toISOString(),
    durationMs: Date.now() - input.startedAt.getTime(),
    target: input.target,
    summary: {
      complianceScore: mean(evaluated.map((c) => c.score!)),
      controls: {
        total: controlResults.length,
        passed: controlResults.filter((c) => c.status === "passed").length,
        failed: controlResults.filter((c) => c.status === "failed").length,
        skipped: controlResults.filter((c) => c.status === "skipped").length,
      },
      resources: { total: objects.length + synthetic.size, failed: [...byResource.values()].filter((r) => r.findings.some((f) => f.status === "failed")).length },
      failedBySeverity,
      filesRead: source.filesRead,
      skippedFiles: source.skippedFiles.length,
      ignoredDocuments: source.ignoredDocuments,
    },
    frameworks,
    controls: controlResults,
    resources,
    skippedFiles: source.skippedFiles,
    warnings: [...input.warnings, ...(input.exceptions?.warnings ?? [])],
  };
}
