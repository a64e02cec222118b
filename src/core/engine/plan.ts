// The plan of an evaluation: which objects go with which rules in which wasm call (a task).
import type { ScanObject } from "../model.js";
import type { RuleMeta } from "./registry.js";

export const DEFAULT_CHUNK_SIZE = 200;

/** An object whose JSON is longer than this (in UTF-8 bytes) is evaluated one per-object rule per call (see tasks). */
export const LARGE_OBJECT_CHARS = 64 * 1024;

/**
 * Objects of a cross-object rule's splitKinds per evaluation: a call's wasm heap and result
 * grow with them (20,000 cluster objects: 2,000 per call peaked at 784 MB RSS, 1,000 at 628 MB
 * for 0.35 s more evaluation, 500 at 616 MB for 0.8 s more).
 */
export const DEFAULT_CROSS_CHUNK_SIZE = 1000;

export interface Task {
  objs: ScanObject[];
  rules: RuleMeta[];
}

/**
 * Split the work: per-object rules over chunks of the objects of their kinds, each
 * cross-object rule over all objects of its kinds — or, for rules with splitKinds (together
 * when they share them, see crossGroups), over chunks of those kinds, each with all the
 * rules' other objects; for a rule with splitByNamespace, over whole namespaces at a time.
 */
export function tasks(
  objects: ScanObject[],
  rules: RuleMeta[],
  chunkSize = DEFAULT_CHUNK_SIZE,
  crossChunkSize = DEFAULT_CROSS_CHUNK_SIZE,
  /**
   * objects so large that all per-object rules in one call cost more than one call per rule:
   * the wasm result of many rules over one huge object grows worse than linearly (a Pod with
   * 2,000 containers: 10 s at once, 0.9 s rule by rule)
   */
  isLarge?: (o: ScanObject) => boolean,
): Task[] {
  const size = Math.max(1, chunkSize);
  const out: Task[] = [];
  const perObject = rules.filter((r) => !r.crossObject);
  if (perObject.length) {
    const kinds = new Set(perObject.flatMap((r) => r.matchKinds));
    const relevant = objects.filter((o) => kinds.size === 0 || kinds.has(o.object.kind));
    const large = isLarge ? relevant.filter(isLarge) : [];
    const big = new Set(large);
    const small = large.length ? relevant.filter((o) => !big.has(o)) : relevant;
    for (let i = 0; i < small.length; i += size) out.push({ objs: small.slice(i, i + size), rules: perObject });
    for (const o of large) {
      for (const r of perObject) if (r.matchKinds.length === 0 || r.matchKinds.includes(o.object.kind)) out.push({ objs: [o], rules: [r] });
    }
  }
  for (const r of rules) {
    // a rule that matches no kind looks at no object and runs once (e.g. manual-review controls)
    if (r.crossObject && r.matchKinds.length === 0) out.push({ objs: [], rules: [r] });
  }
  for (const group of crossGroups(rules.filter((r) => r.crossObject && r.matchKinds.length > 0))) {
    const r = group[0];
    const kinds = new Set(group.flatMap((x) => x.matchKinds));
    const objs = objects.filter((o) => kinds.has(o.object.kind));
    if (!objs.length) continue;
    if (r.splitByNamespace && objs.length > crossChunkSize) {
      out.push(...byNamespace(objs, crossChunkSize).map((part) => ({ objs: part, rules: group })));
      continue;
    }
    const split = new Set(r.splitKinds ?? []);
    const parts = objs.filter((o) => split.has(o.object.kind));
    if (parts.length <= crossChunkSize) {
      out.push({ objs, rules: group });
      continue;
    }
    // each chunk of the split kinds goes with every object of the rules' other kinds
    const context = objs.filter((o) => !split.has(o.object.kind));
    for (let i = 0; i < parts.length; i += crossChunkSize) out.push({ objs: [...context, ...parts.slice(i, i + crossChunkSize)], rules: group });
  }
  return out;
}

/**
 * Cross-object rules with the same splitKinds go into the same calls: each chunk of those
 * kinds is parsed once for all of them, with the objects of all their other kinds (20,000
 * cluster objects: 4.4 s of cross-object evaluation instead of 5.9 s, and a third of the
 * input bytes). A rule looks only at the kinds it matches; rules.test.ts checks each rule of
 * a group with the others' objects added. Other cross-object rules run alone.
 */
export function crossGroups(rules: RuleMeta[]): RuleMeta[][] {
  const groups = new Map<string, RuleMeta[]>();
  for (const r of rules) {
    const key = r.splitByNamespace || !r.splitKinds?.length ? `rule:${r.name}` : [...r.splitKinds].sort().join(",");
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/**
 * Objects grouped by namespace (none means "default", as the rules' lib.namespace reads it),
 * whole namespaces packed into parts of about `size` objects.
 */
export function byNamespace(objs: ScanObject[], size: number): ScanObject[][] {
  const groups = new Map<string, ScanObject[]>();
  for (const o of objs) {
    const ns = o.object.metadata?.namespace;
    const key = typeof ns === "string" && ns !== "" ? ns : "default";
    const g = groups.get(key);
    if (g) g.push(o);
    else groups.set(key, [o]);
  }
  const parts: ScanObject[][] = [];
  let part: ScanObject[] = [];
  for (const g of groups.values()) {
    if (part.length && part.length + g.length > size) {
      parts.push(part);
      part = [];
    }
    part.push(...g);
  }
  if (part.length) parts.push(part);
  return parts;
}
