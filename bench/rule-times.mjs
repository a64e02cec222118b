// Per-rule evaluation time over a generated set (each rule evaluated alone), slowest first.
import { readFileSources } from "../dist/sources/files.js";
import { PolicyRuntime } from "../dist/engine/runtime.js";
import { Registry } from "../dist/engine/registry.js";
import { defaultConfigInputs } from "../dist/engine/config.js";

const [dir, top = "10"] = process.argv.slice(2);
const { result } = await readFileSources([dir]);
const registry = Registry.load();
const runtime = await PolicyRuntime.load();
runtime.setConfig({ postureControlInputs: defaultConfigInputs() });
const times = [];
for (const rule of registry.rules) {
  const t0 = performance.now();
  const { alerts } = runtime.evaluate(result.objects, [rule]);
  times.push({ rule: rule.name, ms: performance.now() - t0, alerts: alerts.length, cross: rule.crossObject });
}
times.sort((a, b) => b.ms - a.ms);
process.stdout.write(JSON.stringify(times.slice(0, Number(top))) + "\n");
