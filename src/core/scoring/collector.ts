// Alerts, as the engine produces them, gathered into failures per control and resource, so
// the alerts themselves need not be kept: a large scan holds the findings once, not the
// alerts and then the findings. Every step is constant time per path, so one object that
// fails 50,000 fields costs 50,000 steps, not 50,000².
//
// The failures are kept compact, as a scan of 100,000 Pods has 2.6 million of them: a row of
// small integers each (control, resource, messages, paths, related objects), lists of
// paths and related objects shared by every failure that has the same list, and messages
// kept as templates with the object's name taken out (`Pod \u0000: container app has no
// livenessProbe` serves every Pod), put back when the report asks for the message.
import type { Alert, AlertObjectRef, ScanObject } from "../model.js";
import type { Control } from "../engine/registry.js";
import type { PathEntry } from "./result.js";
import { IdSet } from "../id-set.js";

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
/** `relatedObjects[3].rules[0]…` → 3 */
const RELATED_PATH = /^relatedObjects\[(\d+)\](?:\.|\[|$)/;

/** Stands for the object's name in a message template. */
const NAME = "\u0000";
/** Names shorter than this are left in their messages (they would split common words). */
const MIN_NAME = 3;

/**
 * A growable column of 32-bit integers: 4 bytes a row, no object per row, in pages of 64K
 * rows so that growing copies nothing and leaves no unused half behind.
 */
export class Column {
  private readonly pages: Int32Array[] = [];
  length = 0;
  push(v: number): number {
    const page = this.length >>> PAGE_BITS;
    if (page === this.pages.length) this.pages.push(new Int32Array(1 << PAGE_BITS));
    this.pages[page][this.length & PAGE_MASK] = v;
    return this.length++;
  }
  get(i: number): number {
    return this.pages[i >>> PAGE_BITS][i & PAGE_MASK];
  }
  set(i: number, v: number): void {
    this.pages[i >>> PAGE_BITS][i & PAGE_MASK] = v;
  }
}
const PAGE_BITS = 16;
const PAGE_MASK = (1 << PAGE_BITS) - 1;

const EMPTY_LIST: readonly number[] = Object.freeze([]);

/**
 * Lists of integers without repeats, each distinct list stored once (id ≥ 0) — the same few
 * paths fail on thousands of objects — and a list that grows long kept apart with a set of
 * its items (id < 0), so that adding stays constant time: one object failing 50,000 fields
 * builds one list, not 50,000 copies of its prefixes. Id 0 is the empty list.
 */
class Lists {
  private readonly shared: (readonly number[])[] = [EMPTY_LIST];
  private readonly keys: string[] = [""];
  private readonly index = new Map<string, number>([["", 0]]);
  private readonly own: { items: number[]; set: Set<number> }[] = [];

  get(id: number): readonly number[] {
    return id >= 0 ? this.shared[id] : this.own[-id - 1].items;
  }

  /** The list `id` with `x` added at its end (unless it holds it already): its id. */
  add(id: number, x: number): number {
    if (id < 0) {
      const o = this.own[-id - 1];
      if (!o.set.has(x)) {
        o.set.add(x);
        o.items.push(x);
      }
      return id;
    }
    const list = this.shared[id];
    if (list.includes(x)) return id;
    if (list.length >= SCAN_LIMIT) {
      const items = [...list, x];
      this.own.push({ items, set: new Set(items) });
      return -this.own.length;
    }
    const key = id === 0 ? String(x) : `${this.keys[id]},${x}`;
    let found = this.index.get(key);
    if (found === undefined) {
      found = this.shared.length;
      this.shared.push(Object.freeze([...list, x]));
      this.keys.push(key);
      this.index.set(key, found);
    }
    return found;
  }
}

/** Strings kept once each, by number. */
class Strings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
}

export class FindingCollector {
  private readonly ruleToControls = new Map<string, number[]>();
  /** the controls, by the number the failures name them with */
  private readonly controlIds: string[] = [];
  private readonly controlIndex = new Map<string, number>();
  /** resources an alert names that were not scanned objects (RBAC subjects), by resource ID */
  readonly synthetic = new Map<string, AlertObjectRef>();
  /** the synthetic resources by number: a failure names one as -(n + 1) */
  private readonly syntheticIds: string[] = [];
  private readonly syntheticIndex = new Map<string, number>();
  /** control → message of an alert that names no object (manual review) */
  readonly manual = new Map<string, string>();
  /** related IDs, path items and message templates, each kept once */
  private readonly strings = new Strings();
  private readonly templates = new Strings();
  /** one item per distinct (type, path, value, object): failures share them */
  private readonly items: PathItem[] = [];
  private readonly itemIds = new Map<string, number>();
  private readonly lists = new Lists();
  /** the failures, one row each: control, resource (object id, or -(n + 1) for synthetic n), the resource's previous failure, and list ids */
  private readonly fControl = new Column();
  private readonly fKey = new Column();
  private readonly fPrev = new Column();
  private readonly fMessages = new Column();
  private readonly fPaths = new Column();
  private readonly fRelated = new Column();
  /** failure → why a rule could not evaluate the object: it fails closed, never passes */
  private readonly errors = new Map<number, string>();
  /** each resource's last failure (its failures are chained by fPrev): objects by id, synthetic ones by number */
  private objectLast = new Int32Array(0);
  private readonly syntheticLast: number[] = [];
  /** the failure found last: an alert's paths and the next alert of the same rule and object come to it */
  private last = -1;
  /** per control, its failures in the order they came (built when first asked for, after the alerts) */
  private byControl?: { offsets: Int32Array; rows: Int32Array };
  /** rule → ids of the objects it judges, for rules with a relevance filter (see addRelevant) */
  readonly relevant = new Map<string, IdSet>();
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
    for (const c of controls) {
      let i = this.controlIndex.get(c.id);
      if (i === undefined) {
        i = this.controlIds.length;
        this.controlIds.push(c.id);
        this.controlIndex.set(c.id, i);
      }
      for (const r of c.rules) this.ruleToControls.set(r.name, [...(this.ruleToControls.get(r.name) ?? []), i]);
    }
  }

  /** The ids of the objects a rule with a relevance filter judges (the engine's EvalResult.relevant). */
  addRelevant(rule: string, ids: Iterable<number>): void {
    let s = this.relevant.get(rule);
    if (!s) this.relevant.set(rule, (s = new IdSet()));
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
    this.byControl = undefined;
    // each related object once per alert: its resource ID, and its id when it was scanned
    const related = a.relatedObjects.map((r) => {
      const rid = resourceID(r);
      const sid = this.scannedId(r);
      if (sid !== undefined) this.relatedIds.set(rid, sid);
      return { rid: this.strings.id(rid), key: sid ?? rid };
    });
    // a path into the alert's relatedObjects[i] belongs to that object
    const into = (p: string): ResourceKey | undefined => {
      if (!related.length || !p.startsWith("relatedObjects[")) return undefined;
      const m = RELATED_PATH.exec(p);
      return m ? related[Number(m[1])]?.key : undefined;
    };
    // the alert's path items, the same for each of its objects and controls
    const items = [
      ...a.failedPaths.map((p) => this.item("failed", p, undefined, into(p))),
      ...a.reviewPaths.map((p) => this.item("review", p, undefined, into(p))),
      ...a.deletePaths.map((p) => this.item("delete", p, undefined, into(p))),
      ...a.fixPaths.map((x) => this.item("fix", x.path, x.value, into(x.path))),
    ];
    for (const control of ids) {
      if (a.objects.length === 0) this.manual.set(this.controlIds[control], a.message);
      for (const ref of a.objects) {
        let key: number | undefined = this.scannedId(ref);
        let name = key !== undefined && this.objects ? this.objects[key]?.object.metadata?.name : undefined;
        if (key === undefined) {
          const rid = resourceID(ref);
          this.synthetic.set(rid, ref);
          let n = this.syntheticIndex.get(rid);
          if (n === undefined) {
            n = this.syntheticIds.length;
            this.syntheticIds.push(rid);
            this.syntheticIndex.set(rid, n);
          }
          key = -n - 1;
          name = ref.name;
        }
        const f = this.failure(control, key);
        if (a.message) this.fMessages.set(f, this.lists.add(this.fMessages.get(f), this.template(a.message, name)));
        let paths = this.fPaths.get(f);
        for (const i of items) paths = this.lists.add(paths, i);
        this.fPaths.set(f, paths);
        for (const r of related) this.fRelated.set(f, this.lists.add(this.fRelated.get(f), r.rid));
      }
    }
  }

  /**
   * A rule could not evaluate these objects (the engine's error): each control of the rule
   * fails on them, with the reason, instead of counting them as passed.
   */
  addError(e: { rule: string; objectIds: number[]; message: string }): void {
    this.byControl = undefined;
    for (const control of this.ruleToControls.get(e.rule) ?? []) {
      for (const key of e.objectIds) {
        const f = this.failure(control, key);
        const reason = `rule ${e.rule} could not evaluate this object: ${e.message}`;
        const before = this.errors.get(f);
        this.errors.set(f, before === undefined ? reason : `${before}; ${reason}`);
        // no template: the reason names the object as it is
        this.fMessages.set(f, this.lists.add(this.fMessages.get(f), this.template(`not evaluated, counted as failed (${reason})`, undefined)));
      }
    }
  }

  // ---- reading the failures (scoring, the report) ----

  /** Whether any resource fails the control. */
  hasFailures(control: string): boolean {
    return this.rowsOf(control).length > 0;
  }

  /** The failures of a control (row numbers), in the order they came: one per failed resource. */
  rowsOf(control: string): Int32Array {
    const i = this.controlIndex.get(control);
    if (i === undefined) return EMPTY_ROWS;
    const { offsets, rows } = this.index();
    return rows.subarray(offsets[i], offsets[i + 1]);
  }

  /** The resources failing a control, in the order they came. */
  *keysOf(control: string): Generator<ResourceKey> {
    for (const f of this.rowsOf(control)) yield this.keyOf(f);
  }

  /** Which resource a failure is about: a scanned object's id, or a resource ID. */
  keyOf(f: number): ResourceKey {
    const k = this.fKey.get(f);
    return k >= 0 ? k : this.syntheticIds[-k - 1];
  }

  controlOf(f: number): string {
    return this.controlIds[this.fControl.get(f)];
  }

  /** the messages, in the order they came, with the object's name put back */
  messages(f: number): string[] {
    const k = this.fKey.get(f);
    const name = k >= 0 ? this.objects?.[k]?.object.metadata?.name : this.synthetic.get(this.syntheticIds[-k - 1])!.name;
    return this.lists.get(this.fMessages.get(f)).map((m) => {
      const text = this.templates.list[m >> 1];
      return m & 1 ? text.split(NAME).join(String(name)) : text;
    });
  }

  /** the messages as the report gives them: one, or joined by "; " */
  message(f: number): string {
    return this.messages(f).join("; ");
  }

  paths(f: number): readonly PathItem[] {
    return this.lists.get(this.fPaths.get(f)).map((i) => this.items[i]);
  }

  /** the failure's path items as numbers (pathItem(n) is the item) */
  pathIds(f: number): readonly number[] {
    return this.lists.get(this.fPaths.get(f));
  }

  pathItem(n: number): PathItem {
    return this.items[n];
  }

  related(f: number): string[] {
    return this.lists.get(this.fRelated.get(f)).map((i) => this.strings.list[i]);
  }

  error(f: number): string | undefined {
    return this.errors.get(f);
  }

  /** Per control, its rows in the order they came: a stable counting sort of the rows by control. */
  private index(): { offsets: Int32Array; rows: Int32Array } {
    if (this.byControl) return this.byControl;
    const n = this.fControl.length;
    const controls = this.fControl;
    const offsets = new Int32Array(this.controlIds.length + 1);
    for (let f = 0; f < n; f++) offsets[controls.get(f) + 1]++;
    for (let c = 0; c < this.controlIds.length; c++) offsets[c + 1] += offsets[c];
    const at = offsets.slice(0, -1);
    const rows = new Int32Array(n);
    for (let f = 0; f < n; f++) rows[at[controls.get(f)]++] = f;
    return (this.byControl = { offsets, rows });
  }

  /** The failure of (control, resource), added when new: found along the resource's chain of failures. */
  private failure(control: number, key: number): number {
    const last = this.last;
    if (last >= 0 && this.fKey.get(last) === key && this.fControl.get(last) === control) return last;
    let head: number;
    if (key >= 0) {
      if (key >= this.objectLast.length) {
        const bigger = new Int32Array(Math.max(key + 1, this.objects?.length ?? 0, this.objectLast.length * 2)).fill(-1);
        bigger.set(this.objectLast);
        this.objectLast = bigger;
      }
      head = this.objectLast[key];
    } else head = this.syntheticLast[-key - 1] ?? -1;
    for (let f = head; f >= 0; f = this.fPrev.get(f)) {
      if (this.fControl.get(f) === control) return (this.last = f);
    }
    const f = this.fControl.push(control);
    this.fKey.push(key);
    this.fPrev.push(head);
    this.fMessages.push(0);
    this.fPaths.push(0);
    this.fRelated.push(0);
    if (key >= 0) this.objectLast[key] = f;
    else this.syntheticLast[-key - 1] = f;
    return (this.last = f);
  }

  /** A message as a template number: ×2, +1 when the object's name was taken out of it. */
  private template(message: string, name: unknown): number {
    if (typeof name === "string" && name.length >= MIN_NAME && !message.includes(NAME) && message.includes(name)) {
      return this.templates.id(message.split(name).join(NAME)) * 2 + 1;
    }
    return this.templates.id(message) * 2;
  }

  private item(type: PathEntry["type"], path: string, value?: string, object?: ResourceKey): number {
    const key = itemKey(type, path, value, object);
    let id = this.itemIds.get(key);
    if (id === undefined) {
      const base = value === undefined ? { type, path } : { type, path, value };
      id = this.items.length;
      this.items.push(Object.freeze(object === undefined ? base : { ...base, object }));
      this.itemIds.set(key, id);
    }
    return id;
  }
}

const EMPTY_ROWS = new Int32Array(0);
