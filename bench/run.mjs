// npm run bench [-- --n 1000,10000] [--batching]
// Generates deterministic manifests (bench/generate.mjs) and scans them with every
// implemented control, printing wall time, docs/s, peak RSS and a breakdown, next to the
// targets, then the ten slowest rules. --batching compares evaluation chunk sizes.
// No assertion: figures only.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { generate } from "./generate.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt("--n", "1000,10000").split(",").map(Number);
const batching = args.includes("--batching");
const TARGET = { 10000: { wallMs: 3000, rssMB: 400 } };

function scanOnce(dir, chunk) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, "bench", "scan-once.mjs"), dir, ...(chunk ? [String(chunk)] : [])], { encoding: "utf8", maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`);
  return { wallMs: wall, ...JSON.parse(r.stdout.trim().split("\n").pop()) };
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rows = [];
for (const n of sizes) {
  const dir = path.join(root, "bench", "out", String(n));
  const stamp = path.join(dir, ".generated");
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== fs.readFileSync(path.join(root, "bench", "generate.mjs"), "utf8").length + ":" + n) {
    await generate(dir, n);
    fs.writeFileSync(stamp, fs.readFileSync(path.join(root, "bench", "generate.mjs"), "utf8").length + ":" + n);
  }
  scanOnce(dir); // warm the file cache
  const r = scanOnce(dir);
  rows.push({ n, ...r });
  const target = TARGET[n];
  console.log(
    `N=${n}: wall ${fmt(r.wallMs)}${target ? ` (target ≤ ${fmt(target.wallMs)})` : ""}, ${Math.round(n / (r.wallMs / 1000))} docs/s, peak RSS ${r.peakRssMB.toFixed(0)} MB${target ? ` (target ≤ ${target.rssMB} MB)` : ""}`,
  );
  console.log(`  read+parse ${fmt(r.timings.readParse)} · evaluate ${fmt(r.timings.evaluate)} · score ${fmt(r.timings.score)} · report ${fmt(r.timings.report)} · in-process total ${fmt(r.scanMs)}`);
  console.log(`  ${r.objects} objects, ${r.controls} controls, ${r.failedResources} resources with findings`);
  if (batching) {
    for (const chunk of [1, 50, 200, 500, 1000, 2000, 5000]) {
      if (chunk === 1 && n > 1000) continue; // one object per call: too slow to be worth the wait
      const b = scanOnce(dir, chunk);
      console.log(`  batching: ${String(chunk).padStart(5)} objects per wasm call → evaluate ${fmt(b.timings.evaluate)}, peak RSS ${b.peakRssMB.toFixed(0)} MB`);
    }
  }
}
// the ten slowest rules, each evaluated alone over the largest set
const largest = path.join(root, "bench", "out", String(Math.max(...sizes)));
const rt = spawnSync(process.execPath, [path.join(root, "bench", "rule-times.mjs"), largest, "10"], { encoding: "utf8" });
if (rt.status === 0) {
  console.log(`ten slowest rules at N=${Math.max(...sizes)} (each alone, including ~50 ms of input handling):`);
  for (const r of JSON.parse(rt.stdout)) console.log(`  ${r.ms.toFixed(0).padStart(6)} ms  ${r.rule}${r.cross ? " (cross-object)" : ""}`);
}
fs.mkdirSync(path.join(root, "test-output"), { recursive: true });
fs.writeFileSync(path.join(root, "test-output", "bench.json"), JSON.stringify(rows, null, 1) + "\n");
