import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { PolicyRuntime, PARALLEL_MIN_OBJECTS } from "../src/engine/runtime.js";
import { Registry } from "../src/engine/registry.js";
import { defaultConfigInputs } from "../src/engine/config.js";
import { readFileSources } from "../src/sources/files.js";
// @ts-expect-error plain JS generator
import { generate } from "../bench/generate.mjs";

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
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("evaluates only the rules asked for", async () => {
    const runtime = await PolicyRuntime.load();
    runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
    const registry = Registry.load();
    const obj = { id: 0, object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx" }] } }, source: { file: "x", docIndex: 0, itemPath: [] } };
    const only = registry.rules.filter((r) => r.name === "host-network-access");
    const { alerts } = runtime.evaluate([obj], only);
    expect(new Set(alerts.map((a) => a.rule))).toEqual(new Set(["host-network-access"]));
    const all = runtime.evaluate([obj], registry.rules);
    expect(new Set(all.alerts.map((a) => a.rule)).size).toBeGreaterThan(5);
  });
});
