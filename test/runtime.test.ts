import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { PolicyRuntime, PARALLEL_MIN_OBJECTS } from "../src/core/engine/runtime.js";
import { Registry } from "../src/core/engine/registry.js";
import { defaultConfigInputs } from "../src/core/engine/config.js";
import { readFileSources } from "../src/core/sources/files.js";
import { evaluateRaw, resultsOf } from "../src/core/engine/memory.js";
import { customBuiltins } from "../src/core/engine/builtins.js";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { InputEncoder } from "../src/core/engine/encode.js";
import { readData } from "../src/core/data-files.js";
// @ts-expect-error plain JS generator
import { generate } from "../bench/generate.mjs";
import { repoRoot } from "./support/cli.js";

const key = (a: { rule: string; objects: { id?: number }[]; failedPaths: string[]; fixPaths: unknown[] }) => JSON.stringify([a.rule, a.objects.map((o) => o.id), a.failedPaths, a.fixPaths]);

describe("policy runtime", () => {
  it("gives the same alerts in parallel workers as on one thread, whatever the batch size", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-rt-"));
    await generate(dir, PARALLEL_MIN_OBJECTS + 500, 7);
    const { result } = await readFileSources([dir]);
    const registry = Registry.load();
    const runtime = await PolicyRuntime.load();
    runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
    const seq = runtime.evaluate(result.objects, registry.rules, { chunkSize: 500 });
    const par = await runtime.evaluateParallel(result.objects, registry.rules, { chunkSize: 100, threads: 2 });
    expect(seq.alerts.length).toBeGreaterThan(1000);
    expect(par.alerts.map(key).sort()).toEqual(seq.alerts.map(key).sort());
    expect(par.warnings).toEqual([]);
    expect(par.workerTasks).toBeGreaterThan(10); // really evaluated in workers, not the fallback
    // and the same relevant objects for the rules with a relevance filter (each one that had
    // objects of its kinds to judge reports them; a rule with none may not be evaluated at all)
    const kinds = new Set(result.objects.map((o) => o.object.kind));
    for (const r of registry.rules.filter((x) => x.relevance && x.matchKinds.some((k) => kinds.has(k)))) expect(seq.relevant.has(r.name), r.name).toBe(true);
    expect(seq.relevant.size).toBeGreaterThan(90);
    const ids = (m: Map<string, Iterable<number>>) => new Map([...m].map(([rule, set]) => [rule, [...set]]));
    expect(ids(par.relevant)).toEqual(ids(seq.relevant));
    const sortedRefs = (m: Map<string, { kind: string; namespace: string; name: string }[]>) =>
      [...m].map(([rule, refs]) => [rule, refs.map((x) => `${x.kind}/${x.namespace}/${x.name}`).sort()]).sort();
    expect(sortedRefs(par.relevantRefs)).toEqual(sortedRefs(seq.relevantRefs));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the main-thread instance is replaced before the next evaluation once one touched more of its memory than the limit (touched pages stay resident)", async () => {
    const { result } = await readFileSources([path.join(repoRoot, "examples")]);
    const registry = Registry.load();
    const instance = (r: PolicyRuntime) => (r as unknown as { policy: object }).policy;
    const key2 = (x: EvalResult) => x.alerts.map(key).sort();
    type EvalResult = Awaited<ReturnType<PolicyRuntime["evaluateParallel"]>>;
    // a limit below what examples/ touches: replaced each time, same alerts each time
    const small = await PolicyRuntime.load(undefined, { recycleTouchedBytes: 64 * 1024 });
    small.setConfig({ postureControlInputs: defaultConfigInputs() });
    const first = instance(small);
    const a = await small.evaluateParallel(result.objects, registry.rules);
    expect(instance(small)).toBe(first); // nothing touched before the first evaluation
    const b = await small.evaluateParallel(result.objects, registry.rules);
    expect(instance(small)).not.toBe(first);
    expect(a.alerts.length).toBeGreaterThan(10);
    expect(key2(b)).toEqual(key2(a));
    // the default limit: examples/ touches far less, the instance is kept
    const kept = await PolicyRuntime.load();
    kept.setConfig({ postureControlInputs: defaultConfigInputs() });
    const one = instance(kept);
    await kept.evaluateParallel(result.objects, registry.rules);
    const c = await kept.evaluateParallel(result.objects, registry.rules);
    expect(instance(kept)).toBe(one);
    expect(key2(c)).toEqual(key2(a));
    await Promise.all([small.close(), kept.close()]);
  });

  it("a rule's relevance filter names the objects it judges: the control-plane rules, their component's Pods only", async () => {
    const registry = Registry.load();
    const rule = registry.rules.find((r) => r.name === "ensure-that-the-api-server-anonymous-auth-argument-is-set-to-false")!;
    expect(rule.relevance).toBe(true);
    const pod = (id: number, name: string, namespace: string, command: string[]) => ({
      id,
      object: { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { containers: [{ name, image: "x", command }] } },
      source: { file: "f.yaml", docIndex: id, itemPath: [] },
    });
    const objs = [
      pod(0, "web", "default", ["nginx"]),
      pod(1, "kube-apiserver", "kube-system", ["kube-apiserver", "--anonymous-auth=false"]),
      pod(2, "kube-scheduler", "kube-system", ["kube-scheduler"]),
    ];
    const runtime = await PolicyRuntime.load();
    runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
    const r = runtime.evaluate(objs, [rule, registry.rules.find((x) => x.name === "etcd-unique-ca")!]);
    expect(r.alerts).toEqual([]);
    expect([...r.relevant.get(rule.name)!]).toEqual([1]);
    // the etcd rule judges kube-apiserver and etcd Pods: here the API server alone
    expect([...r.relevant.get("etcd-unique-ca")!]).toEqual([1]);
  });

  it("an RBAC rule's filter names the subjects of bindings whose role is in the input, not the Roles and bindings", async () => {
    const registry = Registry.load();
    const rule = registry.rules.find((r) => r.name === "rule-can-list-get-secrets-v1")!;
    expect(rule.relevance).toBe(true);
    const at = (id: number, object: Record<string, unknown>) => ({ id, object: object as any, source: { file: "f.yaml", docIndex: id, itemPath: [] } });
    const rbac = "rbac.authorization.k8s.io/v1";
    const objs = [
      at(0, { apiVersion: rbac, kind: "Role", metadata: { name: "reader", namespace: "shop" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }),
      at(1, {
        apiVersion: rbac,
        kind: "RoleBinding",
        metadata: { name: "bind", namespace: "shop" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
        subjects: [
          { kind: "ServiceAccount", name: "billing" },
          { kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" },
        ],
      }),
      // a binding to a role that is not in the input grants nothing that can be judged
      at(2, { apiVersion: rbac, kind: "ClusterRoleBinding", metadata: { name: "elsewhere" }, roleRef: { kind: "ClusterRole", name: "missing" }, subjects: [{ kind: "Group", name: "ops" }] }),
    ];
    const runtime = await PolicyRuntime.load();
    runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
    const r = runtime.evaluate(objs, [rule]);
    // both bound subjects can read secrets: flagged, and named by the filter as the alerts name them
    expect(r.alerts.map((a) => a.objects.map((o) => `${o.kind}/${o.namespace}/${o.name}`).join()).sort()).toEqual(["ServiceAccount/shop/billing", "User//alice"]);
    expect([...r.relevant.get(rule.name)!]).toEqual([]);
    expect(
      r.relevantRefs
        .get(rule.name)!
        .map((x) => `${x.apiVersion} ${x.kind}/${x.namespace}/${x.name}`)
        .sort(),
    ).toEqual([`${rbac} User//alice`, "v1 ServiceAccount/shop/billing"]);
  });

  it("rules with splitKinds or splitByNamespace give the same alerts in parts as over all their objects at once, and together as alone", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-split-"));
    await generate(dir, 1500, 11);
    // plus hand-written RBAC, network and workload fixtures (cluster-wide bindings, policies)
    for (const f of fs.readdirSync(path.join(import.meta.dirname, "cluster", "seed"))) fs.copyFileSync(path.join(import.meta.dirname, "cluster", "seed", f), path.join(dir, `seed-${f}`));
    fs.cpSync(path.join(import.meta.dirname, "..", "examples"), path.join(dir, "examples"), { recursive: true });
    const registry = Registry.load();
    const split = registry.rules.filter((r) => r.splitKinds?.length || r.splitByNamespace);
    expect(split.filter((r) => r.splitByNamespace).length).toBeGreaterThanOrEqual(3);
    // and each split rule's own test cases, so that every one of them fires
    const rulesDir = path.join(import.meta.dirname, "..", "rules");
    for (const r of split) {
      for (const c of fs.readdirSync(path.join(rulesDir, r.name, "tests"))) {
        const input = path.join(rulesDir, r.name, "tests", c, "input");
        if (fs.existsSync(input)) fs.cpSync(input, path.join(dir, "cases", r.name, c), { recursive: true });
      }
    }
    const { result } = await readFileSources([dir]);
    expect(split.length).toBeGreaterThan(5);
    for (const r of split) expect(r.crossObject, r.name).toBe(true);
    const runtime = await PolicyRuntime.load();
    runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
    const whole = runtime.evaluate(result.objects, split, { crossChunkSize: Infinity });
    const chunked = runtime.evaluate(result.objects, split, { crossChunkSize: 37 });
    const perRule = (alerts: typeof whole.alerts) =>
      Object.fromEntries(
        split.map((r) => [
          r.name,
          alerts
            .filter((a) => a.rule === r.name)
            .map(key)
            .sort(),
        ]),
      );
    const expected = perRule(whole.alerts);
    expect(perRule(chunked.alerts)).toEqual(expected);
    // rules sharing splitKinds run in the same calls (plan.ts crossGroups); each alone, the same
    const alone = split.flatMap((r) => runtime.evaluate(result.objects, [r], { crossChunkSize: 37 }).alerts);
    expect(perRule(alone)).toEqual(expected);
    // the fixtures make most of these rules fire, so the comparison is not of empty sets
    expect(
      Object.entries(expected)
        .filter(([, l]) => l.length === 0)
        .map(([name]) => name),
    ).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("evaluateRaw gives the SDK's result as bytes, also when the input grows the memory and the text is not ASCII", async () => {
    const module = await WebAssembly.compile(readData("rules", "bundle", "policy.wasm"));
    // instances with a small memory (the engine's start with 256 MiB): a 2 MB input grows it
    const [a, b] = [await loadPolicy(module, 32, customBuiltins), await loadPolicy(module, 32, customBuiltins)];
    for (const p of [a, b]) p.setData({ postureControlInputs: defaultConfigInputs(), dataControlInputs: {} });
    const registry = Registry.load();
    const rules = registry.rules.filter((r) => ["rule-privileged-container", "k8s-common-labels-usage", "host-network-access"].includes(r.name));
    const pod = (i: number, pad = "") => ({
      id: i,
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `pödchen-${i}`, annotations: { pad } },
        spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx", securityContext: { privileged: true } }] },
      },
      source: { file: "x", docIndex: 0, itemPath: [] },
    });
    const enc = new InputEncoder();
    const inputs = [[pod(0)], [pod(1, "x".repeat(2 << 20))]];
    for (const objs of inputs) {
      const want = (a.evaluate(enc.encode(objs, rules)) as { result: Record<string, unknown[]> }[])[0].result;
      const got = resultsOf(evaluateRaw(b, enc.encode(objs, rules)));
      expect(got).toEqual(want);
      expect(b.mem.buffer.byteLength, "the memory grew past the input").toBeGreaterThan(objs.length && objs[0].object.metadata.annotations.pad.length);
      expect(Object.values(got).flat().length).toBeGreaterThanOrEqual(3);
      expect(JSON.stringify(got)).toContain(objs[0].object.metadata.name);
    }
  });

  it("evaluates only the rules asked for", async () => {
    const runtime = await PolicyRuntime.load();
    runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
    const registry = Registry.load();
    const obj = {
      id: 0,
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx" }] } },
      source: { file: "x", docIndex: 0, itemPath: [] },
    };
    const only = registry.rules.filter((r) => r.name === "host-network-access");
    const { alerts } = runtime.evaluate([obj], only);
    expect(new Set(alerts.map((a) => a.rule))).toEqual(new Set(["host-network-access"]));
    const all = runtime.evaluate([obj], registry.rules);
    expect(new Set(all.alerts.map((a) => a.rule)).size).toBeGreaterThan(5);
  });
});
