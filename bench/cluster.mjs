// npm run bench:cluster [-- --count 20000]
// Starts the real test cluster (test/cluster/cluster.sh), seeds N objects, and scans it with
// every implemented control in a fresh process: wall time, LIST vs evaluate time, peak RSS,
// next to the targets (20,000 objects: ≤ 15 s, ≤ 600 MB). Figures only, no assertion.
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { settle } from "./settle.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const count = Number(args[args.indexOf("--count") + 1] || 20000) || 20000;
const dir = path.join(os.tmpdir(), `ks-bench-cluster-${process.pid}`);
const env = { ...process.env, KS_CLUSTER_DIR: dir };
const sh = (cmd) => spawnSync("bash", [path.join(root, "test", "cluster", "cluster.sh"), cmd], { env, encoding: "utf8" });

const started = sh("start");
if (started.status !== 0) {
  console.error(started.stderr);
  process.exit(1);
}
try {
  const kubeconfig = path.join(dir, "kubeconfig");
  const t0 = performance.now();
  const seed = spawnSync(process.execPath, [path.join(root, "test", "cluster", "seed.mjs"), "--kubeconfig", kubeconfig, "--count", String(count)], { encoding: "utf8" });
  if (seed.status !== 0) throw new Error(seed.stderr);
  console.log(`seeded ${count} objects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(await settle());
  const t1 = performance.now();
  const scan = spawnSync(process.execPath, [path.join(root, "bench", "scan-once.mjs"), "--cluster", kubeconfig], { encoding: "utf8", maxBuffer: 64 << 20 });
  const wall = performance.now() - t1;
  if (scan.status !== 0) throw new Error(scan.stderr);
  const r = JSON.parse(scan.stdout.trim().split("\n").pop());
  console.log(`cluster scan of ${r.objects} objects: wall ${(wall / 1000).toFixed(2)} s (target ≤ 15 s), peak RSS ${r.peakRssMB.toFixed(0)} MB (target ≤ 600 MB)`);
  console.log(
    `  LIST ${(r.timings.readParse / 1000).toFixed(2)} s (${r.requests} requests) · evaluate ${(r.timings.evaluate / 1000).toFixed(2)} s · score ${(r.timings.score / 1000).toFixed(2)} s · report ${(r.timings.report / 1000).toFixed(2)} s`,
  );
} finally {
  sh("stop");
}
