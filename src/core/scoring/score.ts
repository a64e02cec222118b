// Scoring: the failures gathered from the alerts + the objects scanned → a status and a
// compliance score per control, and which failures an exception covers.
import type { AlertObjectRef, ScanObject } from "../model.js";
import { SEVERITY_ORDER } from "../model.js";
import type { Control } from "../engine/registry.js";
import type { ExceptionMatcher, ExceptionTarget } from "./exceptions.js";
import { isObjectKey, type FindingCollector, type ResourceKey } from "./collector.js";
import type { ControlResult } from "./result.js";
import { IdSet } from "../id-set.js";

export const round = (n: number) => Math.round(n * 100) / 100;

export const refOf = (o: ScanObject): AlertObjectRef => ({
  apiVersion: o.object.apiVersion,
  kind: o.object.kind,
  name: o.object.metadata?.name ?? "",
  namespace: o.object.metadata?.namespace ?? "",
  id: o.id,
});

/** An exception that covers a failure; self: an annotation on the object itself. */
export interface Excepted {
  name: string;
  self: boolean;
}

/** control → resource → the exception covering that failure */
export type ExceptedFailures = Map<string, Map<ResourceKey, Excepted>>;

function targetOf(obj: ScanObject | undefined, ref: AlertObjectRef): ExceptionTarget {
  const md = obj?.object.metadata;
  const strings = (m: unknown) => (m && typeof m === "object" ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)])) : {});
  return { kind: ref.kind, name: ref.name, namespace: ref.namespace, labels: strings(md?.labels), annotations: strings(md?.annotations) };
}

/** The failures an exception covers. */
export function exceptedFailures(controls: Control[], objects: ScanObject[], findings: FindingCollector, exceptions?: ExceptionMatcher): ExceptedFailures {
  const excepted: ExceptedFailures = new Map();
  if (!exceptions) return excepted;
  // one target per resource, built only where an exception could apply (a scan of 40,000
  // Pods fails 800,000 (control, resource) pairs: a target each was most of scoring's garbage)
  const targets = new Map<ResourceKey, ExceptionTarget>();
  for (const c of controls) {
    for (const key of findings.keysOf(c.id)) {
      const obj = isObjectKey(key) ? objects[key] : undefined;
      if (!exceptions.hasPolicies && !exceptions.mayExceptItself(obj?.object.metadata?.annotations, c.id)) continue;
      let target = targets.get(key);
      if (!target) targets.set(key, (target = targetOf(obj, obj ? refOf(obj) : findings.synthetic.get(key as string)!)));
      const hit = exceptions.hit(target, { id: c.id, name: c.name, frameworks: c.frameworks, rules: c.rules.map((r) => r.name) });
      if (hit === undefined) continue;
      let m = excepted.get(c.id);
      if (!m) excepted.set(c.id, (m = new Map()));
      m.set(key, hit);
    }
  }
  return excepted;
}

/**
 * Each control's status and score: passed / (passed + failed) × 100 over the resources it is
 * about (excepted failures count as passed), sorted by severity then ID. A rule is about the
 * objects of its matchKinds, or, with a relevance filter, the objects the filter names; an
 * object a rule flags always counts. A control about no resource is not applicable: no
 * score, not passed.
 */
export function controlResults(
  controls: Control[],
  objects: ScanObject[],
  findings: FindingCollector,
  excepted: ExceptedFailures,
  /** controls whose objects could not all be read (e.g. forbidden to list a kind) → why */
  unavailable?: Map<string, string>,
): ControlResult[] {
  const kindCounts = new Map<string, number>();
  for (const o of objects) kindCounts.set(o.object.kind, (kindCounts.get(o.object.kind) ?? 0) + 1);
  const { manual } = findings;
  const results: ControlResult[] = controls.map((c) => {
    const base = { id: c.id, name: c.name, severity: c.severity, baseScore: c.baseScore, frameworks: c.frameworks, ...(c.partial ? { partial: c.partial } : {}) };
    const none = { passed: 0, failed: 0, excepted: 0 };
    if (c.skipReason) return { ...base, status: "skipped", skipReason: c.skipReason, resources: none };
    const why = unavailable?.get(c.id);
    if (why) return { ...base, status: "skipped", skipReason: why, resources: none };
    if (manual.has(c.id) && !findings.hasFailures(c.id)) return { ...base, status: "skipped", skipReason: "needs manual review", resources: none };
    const about = relevantTo(c, objects, findings);
    const inScope = about.count(kindCounts);
    let failed = 0;
    let extra = 0;
    for (const key of findings.keysOf(c.id)) {
      failed++;
      // a flagged object the control is not otherwise about, or one not scanned that no filter names, still counts
      if (isObjectKey(key) ? !about.has(objects[key]) : !about.hasUnscanned(key)) extra++;
    }
    const total = inScope + extra;
    const exc = excepted.get(c.id)?.size ?? 0;
    failed -= exc;
    const passed = total - failed - exc;
    if (total === 0) return { ...base, status: "not-applicable", resources: none };
    return { ...base, status: failed ? "failed" : "passed", score: round(((passed + exc) / total) * 100), resources: { passed, failed, excepted: exc } };
  });
  return results.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id));
}

/**
 * The objects a control is about: every object of the kinds of its rules without a relevance
 * filter (counted by kind, without a pass over the objects), and the objects the filters of
 * its other rules name — scanned ones by id, others (RBAC subjects) by resource ID.
 */
function relevantTo(
  c: Control,
  objects: ScanObject[],
  findings: FindingCollector,
): { count(kindCounts: Map<string, number>): number; has(o: ScanObject): boolean; hasUnscanned(key: string): boolean } {
  const kinds = new Set<string>();
  const filtered: IdSet[] = [];
  const unscanned = new Set<string>();
  for (const r of c.rules) {
    if (r.relevance) {
      filtered.push(findings.relevant.get(r.name) ?? EMPTY);
      for (const k of findings.relevantUnscanned.get(r.name) ?? []) unscanned.add(k);
    } else for (const k of r.matchKinds) kinds.add(k);
  }
  // a control with no filtered rule is about its own kinds too, as before relevance existed
  if (!filtered.length) for (const k of c.matchKinds) kinds.add(k);
  const has = (o: ScanObject) => kinds.has(o.object.kind) || filtered.some((s) => s.has(o.id));
  return {
    has,
    hasUnscanned: (key) => unscanned.has(key),
    count(kindCounts) {
      let n = unscanned.size;
      for (const k of kinds) n += kindCounts.get(k) ?? 0;
      if (filtered.length === 1) {
        for (const id of filtered[0]) if (objects[id] && !kinds.has(objects[id].object.kind)) n++;
      } else if (filtered.length) {
        const ids = new Set<number>();
        for (const s of filtered) for (const id of s) if (objects[id] && !kinds.has(objects[id].object.kind)) ids.add(id);
        n += ids.size;
      }
      return n;
    },
  };
}

const EMPTY = new IdSet();
