// Report files are written safely: never through a planted symbolic link, never onto a FIFO
// or device, never over a file the scan read, whatever the file is called, and never
// half-written.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli, repoRoot } from "./support/cli.js";

const POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n";

describe("--output", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-out-"));
    fs.mkdirSync(path.join(dir, "k8s"));
    fs.writeFileSync(path.join(dir, "k8s", "pod.yaml"), POD);
  });

  it("does not follow a symbolic link planted at the output path", () => {
    const victim = path.join(dir, "victim.txt");
    fs.writeFileSync(victim, "precious\n");
    fs.symlinkSync(victim, path.join(dir, "report.json"));
    const r = runCli(["scan", "k8s", "-o", "report.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: report.json is a symbolic link; not writing through it (remove it or choose another --output)\n");
    expect(fs.readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("refuses a FIFO instead of blocking on it", () => {
    const fifo = path.join(dir, "out.json");
    execFileSync("mkfifo", [fifo]);
    const t0 = Date.now();
    const r = runCli(["scan", "k8s", "-o", fifo], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/out\.json is not a regular file \(a FIFO\); not writing to it\n$/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("never overwrites a file the scan read", () => {
    const input = path.join("k8s", "pod.yaml");
    for (const out of [input, path.join(dir, "k8s", "pod.yaml"), "k8s/./pod.yaml"]) {
      const r = runCli(["scan", "k8s", "-f", "json", "-o", out], { cwd: dir });
      expect(r.code, out).toBe(2);
      expect(r.stderr).toMatch(/is one of the files this scan read; not overwriting it/);
    }
    expect(fs.readFileSync(path.join(dir, "k8s", "pod.yaml"), "utf8")).toBe(POD);
    // a report file beside the manifests, not one of them, is fine
    const ok = runCli(["scan", "k8s", "-f", "json", "-o", "k8s/report.txt"], { cwd: dir });
    expect(ok.stderr).toMatch(/report written to k8s\/report.txt/);
  });

  it("accepts any file name, and replaces an existing report whole", () => {
    for (const name of ["report.constructor", "report.__proto__", "报告 (1).json", "-dash.json"]) {
      const r = runCli(["scan", "k8s", "-o", `./${name}`], { cwd: dir });
      expect(r.stderr, name).toMatch(/report written to/);
      expect(fs.statSync(path.join(dir, name)).size).toBeGreaterThan(0);
    }
    fs.writeFileSync(path.join(dir, "r.json"), "x".repeat(10_000_000));
    runCli(["scan", "k8s", "-o", "r.json"], { cwd: dir });
    expect(JSON.parse(fs.readFileSync(path.join(dir, "r.json"), "utf8")).schemaVersion).toMatch(/^1\./);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("does not write a binary format to a terminal", () => {
    const r = execFileSync("script", ["-qec", `${process.execPath} ${path.join(repoRoot, "bin", "run.js")} scan ${path.join(dir, "k8s")} -f pdf; echo "rc=$?"`, "/dev/null"], { encoding: "utf8" });
    expect(r).toMatch(/error: the pdf format is binary: write it to a file with --output/);
    expect(r).toMatch(/rc=2/);
    expect(r).not.toMatch(/%PDF/);
  });
});
