// npm run bench:operator [-- --count 20000 --changes 100 --idle 10 --storage serve|crd --kubeconfig PATH]
// Starts the real test cluster, seeds N objects (test/cluster/seed.mjs), runs the operator as a
// child process and measures, next to the targets:
//   - time from start to the first complete set of results (the start-up full scan written): ≤ 15 s
//   - steady RSS of the operator after it (after --idle seconds): ≤ 400 MB
//   - p95 from a changed Deployment (kubectl patch returned) to its updated result: ≤ 2 s, over --changes changes
//   - then the operator is killed (SIGKILL) and started again: time until its start-up full scan
//     has converged with what is stored (nothing rewritten that did not change)
// --storage serve (the default; the chart with storage.serve=true): the operator serves the storage API from
// its own store, registered with an APIService (here through an ExternalName Service to
// localhost, as the test cluster has no pod network); crd: results written through the API
// server as custom resources. Figures only, no assertion. --kubeconfig PATH uses a running, seeded cluster instead (not
// started, seeded or stopped here: for iterating).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { settle } from "./settle.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const count = opt("--count", 20000);
const changes = opt("--changes", 100);
const idle = opt("--idle", 10);
const storageMode = args.includes("--storage") ? args[args.indexOf("--storage") + 1] : "serve";
if (!["serve", "crd"].includes(storageMode)) throw new Error(`--storage ${storageMode}: expected serve or crd`);
const storageDir = path.join(os.tmpdir(), `ks-bench-operator-store-${process.pid}`);
let storagePort = 0;
const given = args.includes("--kubeconfig") ? args[args.indexOf("--kubeconfig") + 1] : undefined;
const dir = path.join(os.tmpdir(), `ks-bench-operator-${process.pid}`);
const env = { ...process.env, KS_CLUSTER_DIR: dir };
const sh = (cmd) => spawnSync("bash", [path.join(root, "test", "cluster", "cluster.sh"), cmd], { env, encoding: "utf8" });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

if (!given && sh("start").status !== 0) process.exit(1);
let op;
const startOperator = async () => {
  const t = performance.now();
  const serve = storageMode === "serve" ? ["--serve-storage", "--storage-dir", storageDir, "--storage-port", String(storagePort), "--host", "127.0.0.1"] : [];
  const proc = spawn(process.execPath, [path.join(root, "bin", "run.js"), "operator", "run", "--kubeconfig", kubeconfig, "--port", "0", "--no-leader-elect", ...serve], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  let peak = 0;
  while (!/full scan: /.test(log)) {
    if (proc.exitCode !== null) throw new Error(`operator exited: ${log}`);
    peak = Math.max(peak, rssMB(proc.pid));
    await sleep(200);
  }
  return { proc, seconds: (performance.now() - t) / 1000, line: /full scan: (.*)/.exec(log)[1], peak, log: () => log };
};
const kubeconfig = given ?? path.join(dir, "kubeconfig");
try {
  const kubectl = (a, input) => spawnSync("kubectl", ["--kubeconfig", kubeconfig, ...a], { encoding: "utf8", input, maxBuffer: 256 << 20 });
  if (!given) {
    const t = performance.now();
    const seed = spawnSync(process.execPath, [path.join(root, "test", "cluster", "seed.mjs"), "--kubeconfig", kubeconfig, "--count", String(count)], { encoding: "utf8" });
    if (seed.status !== 0) throw new Error(seed.stderr);
    console.log(`seeded ${count} objects in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    kubectl(["create", "namespace", "kubescape"]);
  }
  if (storageMode === "serve") {
    storagePort = await new Promise((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubescape-ts-storage", namespace: "kubescape" },
      spec: { type: "ExternalName", externalName: "localhost", ports: [{ port: storagePort }] },
    };
    const apisvc = {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.spdx.softwarecomposition.kubescape.io" },
      spec: {
        group: "spdx.softwarecomposition.kubescape.io",
        version: "v1beta1",
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        insecureSkipTLSVerify: true,
        service: { name: "kubescape-ts-storage", namespace: "kubescape", port: storagePort },
      },
    };
    const r = kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [svc, apisvc] }));
    if (r.status !== 0) throw new Error(r.stderr);
  }
  console.log(`storage: ${storageMode === "serve" ? "served by the operator (APIService)" : "CRDs through the API server"}`);
  console.log(await settle());
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${os.availableParallelism()} cores)`,
  );

  const first = await startOperator();
  op = first.proc;
  // complete as the API server answers it: every result listed through it (names only)
  const { Kube, METADATA_ONLY } = await import(path.join(root, "dist", "operator", "kube.js"));
  const kube = await Kube.connect({ kubeconfig });
  const listed = (await kube.list("/apis/spdx.softwarecomposition.kubescape.io/v1beta1/workloadconfigurationscans", {}, METADATA_ONLY)).items.length;
  console.log(`first complete result set: ${first.seconds.toFixed(1)} s (target ≤ 15 s) — ${first.line}; ${listed} results listed through the API server`);
  await sleep(idle * 1000);
  console.log(`steady RSS ${idle} s after it: ${rssMB(op.pid).toFixed(0)} MB (target ≤ 400 MB); peak during the full scan ${first.peak.toFixed(0)} MB`);

  // changes: flip one Deployment's privileged flag and wait for its result to follow
  const deps = JSON.parse(kubectl(["get", "deployments", "-A", "-o", "json"]).stdout).items.slice(0, changes);
  const { resultName } = await import(path.join(root, "dist", "operator", "storage.js"));
  const latencies = [];
  for (let i = 0; i < changes; i++) {
    const d = deps[i % deps.length];
    // the opposite of what it is now, so every patch is a change
    const c0 = d.spec.template.spec.containers[0];
    const privileged = !(c0.securityContext?.privileged === true);
    // a privileged container may not also forbid privilege escalation (the API server refuses it)
    const escalation = privileged ? { allowPrivilegeEscalation: true } : {};
    c0.securityContext = { ...(c0.securityContext ?? {}), privileged, ...escalation };
    const name = resultName({ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, namespace: d.metadata.namespace });
    const patch = { spec: { template: { spec: { containers: [{ name: d.spec.template.spec.containers[0].name, securityContext: { privileged, ...escalation } }] } } } };
    const p = kubectl(["patch", "deployment", d.metadata.name, "-n", d.metadata.namespace, "--type=strategic", "-p", JSON.stringify(patch)]);
    if (p.status !== 0) throw new Error(p.stderr);
    const t0 = performance.now();
    for (;;) {
      const wcs = await kube.find(`/apis/spdx.softwarecomposition.kubescape.io/v1beta1/namespaces/${d.metadata.namespace}/workloadconfigurationscans/${name}`);
      if (wcs?.spec?.controls?.["C-0057"]?.status?.status === (privileged ? "failed" : "passed")) break;
      if (performance.now() - t0 > 30_000) throw new Error(`no updated result for ${d.metadata.namespace}/${d.metadata.name} after 30 s`);
      await sleep(20);
    }
    latencies.push(performance.now() - t0);
  }
  kube.close();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(`change → updated result over ${changes} changes: p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms (target ≤ 2000 ms), max ${latencies.at(-1).toFixed(0)} ms`);
  console.log(`RSS after the changes: ${rssMB(op.pid).toFixed(0)} MB`);

  // a restart (kill -9) finds its results stored and rewrites only what changed
  op.kill("SIGKILL");
  await new Promise((r) => op.once("exit", r));
  const again = await startOperator();
  op = again.proc;
  console.log(`restart (kill -9) → converged result set: ${again.seconds.toFixed(1)} s — ${again.line}`);
} finally {
  if (op && op.exitCode === null) op.kill("SIGKILL");
  if (!given) sh("stop");
  fs.rmSync(storageDir, { recursive: true, force: true });
}
