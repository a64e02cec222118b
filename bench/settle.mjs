// The benches that seed the test cluster run it on the machine they measure: after 20,000
// creates its API server and etcd go on working for a while (compaction, caches). A measured
// run starts once the machine is quiet, as it would be with the API server elsewhere, and
// says how long that took.
import fs from "node:fs";

const cpu = () => {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
};

/** Wait until `windows` one-second windows in a row are at least `idle` idle (at most maxSeconds); a line saying so. */
export async function settle({ idle = 0.85, windows = 2, maxSeconds = 60 } = {}) {
  if (!fs.existsSync("/proc/stat")) return "machine load not measured (no /proc/stat)";
  const t0 = Date.now();
  let quiet = 0;
  let last = 0;
  while (quiet < windows && Date.now() - t0 < maxSeconds * 1000) {
    const a = cpu();
    await new Promise((r) => setTimeout(r, 1000));
    const b = cpu();
    last = (b.idle - a.idle) / Math.max(1, b.total - a.total);
    quiet = last >= idle ? quiet + 1 : 0;
  }
  const waited = ((Date.now() - t0) / 1000).toFixed(0);
  return quiet >= windows ? `machine quiet after ${waited} s (${Math.round(last * 100)} % idle)` : `machine still busy after ${waited} s (${Math.round(last * 100)} % idle): measured anyway`;
}
