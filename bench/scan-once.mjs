// One measured scan in a fresh process (so peak RSS is this scan's own). Prints one JSON line.
import v8 from "node:v8";
import { Scanner, fileSource, clusterSource } from "../dist/core/index.js";
import { loadReporter } from "../dist/report/index.js";

// scan-once.mjs <dir> [chunk]   or   scan-once.mjs --cluster <kubeconfig>
const [dir, chunk] = process.argv.slice(2);
const t0 = performance.now();
const timings = {};
// as the CLI does for a scan (src/cli/scan-command.ts smallYoungGeneration)
v8.setFlagsFromString("--max-semi-space-size=2");
const cluster = dir === "--cluster";
const scanner = await Scanner.create({ chunkSize: !cluster && chunk ? Number(chunk) : undefined });
const source = cluster ? clusterSource({ kubeconfig: chunk }) : fileSource([dir]);
const report = await scanner.scan({ source }, { timings });
await scanner.close();
const t1 = performance.now();
// the json report: the largest format, the one CI pipelines read; in pieces, as the CLI
// writes it to its output (the whole string would be this process's largest object)
let bytes = 0;
for (const piece of (await loadReporter("json")).chunks(report, { color: false })) bytes += Buffer.byteLength(piece);
timings.report = performance.now() - t1;
process.stdout.write(
  JSON.stringify({
    scanMs: performance.now() - t0,
    timings,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    objects: report.summary.resources.total,
    failedResources: report.summary.resources.failed,
    controls: report.summary.controls.total,
    bytes,
    requests: report.target.cluster?.requests,
  }) + "\n",
);
