// The alert contract: what a rule's deny set holds, turned into Alerts.
import type { Alert, AlertObjectRef } from "../model.js";
import { IdSet } from "../id-set.js";

/**
 * Where alerts go; `relevant` receives, for a rule with a relevance filter (relevant.rego),
 * the ids of the objects of one call that the rule judges, and `refs` the resources it
 * judges that are not input objects (an RBAC rule's subjects, named as its alerts name them).
 */
export type AlertSink = { push(a: Alert): unknown; relevant?(rule: string, ids: number[], refs?: AlertObjectRef[]): void };

/** The key under which a rule's relevant object ids come in a wasm result (scripts/build-rules.mjs writes it). */
export const RELEVANT_PREFIX = "relevant:";

/** Where alerts go: to `onAlert` when given (then none are kept), else into `kept`. */
export function alertSink(onAlert?: (a: Alert) => void): { kept: Alert[]; sink: AlertSink } {
  const kept: Alert[] = [];
  return { kept, sink: onAlert ? { push: onAlert } : kept };
}

/**
 * Relevant object ids per rule, gathered over the calls of one evaluation (a cross-object
 * rule's context objects come in several calls: a set keeps each once).
 */
export class RelevanceSink {
  readonly byRule = new Map<string, IdSet>();
  /** rule → the resources it judges that are not input objects, each once (by apiVersion, kind, namespace, name) */
  readonly refsByRule = new Map<string, Map<string, AlertObjectRef>>();
  add(rule: string, ids: number[], refs: AlertObjectRef[] = []): void {
    let s = this.byRule.get(rule);
    if (!s) this.byRule.set(rule, (s = new IdSet()));
    for (const id of ids) s.add(id);
    if (!refs.length) return;
    let m = this.refsByRule.get(rule);
    if (!m) this.refsByRule.set(rule, (m = new Map()));
    for (const r of refs) m.set(`${r.apiVersion}\u0000${r.kind}\u0000${r.namespace}\u0000${r.name}`, r);
  }
  /** the resources each rule judges that are not input objects (EvalResult.relevantRefs) */
  refs(): Map<string, AlertObjectRef[]> {
    return new Map([...this.refsByRule].map(([rule, m]) => [rule, [...m.values()]]));
  }
}

/**
 * The alerts of one wasm result: {rule name: deny set, "relevant:" + rule name: what it
 * judges — object ids, and objects ({apiVersion, kind, name, namespace}) for resources that
 * are not input objects}.
 */
export function collect(results: Record<string, unknown[]>, alerts: AlertSink): void {
  for (const [rule, list] of Object.entries(results)) {
    if (!Array.isArray(list)) continue;
    if (rule.startsWith(RELEVANT_PREFIX)) {
      const ids: number[] = [];
      const refs: AlertObjectRef[] = [];
      for (const x of list) {
        if (typeof x === "number") {
          if (Number.isInteger(x) && x >= 0) ids.push(x);
          continue;
        }
        const ref = toRef(x);
        // a ref to an input object counts as that object; one with no kind or name names nothing
        if (ref?.id !== undefined) ids.push(ref.id);
        else if (ref && ref.kind && ref.name) refs.push(ref);
      }
      alerts.relevant?.(rule.slice(RELEVANT_PREFIX.length), ids, refs);
      continue;
    }
    for (const raw of list) alerts.push(normalizeAlert(rule, raw));
  }
}

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export function toRef(v: unknown): AlertObjectRef | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const md = (o.metadata ?? {}) as Record<string, unknown>;
  const ref: AlertObjectRef = {
    apiVersion: String(o.apiVersion ?? ""),
    kind: String(o.kind ?? ""),
    name: String(o.name ?? md.name ?? ""),
    namespace: String(o.namespace ?? md.namespace ?? ""),
  };
  if (typeof o.__ksid === "number" && o.__ksid >= 0) ref.id = o.__ksid;
  return ref;
}

export function normalizeAlert(rule: string, raw: unknown): Alert {
  const a = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const refs = (v: unknown) => (Array.isArray(v) ? v.map(toRef).filter((x): x is AlertObjectRef => !!x) : []);
  return {
    rule,
    message: typeof a.message === "string" ? a.message : "",
    objects: refs(a.objects),
    relatedObjects: refs(a.relatedObjects),
    failedPaths: strList(a.failedPaths),
    reviewPaths: strList(a.reviewPaths),
    deletePaths: strList(a.deletePaths),
    fixPaths: Array.isArray(a.fixPaths)
      ? a.fixPaths
          .filter((f): f is Record<string, unknown> => typeof f === "object" && f !== null && typeof (f as any).path === "string")
          .map((f) => ({ path: f.path as string, value: typeof f.value === "string" ? f.value : JSON.stringify(f.value) }))
      : [],
  };
}
