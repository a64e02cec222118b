// The report: control results, the findings per resource with a position for every path,
// framework scores and the summary, in the one model every format renders.
import type { ScanObject, Severity, SourceResult, Position, ObjectSource } from "../model.js";
import { SEVERITY_ORDER } from "../model.js";
import type { PositionRequest } from "../sources/positions.js";
import type { Control, Registry } from "../engine/registry.js";
import type { ExceptionMatcher } from "./exceptions.js";
import { isObjectKey, resourceID, type FindingCollector, type PathItem, type ResourceKey } from "./collector.js";
import { controlResults, exceptedFailures, refOf, round } from "./score.js";
import { SCHEMA_VERSION, valuesOverride, type ControlResult, type FrameworkResult, type PathEntry, type ResourceFinding, type ResourceResult, type ScanReport } from "./result.js";

/**
 * A request for the position of one failed path of one resource: a class, not a closure per
 * request (a scan of 40,000 Pods places a million paths). Every finding of the resource that
 * names the path gets the one entry it makes.
 */
class PathPosition implements PositionRequest {
  entry: PathEntry;
  constructor(
    readonly source: ObjectSource,
    readonly item: PathItem,
    /** for a path into a related object (`relatedObjects[1].rules[0]`): that object's resource ID, and the path within it */
    private readonly related?: { object: string; file: string; path: string },
  ) {
    this.entry = unplaced(item, related?.object);
  }
  get path(): string {
    return this.related?.path ?? this.item.path;
  }
  done(pos: Position | undefined): void {
    if (!pos) return;
    // every field at once, in the report's order: one fixed shape for every entry
    const { type, path, value } = this.item;
    const e: PathEntry = value === undefined ? { type, path } : { type, path, value };
    if (this.related) {
      e.object = this.related.object;
      e.file = this.related.file;
    }
    e.line = pos.line;
    e.column = pos.column;
    e.exact = pos.exact;
    const o = pos.origin;
    if (o) {
      if (o.template) e.template = o.template;
      if (o.values) {
        e.values = o.values;
        if (type === "fix" && value !== undefined && o.values.file !== "--set") {
          const fix = valuesOverride(o.values.key, value);
          if (fix) e.valuesFix = fix;
        }
      }
      if (o.note) e.origin = o.note;
    }
    this.entry = e;
  }
}

/** The report's entry for a path that has no position: the item, its object named by resource ID. */
function unplaced(item: PathItem, object?: string): PathEntry {
  const { type, path, value } = item;
  const e: PathEntry = value === undefined ? { type, path } : { type, path, value };
  if (item.object !== undefined) e.object = object ?? String(item.object);
  return e;
}

/** `relatedObjects[1].` of a path into an alert's related object */
const RELATED_PREFIX = /^relatedObjects\[\d+\]\.?/;

/** What no finding relates to: one frozen array for them all. */
const NO_RELATED: string[] = Object.freeze([]) as unknown as string[];

/** Resolves many field paths to positions at once (each file is parsed once). */
export type PositionResolver = (requests: PositionRequest[]) => void;

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

export function score(input: ScoreInput): ScanReport {
  const { controls, source, findings } = input;
  const objects = source.objects;
  const excepted = exceptedFailures(controls, objects, findings, input.exceptions);
  const results = controlResults(controls, objects, findings, excepted, input.unavailable);
  const resources = resourceResults(results, objects, findings, excepted, input.resolve);

  const unevaluated = resources.filter((r) => r.findings.some((f) => f.error !== undefined)).length;
  const selected = new Set(controls.map((c) => c.id));
  const totals = resultTotals(
    results,
    [...input.registry.frameworks.values()].filter((f) => f.controls.some((id) => selected.has(id))),
  );
  return {
    schemaVersion: SCHEMA_VERSION,
    generator: input.generator,
    startedAt: input.startedAt.toISOString(),
    durationMs: Date.now() - input.startedAt.getTime(),
    target: input.target,
    summary: {
      complianceScore: totals.complianceScore,
      controls: totals.controls,
      resources: {
        total: objects.length + findings.synthetic.size,
        failed: resources.filter((r) => r.findings.some((f) => f.status === "failed")).length,
        // present only when some object could not be evaluated by every rule
        ...(unevaluated ? { unevaluated } : {}),
      },
      failedBySeverity: totals.failedBySeverity,
      filesRead: source.filesRead,
      skippedFiles: source.skippedFiles.length,
      ignoredDocuments: source.ignoredDocuments,
    },
    frameworks: totals.frameworks,
    controls: results,
    resources,
    skippedFiles: source.skippedFiles,
    ...(source.ignored?.length ? { ignored: source.ignored } : {}),
    warnings: [...input.warnings, ...(input.exceptions?.warnings ?? [])],
  };
}

/**
 * The findings per resource; positions for every path are resolved at the end, file by file.
 * The model is kept small, as a scan of 100,000 Pods holds 2.6 million findings: one entry per
 * distinct path of a resource, shared by its findings; arrays of their exact length.
 */
function resourceResults(
  results: ControlResult[],
  objects: ScanObject[],
  findings: FindingCollector,
  excepted: Map<string, Map<ResourceKey, { name: string; self: boolean }>>,
  resolve: PositionResolver,
): ResourceResult[] {
  const requests: PositionRequest[] = [];
  const at = (source: ObjectSource, path: string, done: (p: Position | undefined) => void) => requests.push({ source, path, done });
  const byResource = new Map<ResourceKey, ResourceResult>();
  // per resource: its paths' position requests; the findings hold the items until they resolve
  const placed = new Map<ResourceKey, Map<PathItem, PathPosition>>();
  for (const c of results) {
    for (const [key, failure] of findings.failures.get(c.id) ?? []) {
      const obj = isObjectKey(key) ? objects[key] : undefined;
      let rr = byResource.get(key);
      if (!rr) {
        const ref = obj ? refOf(obj) : findings.synthetic.get(key as string)!;
        rr = { resourceID: resourceID(ref), apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, findings: [] };
        if (obj) {
          const src: NonNullable<ResourceResult["source"]> = { file: obj.source.file };
          rr.source = src;
          at(obj.source, "", (pos) => pos && Object.assign(src, { line: pos.line, column: pos.column }));
        }
        byResource.set(key, rr);
      }
      let mine = placed.get(key);
      if (!mine) placed.set(key, (mine = new Map()));
      for (const item of failure.paths) {
        if (mine.has(item)) continue;
        // in the object, or for a path into a related object, in that object (its path without the prefix)
        const target = item.object === undefined ? obj : typeof item.object === "number" ? objects[item.object] : undefined;
        if (!target) continue;
        const r =
          item.object === undefined
            ? new PathPosition(target.source, item)
            : new PathPosition(target.source, item, { object: resourceID(refOf(target)), file: target.source.file, path: item.path.replace(RELATED_PREFIX, "") });
        mine.set(item, r);
        requests.push(r);
      }
      let relatedSources: ResourceFinding["relatedSources"];
      for (const rid of failure.related) {
        const id = findings.relatedIds.get(rid);
        if (id === undefined || !objects[id]) continue;
        const src: { file: string; line?: number; column?: number } = { file: objects[id].source.file };
        (relatedSources ??= {})[rid] = src;
        at(objects[id].source, "", (pos) => pos && Object.assign(src, { line: pos.line, column: pos.column }));
      }
      const exception = excepted.get(c.id)?.get(key);
      rr.findings.push({
        controlID: c.id,
        status: exception === undefined ? "failed" : "excepted",
        ...(exception === undefined ? {} : exception.self ? { exception: exception.name, selfExcepted: true } : { exception: exception.name }),
        ...(failure.error === undefined ? {} : { error: failure.error }),
        message: failure.message,
        // the collector's shared items: replaced by the resource's entries once placed
        paths: failure.paths as PathEntry[],
        relatedObjects: failure.related.length ? [...failure.related] : NO_RELATED,
        ...(relatedSources ? { relatedSources } : {}),
      });
    }
  }
  resolve(requests);
  requests.length = 0;
  for (const [key, rr] of byResource) {
    const mine = placed.get(key);
    for (const f of rr.findings) f.paths = (f.paths as readonly PathItem[]).map((item) => mine?.get(item)?.entry ?? unplaced(item));
    placed.delete(key);
  }
  return [...byResource.values()].sort(
    (a, b) => (a.source?.file ?? "").localeCompare(b.source?.file ?? "") || (a.source?.line ?? 0) - (b.source?.line ?? 0) || a.resourceID.localeCompare(b.resourceID),
  );
}

/**
 * What a report's summary and frameworks say of its control results: the compliance score
 * (the mean over controls that checked something), controls by status, failed controls by
 * severity, and each framework's score and counts. One computation for a scan and for results
 * read back from storage (the operator's).
 */
export function resultTotals(results: ControlResult[], frameworks: { name: string; controls: string[] }[]) {
  const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : undefined);
  const count = (rs: ControlResult[], status: ControlResult["status"]) => rs.filter((r) => r.status === status).length;
  const failedBySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const c of results) if (c.status === "failed") failedBySeverity[c.severity]++;
  const byId = new Map(results.map((c) => [c.id, c]));
  return {
    complianceScore: mean(results.filter((c) => c.score !== undefined).map((c) => c.score!)),
    controls: { total: results.length, passed: count(results, "passed"), failed: count(results, "failed"), skipped: count(results, "skipped"), notApplicable: count(results, "not-applicable") },
    failedBySeverity,
    frameworks: frameworks.map((f): FrameworkResult => {
      const rs = f.controls.map((id) => byId.get(id)).filter((r): r is ControlResult => !!r);
      const scored = rs.filter((r) => r.score !== undefined);
      const notApplicable = count(rs, "not-applicable");
      return {
        name: f.name,
        score: mean(scored.map((r) => r.score!)),
        controls: { total: f.controls.length, evaluated: scored.length, failed: count(rs, "failed"), skipped: f.controls.length - scored.length - notApplicable, notApplicable },
      };
    }),
  };
}
