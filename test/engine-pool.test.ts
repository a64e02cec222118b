// The engine of a long-lived scanner: one PolicyRuntime, its worker pool kept between
// evaluations, progress, cancellation, fail-closed errors and input encoding.
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { PolicyRuntime, isAbort, MAX_DEPTH, type EvalResult } from "../src/core/engine/runtime.js";
import { InputEncoder } from "../src/core/engine/encode.js";
import { Registry, type RuleMeta } from "../src/core/engine/registry.js";
import { defaultConfigInputs } from "../src/core/engine/config.js";
import { readFileSources } from "../src/core/sources/files.js";
import type { Alert, ScanObject } from "../src/core/model.js";
// @ts-expect-error plain JS generator
import { generate } from "../bench/generate.mjs";

const key = (a: Alert) => JSON.stringify([a.rule, a.objects.map((o) => o.id), a.failedPaths, a.fixPaths]);
const keys = (r: EvalResult) => r.alerts.map(key).sort();
const registry = Registry.load();
const defaults = { postureControlInputs: defaultConfigInputs() };
// fewer dangerous capabilities and no sensitive key names: other alerts from the same objects
const other = { postureControlInputs: { ...defaultConfigInputs(), insecureCapabilities: ["SYS_ADMIN"], sensitiveKeyNames: [] } };

async function fresh(config: typeof defaults): Promise<PolicyRuntime> {
  const rt = await PolicyRuntime.load();
  rt.setConfig(config);
  return rt;
}

const objectsOf = async (n: number, seed: number): Promise<ScanObject[]> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-pool-"));
  await generate(dir, n, seed);
  const { result } = await readFileSources([dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  return result.objects;
};

describe("a long-lived policy runtime", () => {
  let small: ScanObject[]; // enough for the workers
  let large: ScanObject[]; // long enough to abort in the middle
  let runtime: PolicyRuntime;
  beforeAll(async () => {
    small = await objectsOf(2300, 5);
    large = await objectsOf(6000, 9);
    runtime = await PolicyRuntime.load();
  });
  afterAll(() => runtime.close());

  it("keeps its workers between evaluations, re-sends changed data, survives aborts, and gives what fresh runtimes give", async () => {
    const expectDefaults = await fresh(defaults);
    const expectOther = await fresh(other);
    const want1 = await expectDefaults.evaluateParallel(small, registry.rules, { threads: 2 });
    const want2 = await expectOther.evaluateParallel(small, registry.rules, { threads: 2 });
    await Promise.all([expectDefaults.close(), expectOther.close()]);
    expect(keys(want1)).not.toEqual(keys(want2)); // the data matters for these objects

    const signal = new AbortController().signal; // never aborted: its listeners must not pile up
    // started before the first evaluation (warm), with the data that was set then: the evaluation uses them, with its own data
    runtime.warm(2);
    expect(runtime.poolState()).toEqual({ workers: 2, busy: 2 });
    runtime.setConfig(defaults);
    let progress: [number, number][] = [];
    const got1 = await runtime.evaluateParallel(small, registry.rules, { threads: 2, signal, onProgress: (d, t) => progress.push([d, t]) });
    expect(got1.workerTasks).toBeGreaterThan(10);
    expect(keys(got1)).toEqual(keys(want1));
    const total = progress[0][1];
    expect(progress).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
    expect(runtime.poolState()).toEqual({ workers: 2, busy: 0 });

    runtime.setConfig(other);
    const got2 = await runtime.evaluateParallel(small, registry.rules, { threads: 2, signal });
    expect(keys(got2)).toEqual(keys(want2));
    expect(getEventListeners(signal, "abort")).toHaveLength(0);

    // aborted mid-way, five times: each rejects soon, leaves no worker busy, keeps no memory
    const memory: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ac = new AbortController();
      let abortedAt = 0;
      let alertsAfter = 0;
      const started = runtime.evaluateParallel(large, registry.rules, {
        threads: 2,
        signal: ac.signal,
        onAlert: () => (abortedAt ? alertsAfter++ : 0),
        onProgress: () => {
          if (abortedAt) return;
          abortedAt = performance.now();
          ac.abort();
        },
      });
      const e = await started.then(
        () => undefined,
        (x) => x,
      );
      const took = performance.now() - abortedAt;
      expect(isAbort(e), String(e)).toBe(true);
      expect(e).toBe(ac.signal.reason);
      expect(took).toBeLessThan(200);
      expect(runtime.poolState().busy).toBe(0);
      expect(alertsAfter).toBe(0);
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
      const m = process.memoryUsage();
      memory.push(m.rss);
      if (i === 4) expect(m.heapUsed).toBeLessThan(1024 * 1024 * 1024);
    }
    // terminated workers and their instances are gone, not accumulated (loose: one instance is ~50-100 MB)
    expect(memory[4] - memory[0]).toBeLessThan(300 * 1024 * 1024);

    // and the next evaluation is whole and right
    progress = [];
    const got4 = await runtime.evaluateParallel(small, registry.rules, { threads: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(keys(got4)).toEqual(keys(want2));
    expect(got4.errors).toEqual([]);
    expect(progress.at(-1)).toEqual([progress[0][1], progress[0][1]]);
    expect(runtime.poolState()).toEqual({ workers: 2, busy: 0 });
  });

  it("aborts a main-thread evaluation between tasks, and an abort before the start rejects at once", async () => {
    runtime.setConfig(defaults);
    const few = small.slice(0, 1500);
    let total = 0;
    const want = runtime.evaluate(few, registry.rules, { chunkSize: 50, onProgress: (_, t) => (total = t) });
    const ac = new AbortController();
    let abortedAt = 0;
    let tasksDone = 0;
    // a timer: it can fire only between tasks, when the evaluation lets the event loop run
    setTimeout(() => ((abortedAt = performance.now()), ac.abort()), 30);
    const e = await runtime.evaluateParallel(few, registry.rules, { signal: ac.signal, chunkSize: 50, onProgress: (d) => (tasksDone = d) }).then(
      () => undefined,
      (x) => x,
    );
    expect(isAbort(e)).toBe(true);
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(200);
    expect(tasksDone).toBeLessThan(total); // stopped early
    await expect(runtime.evaluateParallel(few, registry.rules, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    expect(() => runtime.evaluate(few, registry.rules, { signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: "AbortError" }));
    // the sync path checks the signal between tasks: a callback may abort it
    const stop = new AbortController();
    expect(() => runtime.evaluate(few, registry.rules, { signal: stop.signal, onProgress: (d) => d === 2 && stop.abort() })).toThrow(expect.objectContaining({ name: "AbortError" }));
    const again = await runtime.evaluateParallel(few, registry.rules, {});
    expect(keys(again)).toEqual(keys(want));
  });

  it("close() stops a running evaluation and its workers", async () => {
    const rt = await fresh(defaults);
    const running = rt.evaluateParallel(large, registry.rules, { threads: 2 }).then(
      () => undefined,
      (x) => x,
    );
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await rt.close();
    const e = await running;
    expect(isAbort(e)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(rt.poolState()).toEqual({ workers: 0, busy: 0 });
    await expect(rt.evaluateParallel(small, registry.rules)).rejects.toThrow(/closed/);
  });
});

const fragileRules: RuleMeta[] = [
  { name: "fragile", controls: [], matchKinds: ["Pod"], configInputs: [], crossObject: false },
  { name: "fragile-cross", controls: [], matchKinds: ["Pod"], configInputs: [], crossObject: true },
];
const sized = (id: number, size: string): ScanObject => ({
  id,
  object: { apiVersion: "v1", kind: "Pod", metadata: { name: `p${id}`, annotations: { size } } },
  source: { file: "f.yaml", docIndex: id, itemPath: [] },
});
const fragileWasm = path.join(import.meta.dirname, "fixtures", "engine", "fragile.wasm");

describe("fail closed: a rule that cannot evaluate an object", () => {
  it("gives an error naming that object (per-object and cross-object rules), and the other objects their alerts", async () => {
    const rt = await PolicyRuntime.load(fragileWasm);
    // "bad" makes the units.parse builtin throw: the wasm call fails as a whole
    const objs = [sized(0, "5"), sized(1, "bad"), sized(2, "500"), sized(3, "7")];
    const r = rt.evaluate(objs, fragileRules);
    expect(r.errors).toEqual([
      { rule: "fragile", objectIds: [1], message: expect.stringContaining("Pod/p1 (f.yaml): units.parse: could not parse") },
      { rule: "fragile-cross", objectIds: [1], message: expect.stringContaining("units.parse") },
    ]);
    expect(r.warnings).toEqual([]);
    const got = (rule: string) =>
      r.alerts
        .filter((a) => a.rule === rule)
        .flatMap((a) => a.objects.map((o) => o.id))
        .sort();
    expect(got("fragile")).toEqual([2]);
    // the cross-object rule over the others: 5 + 500 + 7 > 100
    expect(got("fragile-cross")).toEqual([0, 2, 3]);
  });

  it("also when the failing task ran in a worker, among thousands of objects", async () => {
    const rt = await PolicyRuntime.load(fragileWasm);
    const objs = Array.from({ length: 2500 }, (_, i) => sized(i, i === 1234 || i === 2222 ? "bad" : "1"));
    const r = await rt.evaluateParallel(objs, fragileRules, { threads: 2 });
    await rt.close();
    expect(r.errors.map((e) => [e.rule, e.objectIds]).sort()).toEqual([
      ["fragile", [1234]],
      ["fragile", [2222]],
      ["fragile-cross", [1234, 2222]],
    ]);
    expect(r.alerts.filter((a) => a.rule === "fragile-cross")).toHaveLength(2498);
    expect(r.workerTasks).toBeGreaterThan(0);
  });
});

describe("input encoding: whatever an object holds, the rules see it", () => {
  const rules = registry.rules.filter((r) => r.controls.includes("C-0057"));
  const pod = (extra: (o: any) => void): ScanObject => {
    const object: any = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "odd", namespace: "x", annotations: { a: "b" } },
      spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx", securityContext: { privileged: true } }] },
    };
    extra(object);
    return { id: 7, object, source: { file: "odd.json", docIndex: 0, itemPath: [] } };
  };
  let rt: PolicyRuntime;
  beforeAll(async () => {
    rt = await fresh(defaults);
    expect(rules.map((r) => r.name)).toEqual(["rule-privileged-container"]);
  });
  const alertsOn = (o: ScanObject) => {
    const r = rt.evaluate([o], rules);
    expect(r.errors).toEqual([]);
    expect(r.alerts.map((a) => [a.rule, a.objects.map((x) => x.id)])).toEqual([["rule-privileged-container", [7]]]);
    return r;
  };

  it("a lone surrogate (from a JSON file's \\ud800) becomes U+FFFD", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-enc-"));
    fs.writeFileSync(path.join(dir, "pod.json"), JSON.stringify(pod(() => {}).object).replace('"a":"b"', '"a":"\\ud800","\\udc00k":"x"'));
    const { result } = await readFileSources([dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.objects[0].object.metadata!.annotations!.a).toBe("\ud800");
    const o = { ...result.objects[0], id: 7 };
    const r = alertsOn(o);
    expect(r.cuts).toEqual([]);
    const sent = JSON.parse(new TextDecoder().decode(new InputEncoder().encode([o], rules))).objects[0];
    expect(sent.metadata.annotations).toEqual({ a: "\ufffd", "\ufffdk": "x" });
  });

  it(`nesting deeper than ${MAX_DEPTH} levels is cut there and reported`, () => {
    let deep: any = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) deep = deep.next = {};
    let list: any[] = [];
    const lists = list;
    for (let i = 0; i < 6000; i++) list.push((list = []));
    const r = alertsOn(pod((o) => ((o.spec.extra = root), (o.spec.list = lists))));
    expect(r.cuts).toEqual([{ objectId: 7, path: expect.stringMatching(/^spec\.extra\.next\.next.*\.next$/), reason: expect.stringMatching(/deeper than 200 levels \(and 1 more place\)/) }]);
    const enc = new InputEncoder();
    const sent = JSON.parse(new TextDecoder().decode(enc.encode([pod((o) => (o.spec.extra = root))], rules))).objects[0];
    let at = sent.spec.extra;
    let level = 3; // object → spec → extra
    while (typeof at === "object") {
      at = at.next;
      level++;
    }
    expect([at, level]).toEqual([`<cut: deeper than ${MAX_DEPTH} levels>`, MAX_DEPTH + 1]);
  });

  it("odd keys round-trip: __proto__, constructor, empty, quotes and control characters, and a cycle is cut", () => {
    const labels = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c", "": "empty", "q\\"\\\\\\u0001\\n": "ctl", "toString": 1}');
    expect(Object.keys(labels)).toContain("__proto__");
    const o = pod((x) => (x.metadata.labels = labels));
    const r = alertsOn(o);
    expect(r.cuts).toEqual([]);
    const sent = JSON.parse(new TextDecoder().decode(new InputEncoder().encode([o], rules))).objects[0];
    expect(Object.keys(sent.metadata.labels)).toEqual(Object.keys(labels));
    expect(JSON.stringify(sent.metadata.labels)).toBe(JSON.stringify(labels));
    expect(({} as any).polluted).toBeUndefined();
    // a circular structure (as a YAML alias to its own ancestor can make) is cut where it loops
    const cyc = pod((x) => ((x.spec.self = x.spec), (x.__ksid = 99)));
    const c = alertsOn(cyc);
    expect(c.cuts).toEqual([{ objectId: 7, path: "spec.self", reason: expect.stringMatching(/^a circular reference/) }]);
  });

  it("any JSON value, with any strings and keys, encodes to input the rules module accepts", async () => {
    const frt = await PolicyRuntime.load(fragileWasm);
    // any code point, and often a lone surrogate, a quote, a backslash or NUL
    const str = fc.string({ unit: fc.oneof(fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff", '"', "\\", "\u0000"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })) });
    fc.assert(
      fc.property(
        fc.dictionary(str, fc.jsonValue({ maxDepth: 6, stringUnit: fc.oneof(fc.constant("\ud800"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })) })),
        fc.dictionary(str, str),
        (extra, annotations) => {
          const o: ScanObject = {
            id: 1,
            object: { apiVersion: "v1", kind: "Pod", metadata: { name: "x", annotations: { ...annotations, size: "500" } }, ...extra } as any,
            source: { file: "f", docIndex: 0, itemPath: [] },
          };
          const r = frt.evaluate([o], fragileRules.slice(0, 1));
          expect(r.errors).toEqual([]);
          // apiVersion/kind/metadata may be replaced by extra: the alert needs only the annotation
          if ((o.object.metadata as any)?.annotations?.size === "500") expect(r.alerts).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
