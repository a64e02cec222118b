// The CI recipes in the README, run as written: their commands come from the README's
// YAML, `kubescape` on PATH is the built CLI, and k8s/ is a copy of examples/risky.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { repoRoot } from "./support/cli.js";

function recipe(name: string): any {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const m = new RegExp(`<!-- recipe: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`README has no "${name}" recipe`);
  return YAML.parse(m[1]);
}

const isInstall = (cmd: string) => /^npm install --global kubescape-ts$/.test(cmd.trim());

function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-recipe-"));
  fs.cpSync(path.join(repoRoot, "examples", "risky"), path.join(dir, "k8s"), { recursive: true });
  const bin = path.join(dir, ".bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "kubescape"), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, "bin", "run.js")}" "$@"\n`, { mode: 0o755 });
  return { dir, env: { ...process.env, NO_COLOR: "1", PATH: `${bin}:${process.env.PATH}` } };
}

// the commands are the README's own, run the way a CI runner runs them: by a shell
const sh = (cmd: string, dir: string, env: NodeJS.ProcessEnv) => spawnSync("bash", ["-eo", "pipefail", "-c", cmd], { cwd: dir, env, encoding: "utf8" });

describe("CI recipes in the README", () => {
  it("GitHub Actions: the gate fails the job on High findings, the summary and SARIF upload still get their files", () => {
    const steps = recipe("github").jobs.scan.steps as { run?: string; uses?: string; if?: string; with?: Record<string, string> }[];
    const { dir, env } = workspace();
    env.GITHUB_STEP_SUMMARY = path.join(dir, "summary.md");
    let failed = false;
    const ran: [string, number | null][] = [];
    for (const step of steps) {
      if (failed && step.if !== "always()") continue;
      if (step.run && !isInstall(step.run)) {
        const r = sh(step.run, dir, env);
        ran.push([step.run, r.status]);
        if (r.status !== 0) failed = true;
      } else if (step.uses?.startsWith("github/codeql-action/upload-sarif")) {
        const sarif = JSON.parse(fs.readFileSync(path.join(dir, step.with!.sarif_file), "utf8"));
        expect(sarif.version).toBe("2.1.0");
        expect(sarif.runs[0].results.length).toBeGreaterThan(0);
        expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^k8s\//);
      }
    }
    expect(ran.map(([cmd, code]) => [cmd.split(" ")[0], code])).toEqual([
      ["kubescape", 1],
      ["cat", 0],
    ]);
    expect(fs.readFileSync(env.GITHUB_STEP_SUMMARY, "utf8")).toMatch(/C-0041/);
    expect(fs.existsSync(path.join(dir, "results", "kubescape.json"))).toBe(true);
  });

  it("GitLab CI: the first run records a baseline and passes; a new High finding on a branch fails it", () => {
    const job = recipe("gitlab").kubescape;
    const script = (job.script as string[]).filter((c) => !isInstall(c));
    const { dir, env } = workspace();
    const run = (branch: string) => {
      for (const cmd of script) {
        const r = sh(cmd, dir, { ...env, CI_COMMIT_BRANCH: branch, CI_DEFAULT_BRANCH: "main" });
        if (r.status !== 0) return { code: r.status, stderr: r.stderr };
      }
      return { code: 0, stderr: "" };
    };
    const reports = () => Object.values(job.artifacts.reports as Record<string, string>).map((f) => fs.existsSync(path.join(dir, f)));

    expect(run("main").code).toBe(0);
    expect(fs.existsSync(path.join(dir, job.cache.paths[0], "main.json"))).toBe(true);
    expect(reports()).toEqual([true, true]);
    expect(run("feature").code).toBe(0); // nothing new on the branch

    const pod = path.join(dir, "k8s", "debug-pod.yaml");
    fs.writeFileSync(pod, fs.readFileSync(pod, "utf8").replace(/^spec:$/m, "spec:\n  hostIPC: true"));
    const r = run("feature");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^FAIL: 1 control with new findings at or above High .*: C-0038$/);
    expect(reports()).toEqual([true, true]);
    const sast = JSON.parse(fs.readFileSync(path.join(dir, job.artifacts.reports.sast), "utf8"));
    expect(sast.vulnerabilities.some((v: { identifiers: { value: string }[] }) => v.identifiers.some((i) => i.value === "C-0038"))).toBe(true);
  });
});
