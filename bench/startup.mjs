// Start-up time of the CLI: `version` and a scan of one small file, each run N times per
// entry (fresh process each time, wall clock, runs interleaved across entries so machine
// load hits them alike), with the median and min against the targets.
//
// Entries: node bin/run.js (dist/: npm run build), node dist-bin/kubescape.cjs (npm run
// bundle) and the single executable dist-bin/<os>-<arch>/kubectl-kubescape (npm run dist);
// those not built are left out.
//
// Usage: node bench/startup.mjs [--runs 15] [--json]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "15" }, json: { type: "boolean" } } });
const runs = Math.max(1, Number(values.runs));

const TARGETS = { version: 150, scan: 400 };
const smallFile = path.join(root, "examples", "risky", "debug-pod.yaml");
const commands = { version: ["version"], scan: ["scan", smallFile, "--format", "json"] };

const exe = path.join(root, "dist-bin", `${process.platform}-${process.arch}`, "kubectl-kubescape");
const entries = [
  { name: "node bin/run.js", cmd: [process.execPath, path.join(root, "bin", "run.js")] },
  { name: "node dist-bin/kubescape.cjs", cmd: [process.execPath, path.join(root, "dist-bin", "kubescape.cjs")], file: path.join(root, "dist-bin", "kubescape.cjs") },
  { name: "executable", cmd: [exe], file: exe },
].filter((e) => !e.file || fs.existsSync(e.file));

function once(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], [...cmd.slice(1), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} ${args.join(" ")} exited ${r.status}: ${String(r.stderr).trim().slice(-500)}`);
  return ms;
}

const times = Object.fromEntries(entries.map((e) => [e.name, { version: [], scan: [] }]));
// one untimed run each: page cache, not start-up, is what a first run measures
for (const e of entries) for (const args of Object.values(commands)) once(e.cmd, args);
for (let i = 0; i < runs; i++) {
  for (const [cmd, args] of Object.entries(commands)) for (const e of entries) times[e.name][cmd].push(once(e.cmd, args));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = entries.map((e) => ({
  entry: e.name,
  ...Object.fromEntries(Object.keys(commands).map((c) => [c, { medianMs: Math.round(median(times[e.name][c])), minMs: Math.round(Math.min(...times[e.name][c])), targetMs: TARGETS[c] }])),
  bytes: e.file ? fs.statSync(e.file).size : undefined,
}));

if (values.json) {
  process.stdout.write(JSON.stringify({ runs, loadAverage: os.loadavg()[0], node: process.version, results }, null, 2) + "\n");
} else {
  console.log(`start-up, ${runs} runs each (load average ${os.loadavg()[0].toFixed(2)}, ${os.availableParallelism()} cores, node ${process.version})`);
  console.log(`${"entry".padEnd(30)} ${"version median/min".padEnd(26)} ${"scan 1 file median/min".padEnd(26)} size`);
  for (const r of results) {
    const cell = (c) => `${r[c].medianMs} / ${r[c].minMs} ms ${r[c].medianMs <= r[c].targetMs ? "ok" : "OVER"} (≤${r[c].targetMs})`.padEnd(26);
    console.log(`${r.entry.padEnd(30)} ${cell("version")} ${cell("scan")} ${r.bytes ? `${(r.bytes / 1048576).toFixed(1)} MiB` : ""}`);
  }
}
