// Per-rule evaluation time over a generated set (each rule evaluated alone), slowest first.
import { readFileSources } from "../dist/core/sources/files.js";
import { PolicyRuntime } from "../dist/core/engine/runtime.js";
import { Registry } from "../dist/core/engine/registry.js";
import { defaultConfigInputs } from "../dist/core/engine/config.js";

// rule-times.mjs <dir> [top]   or   rule-times.mjs --cluster <kubeconfig> [top]
const argv = process.argv.slice(2);
const clusterMode = argv[0] === "--cluster";
const [dir, top = "10"] = clusterMode ? argv.slice(1) : argv;
const { readCluster } = await import("../dist/core/sources/cluster/index.js");
const result = clusterMode ? await readCluster({ kubeconfig: dir, kinds: new Set(Registry.load().rules.flatMap((r) => r.matchKinds)) }) : (await readFileSources([dir])).result;
const registry = Registry.load();
const runtime = await PolicyRuntime.load();
runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
const times = [];
// one full pass first, so the wasm memory has grown to its working size and every function
// is compiled: the figures below are each rule's own cost
runtime.evaluate(result.objects, registry.rules);
for (const rule of registry.rules) {
  const t0 = performance.now();
  const { alerts } = runtime.evaluate(result.objects, [rule]);
  times.push({ rule: rule.name, ms: performance.now() - t0, alerts: alerts.length, cross: rule.crossObject });
}
times.sort((a, b) => b.ms - a.ms);
process.stdout.write(JSON.stringify(times.slice(0, Number(top))) + "\n");
