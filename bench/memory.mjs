// Memory bound of large file scans: N one-container Pods in one file (114 bytes a Pod, as in
// issue 17: 40,000 Pods are 4.6 MB, 100,000 are 11.4 MB), scanned by the CLI in a fresh process
// with each format asked for; peak RSS (GNU time) and wall clock against the 1 GB target.
// Needs /usr/bin/time (Debian: time). Heavy: a 100,000-Pod scan takes minutes on 2 cores.
//
// Usage: node bench/memory.mjs [--pods 40000,100000] [--formats json,junit | streamed] [--json]
//        node bench/memory.mjs --quick      (10,000 Pods, json: about a minute, for CI)
// --formats streamed: every format written in pieces (Reporter.chunks), the ones the bound is for.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { pods: { type: "string", default: "40000,100000" }, formats: { type: "string", default: "json" }, quick: { type: "boolean" }, json: { type: "boolean" } },
});
const TARGET_MB = 1024;
const counts = (values.quick ? "10000" : values.pods).split(",").map(Number);
const asked = (values.quick ? "json" : values.formats).split(",");
const formats = asked.includes("streamed") ? await streamedFormats() : asked;

/** The formats whose reporter writes in pieces (from the build in dist/). */
async function streamedFormats() {
  const { FORMATS, loadReporter } = await import(path.join(root, "dist", "report", "index.js"));
  const out = [];
  for (const f of FORMATS) if ((await loadReporter(f)).chunks) out.push(f);
  return out;
}

function podsFile(dir, n) {
  const file = path.join(dir, `pods-${n}.yaml`);
  const fd = fs.openSync(file, "w");
  for (let i = 0; i < n; i++) {
    fs.writeSync(fd, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${String(i).padStart(6, "0")}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n---\n`);
  }
  fs.closeSync(fd);
  return file;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-memory-"));
const rows = [];
let over = 0;
try {
  for (const n of counts) {
    const file = podsFile(dir, n);
    for (const format of formats) {
      const out = path.join(dir, `report.${format}`);
      const t0 = performance.now();
      const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, path.join(root, "bin", "run.js"), "scan", file, "--format", format, "--output", out], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      });
      const wallS = (performance.now() - t0) / 1000;
      const lines = r.stderr.trim().split("\n");
      const peakMB = Number(lines.at(-1)) / 1024;
      const bytes = fs.existsSync(out) ? fs.statSync(out).size : 0;
      fs.rmSync(out, { force: true });
      // exit 0 or 1 (findings) is a finished scan; anything else is a failure to report
      const ok = (r.status === 0 || r.status === 1) && bytes > 0;
      if (!ok || peakMB > TARGET_MB) over++;
      rows.push({
        pods: n,
        mb: +(fs.statSync(file).size / 1e6).toFixed(1),
        format,
        exit: r.status,
        peakMB: Math.round(peakMB),
        wallS: +wallS.toFixed(1),
        reportMB: +(bytes / 1e6).toFixed(1),
        // the machine may be shared: the load while it ran says how rough the wall clock is
        load1: +os.loadavg()[0].toFixed(1),
        ...(ok ? {} : { error: lines.slice(0, -1).join(" | ").slice(0, 300) }),
      });
      const last = rows.at(-1);
      if (!values.json)
        console.log(
          `${String(n).padStart(7)} Pods (${last.mb} MB) ${format.padEnd(12)} exit ${last.exit}  peak ${String(last.peakMB).padStart(5)} MB (target ≤ ${TARGET_MB})  ${last.wallS} s  report ${last.reportMB} MB  load ${last.load1}${last.error ? `  ${last.error}` : ""}`,
        );
    }
    fs.rmSync(file, { force: true });
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
if (values.json) console.log(JSON.stringify({ targetMB: TARGET_MB, loadavg: os.loadavg(), rows }));
else
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} (${os.availableParallelism()} cores)`,
  );
process.exitCode = over ? 1 : 0;
