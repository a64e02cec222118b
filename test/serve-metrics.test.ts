// `kubescape serve-metrics` as a user runs it: a real server on a free loopback port, real
// HTTP requests, the body read back by a Prometheus text-format parser, signals, exit codes.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import parsePrometheus from "parse-prometheus-text-format";
import { repoRoot, runCli } from "./support/cli.js";
// @ts-expect-error plain JS generator shared with the benchmarks
import { generate } from "../bench/generate.mjs";

interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

interface Server {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start serve-metrics and wait (at most 30 s) for the line that names its URL. */
async function serve(args: string[]): Promise<Server> {
  const proc = spawn(process.execPath, [path.join(repoRoot, "bin", "run.js"), "serve-metrics", ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } });
  started.push(proc);
  let err = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /^serving metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(err);
    if (m) return { proc, url: m[1], stderr: () => err, exit };
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`serve-metrics did not start: ${err}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET /metrics until it answers 200 (the first scan done), at most 30 s. */
async function metrics(url: string): Promise<{ res: Response; families: Map<string, Family> }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(url);
    if (res.status === 200) {
      const families = new Map((parsePrometheus(await res.text()) as Family[]).map((f) => [f.name, f]));
      return { res, families };
    }
    expect(res.status).toBe(503);
    await res.text();
    if (Date.now() > deadline) throw new Error("no scan result within 30 s");
    await sleep(100);
  }
}

const one = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) => {
  const hits = families.get(name)?.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) ?? [];
  expect(hits, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return Number(hits[0].value);
};

/** Poll /metrics until `ok` holds, at most `ms`. */
async function until(url: string, ok: (f: Map<string, Family>) => boolean, ms = 30_000): Promise<Map<string, Family>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { families } = await metrics(url);
    if (ok(families)) return families;
    if (Date.now() > deadline) throw new Error("condition not reached");
    await sleep(200);
  }
}

describe("serve-metrics", () => {
  it("serves the scan on /metrics, answers /healthz, 404 elsewhere, and exits 0 on SIGTERM", async () => {
    const s = await serve(["examples/", "--port", "0"]);
    const { res, families } = await metrics(s.url);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const report = JSON.parse(runCli(["scan", "examples/", "--format", "json"]).stdout);
    expect(one(families, "kubescape_compliance_score")).toBe(report.summary.complianceScore);
    expect(one(families, "kubescape_controls_failed_count")).toBe(report.summary.controls.failed);
    expect(one(families, "kubescape_controls_failed_by_severity_count", { severity: "high" })).toBe(report.summary.failedBySeverity.High);
    expect(one(families, "kubescape_control_status", { control_id: "C-0041" })).toBe(1);
    for (const f of families.values()) expect(f.name).toMatch(/^kubescape_[a-z_]+$/);
    expect(families.get("kubescape_scan_errors_total")!.type).toBe("COUNTER");
    expect(one(families, "kubescape_scan_errors_total")).toBe(0);
    expect(one(families, "kubescape_last_scan_success")).toBe(1);
    expect(Math.abs(one(families, "kubescape_last_scan_timestamp_seconds") - Date.now() / 1000)).toBeLessThan(120);

    const base = s.url.replace(/\/metrics$/, "");
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    const nope = await fetch(`${base}/nope`);
    expect(nope.status).toBe(404);
    await nope.text();
    const post = await fetch(s.url, { method: "POST" });
    expect(post.status).toBe(405);
    await post.text();

    // a second server on the same port: one clear line, exit 2
    const port = new URL(s.url).port;
    const second = runCli(["serve-metrics", "examples/", "--port", port]);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(`error: port ${port} on 127.0.0.1 is already in use (choose another with --port)\n`);

    s.proc.kill("SIGTERM");
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.stderr().trim().split("\n")).toEqual([`serving metrics on ${s.url}`]);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it("re-scans every --interval seconds and keeps serving the last good result when a scan fails", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-serve-"));
    const manifests = path.join(dir, "k8s");
    fs.mkdirSync(manifests);
    const deploy = (hostNetwork: boolean) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      hostNetwork: ${hostNetwork}\n      containers:\n        - name: c\n          image: nginx:1.27\n`;
    fs.writeFileSync(path.join(manifests, "web.yaml"), deploy(false));
    const s = await serve([manifests, "--port", "0", "--interval", "1", "--control", "C-0041,C-0044"]);
    const first = await metrics(s.url);
    expect(one(first.families, "kubescape_control_status", { control_id: "C-0041" })).toBe(0);
    expect(one(first.families, "kubescape_controls_count")).toBe(2);

    // the manifest changes: the next scan sees it
    fs.writeFileSync(path.join(manifests, "web.yaml"), deploy(true));
    const changed = await until(s.url, (f) => one(f, "kubescape_control_status", { control_id: "C-0041" }) === 1);
    expect(one(changed, "kubescape_controls_total_namespace_high", { namespace: "shop" })).toBeGreaterThanOrEqual(1);
    expect(one(changed, "kubescape_scan_errors_total")).toBe(0);

    // the path disappears: scans fail, are counted, and the last good result stays
    fs.rmSync(manifests, { recursive: true });
    const failing = await until(s.url, (f) => one(f, "kubescape_scan_errors_total") >= 1);
    expect(one(failing, "kubescape_last_scan_success")).toBe(0);
    expect(one(failing, "kubescape_control_status", { control_id: "C-0041" })).toBe(1);
    expect(s.stderr()).toMatch(/warning: scan failed, still serving the last good result: .*no such file or directory/);

    s.proc.kill("SIGINT");
    expect(await s.exit).toEqual({ code: 0, signal: null });
  });

  it("answers /healthz within 1 s while it re-scans", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-serve-busy-"));
    await generate(dir, 3000);
    // a huge object too: its rules run as many small tasks, never one long block
    const containers = Array.from({ length: 2000 }, (_, i) => ({ name: `c${i}`, image: "nginx", securityContext: { privileged: true } }));
    fs.writeFileSync(path.join(dir, "huge.json"), JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "huge" }, spec: { containers } }));
    const s = await serve([dir, "--port", "0", "--interval", "1"]);
    await metrics(s.url);
    const healthz = s.url.replace("/metrics", "/healthz");
    let worst = 0;
    const until = Date.now() + 8000; // several re-scans
    while (Date.now() < until) {
      const t0 = performance.now();
      const res = await fetch(healthz, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      await res.text();
      worst = Math.max(worst, performance.now() - t0);
      await sleep(50);
    }
    expect(worst).toBeLessThan(1000);
    s.proc.kill("SIGTERM");
    expect(await s.exit).toEqual({ code: 0, signal: null });
  });

  it("ignores SIGUSR1 (no inspector opens) and stops cleanly on SIGHUP", async () => {
    const s = await serve(["examples/", "--port", "0"]);
    await metrics(s.url);
    s.proc.kill("SIGUSR1");
    await sleep(300);
    // Node's inspector would listen on 127.0.0.1:9229 and say so on stderr
    const inspector = await new Promise<boolean>((resolve) => {
      const sock = net.connect(9229, "127.0.0.1", () => (sock.destroy(), resolve(true)));
      sock.on("error", () => resolve(false));
    });
    expect(inspector).toBe(false);
    expect(s.stderr()).not.toMatch(/Debugger listening/);
    expect((await fetch(s.url.replace("/metrics", "/healthz"))).status).toBe(200);
    const t0 = Date.now();
    s.proc.kill("SIGHUP");
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("stops with one error line and exit 2 when the paths cannot be scanned", async () => {
    const s = await serve(["does-not-exist/", "--port", "0"]);
    expect(await s.exit).toEqual({ code: 2, signal: null });
    expect(s.stderr().trim().split("\n").at(-1)).toBe("error: does-not-exist/: no such file or directory");
  });
});
