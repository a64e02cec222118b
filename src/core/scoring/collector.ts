// Alerts, as the engine produces them, gathered into failures per control and resource, so
// the alerts themselves need not be kept: a large scan holds the findings once, not the
// alerts and then the findings. Every step is constant time per path, so one object that
// fails 50,000 fields costs 50,000 steps, not 50,000².
import type { Alert, AlertObjectRef, ScanObject } from "../model.js";
import type { Control } from "../engine/registry.js";
import type { PathEntry } from "./result.js";

/** Kubescape's resource ID: group/version/namespace/Kind/name ("" group for core). */
export function resourceID(ref: { apiVersion: string; kind: string; name: string; namespace: string }): string {
  const [group, version] = ref.apiVersion.includes("/") ? ref.apiVersion.split("/", 2) : ["", ref.apiVersion];
  return `${group}/${version}/${ref.namespace}/${ref.kind}/${ref.name}`;
}

/**
 * Which resource a failure is about: a scanned object by its id (a number), or an object an
 * alert names that was not scanned (an RBAC subject) by its resource ID (a string).
 */
export type ResourceKey = number | string;

export const isObjectKey = (key: ResourceKey): key is number => typeof key === "number";

/** up to this many items a list looks for a repeat by scanning them; beyond, by a set of keys */
const SCAN_LIMIT = 16;

/**
 * A failed path as the rules name it (the report's PathEntry before it is given a position);
 * `object`: the resource a path into an alert's related object (`relatedObjects[i].…`) points
 * into — a scanned object's id, or a resource ID. The same text may point into different
 * related objects in different alerts, so the object is part of the item's key.
 */
export type PathItem = { readonly type: PathEntry["type"]; readonly path: string; readonly value?: string; readonly object?: ResourceKey };
const itemKey = (type: PathEntry["type"], path: string, value?: string, object?: ResourceKey) =>
  `${type}\u0000${path}${value === undefined ? "" : `\u0000${value}`}${object === undefined ? "" : `\u0001${String(object)}`}`;
const pathKey = (p: PathItem) => itemKey(p.type, p.path, p.value, p.object);
const NONE: readonly string[] = Object.freeze([]);
const NONE_PATHS: readonly PathItem[] = Object.freeze([]);
/** `relatedObjects[3].rules[0]…` → 3 */
const RELATED_PATH = /^relatedObjects\[(\d+)\](?:\.|\[|$)/;

/**
 * Add to a list without repeats: a scan of the list while it is short (most failures have
 * one message, a path or two, no related object), a set of keys once it grows, so adding
 * stays constant time without a set for every failure of a large scan. A short list is
 * copied to its exact length on each add (a pushed-to array reserves 17 slots: over a
 * hundred bytes per failure, and a scan of 100,000 Pods has 2.6 million failures); the
 * caller keeps the list returned.
 */
function addUnique<T>(list: T[], x: T, same: (a: T) => boolean, keys: Set<string> | undefined, keyOf: (x: T) => string): { list: T[]; keys?: Set<string> } {
  if (keys === undefined) {
    if (list.some(same)) return { list };
    if (list.length < SCAN_LIMIT) return { list: [...list, x] };
    list.push(x);
    return { list, keys: new Set(list.map(keyOf)) };
  }
  const key = keyOf(x);
  if (!keys.has(key)) {
    keys.add(key);
    list.push(x);
  }
  return { list, keys };
}

const itself = (s: string) => s;

/** What one failed (control, resource) pair has gathered from its alerts, deduplicated. */
export class Failure {
  /** one message, as most failures have (no array for it), or several */
  private msgs: string | string[] | undefined = undefined;
  /** shared, immutable items (FindingCollector interns them): the same few paths fail on thousands of objects */
  paths: readonly PathItem[] = NONE_PATHS;
  related: readonly string[] = NONE;
  /** why a rule could not evaluate the object: it fails closed, never passes */
  error?: string;
  private keys?: { messages?: Set<string>; paths?: Set<string>; related?: Set<string> };

  get messages(): readonly string[] {
    return this.msgs === undefined ? NONE : typeof this.msgs === "string" ? [this.msgs] : this.msgs;
  }

  /** the messages as the report gives them: one, or joined by "; " */
  get message(): string {
    return this.msgs === undefined ? "" : typeof this.msgs === "string" ? this.msgs : this.msgs.join("; ");
  }

  addMessage(m: string): void {
    if (this.msgs === undefined) {
      this.msgs = m;
      return;
    }
    if (typeof this.msgs === "string") {
      if (this.msgs !== m) this.msgs = [this.msgs, m];
      return;
    }
    const r = addUnique(this.msgs, m, (x) => x === m, this.keys?.messages, itself);
    this.msgs = r.list;
    if (r.keys) (this.keys ??= {}).messages = r.keys;
  }
  addRelated(id: string): void {
    const r = addUnique(this.related as string[], id, (x) => x === id, this.keys?.related, itself);
    this.related = r.list;
    if (r.keys) (this.keys ??= {}).related = r.keys;
  }
  addPath(item: PathItem): void {
    const r = addUnique(this.paths as PathItem[], item, (x) => x === item, this.keys?.paths, pathKey);
    this.paths = r.list;
    if (r.keys) (this.keys ??= {}).paths = r.keys;
  }
}

export class FindingCollector {
  private readonly ruleToControls = new Map<string, string[]>();
  /** control → resource → failure */
  readonly failures = new Map<string, Map<ResourceKey, Failure>>();
  /** resources an alert names that were not scanned objects (RBAC subjects), by resource ID */
  readonly synthetic = new Map<string, AlertObjectRef>();
  /** control → message of an alert that names no object (manual review) */
  readonly manual = new Map<string, string>();
  /** one copy of each related ID: every alert brings its own copies, and most repeat */
  private readonly strings = new Map<string, string>();
  /** one item per distinct (type, path, value, object): failures share them */
  private readonly items = new Map<string, PathItem>();
  /** rule → ids of the objects it judges, for rules with a relevance filter (see addRelevant) */
  readonly relevant = new Map<string, Set<number>>();
  /** rule → resource IDs of the resources it judges that were not scanned (RBAC subjects; see addRelevantRefs) */
  readonly relevantUnscanned = new Map<string, Set<string>>();
  /** related objects that are scanned objects, by resource ID → their id (a finding shows where they are) */
  readonly relatedIds = new Map<string, number>();
  /** scanned objects by resource ID, built when an alert first names an object without its id */
  private byResourceID?: Map<string, number>;

  /**
   * `objects`: the scanned objects; an object an alert names without its id (an RBAC
   * subject built from a binding) is then that object when it was scanned, so it has a source.
   */
  constructor(
    controls: Control[],
    private readonly objects?: ScanObject[],
  ) {
    for (const c of controls) for (const r of c.rules) this.ruleToControls.set(r.name, [...(this.ruleToControls.get(r.name) ?? []), c.id]);
  }

  /** The ids of the objects a rule with a relevance filter judges (the engine's EvalResult.relevant). */
  addRelevant(rule: string, ids: Iterable<number>): void {
    let s = this.relevant.get(rule);
    if (!s) this.relevant.set(rule, (s = new Set()));
    for (const id of ids) s.add(id);
  }

  /**
   * The resources a rule with a relevance filter judges that are not input objects (the
   * engine's EvalResult.relevantRefs): a scanned object of the same resource ID (a
   * ServiceAccount in the scanned files) counts as that object, others by resource ID, as
   * their failures are kept.
   */
  addRelevantRefs(rule: string, refs: Iterable<AlertObjectRef>): void {
    for (const ref of refs) {
      const id = this.scannedId(ref);
      if (id !== undefined) {
        this.addRelevant(rule, [id]);
        continue;
      }
      let s = this.relevantUnscanned.get(rule);
      if (!s) this.relevantUnscanned.set(rule, (s = new Set()));
      s.add(resourceID(ref));
    }
  }

  /** The scanned object a reference names, by its id or (for one built from a binding) its resource ID. */
  private scannedId(ref: AlertObjectRef): number | undefined {
    if (ref.id !== undefined) return ref.id;
    if (!this.objects?.length) return undefined;
    if (!this.byResourceID) {
      this.byResourceID = new Map();
      for (const o of this.objects) {
        const id = resourceID({ apiVersion: o.object.apiVersion, kind: o.object.kind, name: o.object.metadata?.name ?? "", namespace: o.object.metadata?.namespace ?? "" });
        if (!this.byResourceID.has(id)) this.byResourceID.set(id, o.id);
      }
    }
    const found = this.byResourceID.get(resourceID(ref));
    // a namespaced object written without a namespace lives in "default", where a binding's subject names it
    if (found === undefined && ref.namespace === "default") return this.byResourceID.get(resourceID({ ...ref, namespace: "" }));
    return found;
  }

  static of(controls: Control[], alerts: Iterable<Alert>, objects?: ScanObject[]): FindingCollector {
    const f = new FindingCollector(controls, objects);
    for (const a of alerts) f.add(a);
    return f;
  }

  add(a: Alert): void {
    const ids = this.ruleToControls.get(a.rule);
    if (!ids) return;
    for (const id of ids) {
      if (a.objects.length === 0) this.manual.set(id, a.message);
      // each related object once per alert: its resource ID, and its id when it was scanned
      const related = a.relatedObjects.map((r) => {
        const rid = this.intern(resourceID(r));
        const sid = this.scannedId(r);
        if (sid !== undefined) this.relatedIds.set(rid, sid);
        return { rid, key: sid ?? rid };
      });
      // a path into the alert's relatedObjects[i] belongs to that object
      const into = (p: string): ResourceKey | undefined => {
        if (!related.length || !p.startsWith("relatedObjects[")) return undefined;
        const m = RELATED_PATH.exec(p);
        return m ? related[Number(m[1])]?.key : undefined;
      };
      for (const ref of a.objects) {
        let key: ResourceKey | undefined = this.scannedId(ref);
        if (key === undefined) {
          key = resourceID(ref);
          this.synthetic.set(key, ref);
        }
        const f = this.failure(id, key);
        if (a.message) f.addMessage(a.message);
        for (const p of a.failedPaths) f.addPath(this.item("failed", p, undefined, into(p)));
        for (const p of a.reviewPaths) f.addPath(this.item("review", p, undefined, into(p)));
        for (const p of a.deletePaths) f.addPath(this.item("delete", p, undefined, into(p)));
        for (const x of a.fixPaths) f.addPath(this.item("fix", x.path, x.value, into(x.path)));
        for (const r of related) f.addRelated(r.rid);
      }
    }
  }

  /**
   * A rule could not evaluate these objects (the engine's error): each control of the rule
   * fails on them, with the reason, instead of counting them as passed.
   */
  addError(e: { rule: string; objectIds: number[]; message: string }): void {
    for (const id of this.ruleToControls.get(e.rule) ?? []) {
      for (const key of e.objectIds) {
        const f = this.failure(id, key);
        const reason = `rule ${e.rule} could not evaluate this object: ${e.message}`;
        f.error = f.error === undefined ? reason : `${f.error}; ${reason}`;
        f.addMessage(`not evaluated, counted as failed (${reason})`);
      }
    }
  }

  private failure(control: string, key: ResourceKey): Failure {
    let m = this.failures.get(control);
    if (!m) this.failures.set(control, (m = new Map()));
    let f = m.get(key);
    if (!f) m.set(key, (f = new Failure()));
    return f;
  }

  private item(type: PathEntry["type"], path: string, value?: string, object?: ResourceKey): PathItem {
    const key = itemKey(type, path, value, object);
    let it = this.items.get(key);
    if (it === undefined) {
      const base = value === undefined ? { type, path } : { type, path, value };
      this.items.set(key, (it = Object.freeze(object === undefined ? base : { ...base, object })));
    }
    return it;
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}
