// Hostile input never crashes the scan: each bad input is one line naming the file and the
// reason, listed in the report's skippedFiles, and everything else is scanned.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { runCli, repoRoot } from "./support/cli.js";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-hostile-"));
  fs.cpSync(path.join(repoRoot, "test", "fixtures", "hostile"), dir, { recursive: true });
  // 50 MB of YAML-looking text
  const line = "key: " + "x".repeat(1019) + "\n";
  fs.writeFileSync(path.join(dir, "huge.yaml"), line.repeat(50 * 1024));
  fs.mkdirSync(path.join(dir, "loop"));
  fs.symlinkSync("..", path.join(dir, "loop", "back"));
  fs.symlinkSync(path.join(dir, "does-not-exist.yaml"), path.join(dir, "dangling.yaml"));
  spawnFifo(path.join(dir, "fifo.yaml"));
  // a .json link to a credentials file: its content must not reach stderr or the report
  fs.writeFileSync(path.join(dir, "credentials"), "ghp_SuperSecretToken0123456789abcdef\n");
  fs.symlinkSync("credentials", path.join(dir, "leak.json"));
  // a directory link out of the scanned tree (a container image's rootfs) is not walked
  fs.symlinkSync("/", path.join(dir, "rootfs"));
  if (process.getuid?.() !== 0) {
    fs.writeFileSync(path.join(dir, "secret-perms.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
    fs.chmodSync(path.join(dir, "secret-perms.yaml"), 0o000);
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function spawnFifo(p: string) {
  spawnSync("mkfifo", [p]);
}

describe("hostile inputs", () => {
  it("reports each bad input on one line, scans the good objects, exits 2", () => {
    const r = runCli(["scan", dir, "--format", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const report = JSON.parse(r.stdout);
    const by = (name: string) => report.skippedFiles.filter((s: { file: string }) => path.basename(s.file) === name).map((s: { reason: string }) => s.reason);
    expect(by("malformed.yaml")[0]).toMatch(/invalid YAML/);
    expect(by("alias-bomb.yaml")[0]).toMatch(/alias/);
    expect(by("binary.yaml")[0]).toMatch(/binary/);
    expect(by("huge.yaml")[0]).toMatch(/too large/);
    // not Kubernetes objects: ignored with the reason, not errors
    const ignored = (name: string) => report.ignored.filter((s: { file: string }) => path.basename(s.file) === name).map((s: { reason: string }) => s.reason);
    expect(by("scalar.yaml")).toEqual([]);
    expect(ignored("scalar.yaml")).toEqual(["document 1 is a string, not a Kubernetes object"]);
    expect(by("list-doc.yaml")[0]).toMatch(/is a list/);
    expect(by("invalid.json")[0]).toMatch(/invalid JSON/);
    expect(by("dangling.yaml")[0]).toMatch(/no such file/);
    expect(by("fifo.yaml")[0]).toMatch(/not a regular file/);
    expect(by("back")[0]).toMatch(/loop/);
    expect(by("leak.json")).toEqual([]);
    expect(ignored("leak.json")).toEqual(["not a Kubernetes object (invalid JSON at line 1 column 1)"]);
    expect(r.stderr + r.stdout).not.toContain("ghp_");
    expect(by("rootfs")).toEqual(["symbolic link out of the scanned tree (use --follow-symlinks)"]);
    expect(by("wrong-types.yaml")).toEqual(["Deployment/typo-containers: spec.template.spec.containers must be a list, got string", "Pod/bad-labels: metadata.labels must be a map, got number"]);
    // the 2 objects of good.yaml are the only resources; the values file is ignored, not an error
    expect(report.summary.resources.total).toBe(2);
    expect(report.summary.ignoredDocuments).toBe(3); // the values file, scalar.yaml, leak.json
    expect(report.resources.map((x: { name: string }) => x.name)).toContain("good-one");
    // every skipped input is also one stderr line "file[:line]: reason"
    for (const s of report.skippedFiles) {
      expect(r.stderr).toContain(`${s.file}${s.line ? ":" + s.line : ""}: ${s.reason}\n`);
    }
    expect(r.stderr).toMatch(/could not be scanned/);
  });

  it("a malformed line number points at the error", () => {
    const r = runCli(["scan", path.join(dir, "malformed.yaml"), "--format", "json"]);
    const report = JSON.parse(r.stdout);
    expect(report.skippedFiles[0].line).toBe(5);
    expect(r.code).toBe(2);
  });
});
