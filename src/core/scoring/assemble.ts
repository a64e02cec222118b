// The report: control results, the findings per resource with a position for every path,
// framework scores and the summary, in the one model every format renders.
import type { ScanObject, Severity, SourceResult, Position, ObjectSource } from "../model.js";
import { SEVERITY_ORDER } from "../model.js";
import type { PositionRequest } from "../sources/positions.js";
import type { Control, Registry } from "../engine/registry.js";
import type { ExceptionMatcher } from "./exceptions.js";
import { Column, isObjectKey, resourceID, type FindingCollector, type PathItem, type ResourceKey } from "./collector.js";
import { controlResults, exceptedFailures, refOf, round } from "./score.js";
import {
  SCHEMA_VERSION,
  valuesOverride,
  withLazyFindings,
  type FindingSource,
  type ControlResult,
  type FrameworkResult,
  type PathEntry,
  type ResourceFinding,
  type ResourceResult,
  type ScanReport,
} from "./result.js";

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
    if (pos) this.entry = placedEntry(this.item, pos, this.related);
  }
}

/** The report's entry for a path with a position: every field at once, in the report's order (one fixed shape for every entry). */
function placedEntry(item: PathItem, pos: Position, related?: { object: string; file: string }): PathEntry {
  const { type, path, value } = item;
  const e: PathEntry = value === undefined ? { type, path } : { type, path, value };
  if (related) {
    e.object = related.object;
    e.file = related.file;
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
  return e;
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

/** Resolves the field paths of one file, taking the requests one at a time (PositionIndex.resolveFile). */
export type FileResolver = (file: string, requests: Iterable<PositionRequest>) => void;

export interface ScoreInput {
  registry: Registry;
  /** every control asked for, implemented or not */
  controls: Control[];
  source: SourceResult;
  /** the alerts, gathered as they came (FindingCollector.of(controls, alerts) for a list) */
  findings: FindingCollector;
  /** positions of the failed paths, file by file (each file parsed once), requests made as they are taken */
  resolve: FileResolver;
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
  const { resources, failed, unevaluated } = resourceResults(results, objects, findings, excepted, input.resolve);

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
        failed,
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

/** A resource with up to this many distinct paths has one finding's paths looked up by a scan of them, not a map of all. */
const SCAN_SLOTS = 32;

/** A position request made as the file is resolved, answered into the store at once. */
class SlotRequest implements PositionRequest {
  constructor(
    readonly source: ObjectSource,
    readonly path: string,
    private readonly store: PositionStore,
    /** ≥ 0: a path slot; < 0: the root of resource -(n + 1) */
    private readonly slot: number,
  ) {}
  done(pos: Position | undefined): void {
    if (pos) this.store.set(this.slot, pos);
  }
}

/**
 * The positions of a report's paths, as numbers: per slot (one distinct path of one
 * resource) a line, a column and whether it is exact; a full entry only for a position with
 * more (a chart's template and values), and per resource the line and column of its root.
 */
class PositionStore {
  line = new Int32Array(0);
  column = new Int32Array(0);
  /** 0: no position, 1: not exact, 2: exact */
  exact = new Uint8Array(0);
  readonly rich = new Map<number, PathEntry>();
  readonly rootLine: Int32Array;
  readonly rootColumn: Int32Array;
  constructor(
    resources: number,
    private readonly itemOf: (slot: number) => PathItem,
  ) {
    this.rootLine = new Int32Array(resources);
    this.rootColumn = new Int32Array(resources);
  }
  size(slots: number): void {
    this.line = new Int32Array(slots);
    this.column = new Int32Array(slots);
    this.exact = new Uint8Array(slots);
  }
  set(slot: number, pos: Position): void {
    if (slot < 0) {
      this.rootLine[-slot - 1] = pos.line;
      this.rootColumn[-slot - 1] = pos.column;
      return;
    }
    this.exact[slot] = pos.exact ? 2 : 1;
    if (pos.origin) this.rich.set(slot, placedEntry(this.itemOf(slot), pos));
    else {
      this.line[slot] = pos.line;
      this.column[slot] = pos.column;
    }
  }
  entry(slot: number, item: PathItem): PathEntry {
    const exact = this.exact[slot];
    if (exact === 0) return unplaced(item);
    const rich = this.rich.get(slot);
    if (rich) return rich;
    const { type, path, value } = item;
    const e: PathEntry = value === undefined ? { type, path } : { type, path, value };
    e.line = this.line[slot];
    e.column = this.column[slot];
    e.exact = exact === 2;
    return e;
  }
}

/**
 * The findings per resource. The report holds the resources; their findings are made from
 * the collector's compact failures each time they are read (withLazyFindings), as a scan of
 * 100,000 Pods has 2.6 million findings: positions are resolved here, file by file, into
 * numbers per distinct path of a resource (a PositionStore).
 */
function resourceResults(
  results: ControlResult[],
  objects: ScanObject[],
  findings: FindingCollector,
  excepted: Map<string, Map<ResourceKey, { name: string; self: boolean }>>,
  resolveFile: FileResolver,
): { resources: ResourceResult[]; failed: number; unevaluated: number } {
  // the resources in the order their first failure comes, control by control, and their failures in that order
  const number = new Map<ResourceKey, number>();
  const keys: ResourceKey[] = [];
  const counts: number[] = [];
  for (const c of results) {
    for (const f of findings.rowsOf(c.id)) {
      const key = findings.keyOf(f);
      let n = number.get(key);
      if (n === undefined) {
        number.set(key, (n = keys.length));
        keys.push(key);
        counts.push(0);
      }
      counts[n]++;
    }
  }
  const count = keys.length;
  const failOffsets = new Int32Array(count + 1);
  for (let n = 0; n < count; n++) failOffsets[n + 1] = failOffsets[n] + counts[n];
  const fails = new Int32Array(failOffsets[count]);
  const at = failOffsets.slice(0, -1);
  let failed = 0;
  let unevaluated = 0;
  for (const c of results) {
    for (const f of findings.rowsOf(c.id)) fails[at[number.get(findings.keyOf(f))!]++] = f;
  }
  number.clear();

  // the distinct paths of each resource in its own object: a slot each; paths into related objects apart
  const slotItems = new Column();
  const slotOffsets = new Int32Array(count + 1);
  const related = new Map<number, Map<number, PathPosition>>();
  const extra = new Map<string, PositionRequest[]>();
  const later = (r: PositionRequest) => {
    const list = extra.get(r.source.file);
    if (list) list.push(r);
    else extra.set(r.source.file, [r]);
  };
  /** where each related object that was scanned is, one entry per object for every finding */
  const relatedSources = new Map<number, { file: string; line?: number; column?: number }>();
  const byFile = new Map<string, number[]>();
  const seen = new Set<number>();
  for (let n = 0; n < count; n++) {
    const key = keys[n];
    const obj = isObjectKey(key) ? objects[key] : undefined;
    if (obj) {
      const list = byFile.get(obj.source.file);
      if (list) list.push(n);
      else byFile.set(obj.source.file, [n]);
    }
    let anyFailed = false;
    let anyError = false;
    seen.clear();
    for (let k = failOffsets[n]; k < failOffsets[n + 1]; k++) {
      const f = fails[k];
      if (findings.error(f) !== undefined) anyError = true;
      if (!excepted.get(findings.controlOf(f))?.has(key)) anyFailed = true;
      for (const id of findings.pathIds(f)) {
        if (seen.has(id)) continue;
        seen.add(id);
        const item = findings.pathItem(id);
        if (item.object === undefined) {
          if (obj) slotItems.push(id);
          continue;
        }
        // a path into a related object: in that object, its path without the prefix
        const target = typeof item.object === "number" ? objects[item.object] : undefined;
        if (!target) continue;
        const r = new PathPosition(target.source, item, { object: resourceID(refOf(target)), file: target.source.file, path: item.path.replace(RELATED_PREFIX, "") });
        let mine = related.get(n);
        if (!mine) related.set(n, (mine = new Map()));
        mine.set(id, r);
        later(r);
      }
      for (const rid of findings.related(f)) {
        const id = findings.relatedIds.get(rid);
        if (id === undefined || !objects[id] || relatedSources.has(id)) continue;
        const src: { file: string; line?: number; column?: number } = { file: objects[id].source.file };
        relatedSources.set(id, src);
        later({ source: objects[id].source, path: "", done: (pos) => pos && Object.assign(src, { line: pos.line, column: pos.column }) });
      }
    }
    slotOffsets[n + 1] = slotItems.length;
    if (anyFailed) failed++;
    if (anyError) unevaluated++;
  }
  const slots = slotItems;
  const store = new PositionStore(count, (slot) => findings.pathItem(slots.get(slot)));
  store.size(slots.length);

  // each file once: the roots and paths of its resources, made as they are taken, then the others in it
  function* requestsOf(file: string): Generator<PositionRequest> {
    for (const n of byFile.get(file) ?? []) {
      const source = objects[keys[n] as number].source;
      yield new SlotRequest(source, "", store, -n - 1);
      for (let s = slotOffsets[n]; s < slotOffsets[n + 1]; s++) yield new SlotRequest(source, findings.pathItem(slots.get(s)).path, store, s);
    }
    yield* extra.get(file) ?? [];
  }
  for (const file of new Set([...byFile.keys(), ...extra.keys()])) resolveFile(file, requestsOf(file));
  byFile.clear();
  extra.clear();

  // one source of findings for every resource, by number
  const entriesOf = (n: number) => {
    const entries = new Map<number, PathEntry>();
    for (let s = slotOffsets[n]; s < slotOffsets[n + 1]; s++) entries.set(slots.get(s), store.entry(s, findings.pathItem(slots.get(s))));
    return entries;
  };
  const other = (n: number, id: number) => related.get(n)?.get(id)?.entry ?? unplaced(findings.pathItem(id));
  const finding = (n: number, k: number, entryOf: (id: number) => PathEntry): ResourceFinding => {
    const f = fails[k];
    const controlID = findings.controlOf(f);
    const exception = excepted.get(controlID)?.get(keys[n]);
    const error = findings.error(f);
    const rel = findings.related(f);
    let sources: ResourceFinding["relatedSources"];
    for (const rid of rel) {
      const id = findings.relatedIds.get(rid);
      const src = id === undefined ? undefined : relatedSources.get(id);
      if (src) (sources ??= {})[rid] = src;
    }
    return {
      controlID,
      status: exception === undefined ? "failed" : "excepted",
      ...(exception === undefined ? {} : exception.self ? { exception: exception.name, selfExcepted: true } : { exception: exception.name }),
      ...(error === undefined ? {} : { error }),
      message: findings.message(f),
      paths: findings.pathIds(f).map(entryOf),
      relatedObjects: rel.length ? rel : NO_RELATED,
      ...(sources ? { relatedSources: sources } : {}),
    };
  };
  const source: FindingSource = {
    decorate: [],
    make(n) {
      // one entry per distinct path of the resource, shared by its findings
      const entries = entriesOf(n);
      const entryOf = (id: number) => entries.get(id) ?? other(n, id);
      const out: ResourceFinding[] = [];
      for (let k = failOffsets[n]; k < failOffsets[n + 1]; k++) out.push(finding(n, k, entryOf));
      return out;
    },
    // a finding alone (a format that writes findings control by control): its paths looked up along the resource's few
    one(n, j) {
      const k = failOffsets[n] + j;
      if (j < 0 || k >= failOffsets[n + 1]) return undefined;
      const from = slotOffsets[n];
      const to = slotOffsets[n + 1];
      if (to - from > SCAN_SLOTS) {
        const entries = entriesOf(n);
        return finding(n, k, (id) => entries.get(id) ?? other(n, id));
      }
      return finding(n, k, (id) => {
        for (let s = from; s < to; s++) if (slots.get(s) === id) return store.entry(s, findings.pathItem(id));
        return other(n, id);
      });
    },
  };
  const resources: ResourceResult[] = [];
  for (let n = 0; n < count; n++) {
    const key = keys[n];
    const obj = isObjectKey(key) ? objects[key] : undefined;
    const ref = obj ? refOf(obj) : findings.synthetic.get(key as string)!;
    const r = withLazyFindings({ resourceID: resourceID(ref), apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace }, source, n);
    // after the findings, as the report has always written it
    if (obj) {
      r.source = { file: obj.source.file };
      if (store.rootLine[n]) Object.assign(r.source, { line: store.rootLine[n], column: store.rootColumn[n] });
    }
    resources.push(r);
  }
  resources.sort((a, b) => (a.source?.file ?? "").localeCompare(b.source?.file ?? "") || (a.source?.line ?? 0) - (b.source?.line ?? 0) || a.resourceID.localeCompare(b.resourceID));
  return { resources, failed, unevaluated };
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
