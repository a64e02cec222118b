// --baseline and `kubescape diff`, through the CLI on a copy of examples/risky that is
// edited between two scans: lines shifted, documents reordered, one new failure added.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { repoRoot, runCli } from "./support/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-baseline-"));
const before = path.join(dir, "before.json");
const after = path.join(dir, "after.json");
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
let ipcLine = 0; // where hostIPC sits in the edited debug pod
const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, "schemas", "report.schema.json"), "utf8")));

beforeAll(() => {
  fs.cpSync(path.join(repoRoot, "examples", "risky"), path.join(dir, "k8s"), { recursive: true });
  expect(runCli(["scan", "k8s", "-o", before], { cwd: dir }).code).toBe(0);
  // shift every line of one file, and add a High finding (hostIPC) to the debug pod
  const pod = path.join(dir, "k8s", "debug-pod.yaml");
  const text = fs.readFileSync(pod, "utf8");
  expect(text).toMatch(/^spec:$/m);
  const edited = "# moved down\n\n\n" + text.replace(/^spec:$/m, "spec:\n  hostIPC: true");
  fs.writeFileSync(pod, edited);
  ipcLine = edited.split("\n").indexOf("  hostIPC: true") + 1;
  // reorder: the log agent's documents move into a file of another name
  fs.renameSync(path.join(dir, "k8s", "log-agent.yaml"), path.join(dir, "k8s", "a-log-agent.yaml"));
});

describe("--baseline", () => {
  it("marks findings new or existing, the gate counts only new ones, and the last line says why", () => {
    const r = runCli(["scan", "k8s", "--baseline", before, "--severity-threshold", "high", "-o", after], { cwd: dir });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines.at(-1)).toBe("FAIL: 1 control with new findings at or above High (--severity-threshold high): C-0038");
    const report = JSON.parse(fs.readFileSync(after, "utf8"));
    expect(validate(report), ajv.errorsText(validate.errors)).toBe(true);
    expect(report.baseline).toEqual({ file: before, new: 2, existing: expect.any(Number), fixed: 0 });
    const pod = report.resources.find((x: { name: string }) => x.name === "debug-shell");
    const fresh = pod.findings.filter((f: { baseline?: string }) => f.baseline === "new").map((f: { controlID: string }) => f.controlID);
    expect(fresh.sort()).toEqual(["C-0038", "C-0276"]);
    const all = report.resources.flatMap((x: { findings: { status: string; baseline?: string }[] }) => x.findings.filter((f) => f.status === "failed"));
    expect(all.every((f: { baseline?: string }) => f.baseline === "new" || f.baseline === "existing")).toBe(true);
    expect(all.filter((f: { baseline?: string }) => f.baseline === "existing").length).toBe(all.length - 2);
  });

  it("the pretty report marks new findings and those already in the baseline", () => {
    const r = runCli(["scan", "k8s", "--baseline", before], { cwd: dir });
    expect(r.stdout).toMatch(/^ {2}High {5}C-0038 Host PID\/IPC privileges new$/m);
    expect(r.stdout).toMatch(/^ {2}High {5}C-0041 HostNetwork access \(in baseline\)$/m);
  });

  it("passes when nothing new reaches the threshold, and says so", () => {
    const r = runCli(["scan", "k8s", "--baseline", before, "--severity-threshold", "critical", "-f", "json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n").at(-1)).toBe("PASS: no control with new findings at or above Critical");
  });

  it("a baseline that is not a json report is one line and exit 2", () => {
    fs.writeFileSync(path.join(dir, "bad.json"), '{"hello": 1}');
    const r = runCli(["scan", "k8s", "--baseline", "bad.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: bad.json: not a kubescape json report (expected schemaVersion, controls and resources; see schemas/report.schema.json)");
    const missing = runCli(["scan", "k8s", "--baseline", "nope.json"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("error: nope.json: cannot read (ENOENT)");
  });
});

describe("kubescape diff", () => {
  it("lists new and fixed findings, unaffected by moved lines and files", () => {
    const r = runCli(["diff", before, after, "-f", "json"], { cwd: dir });
    expect(r.code).toBe(1); // new findings
    const d = JSON.parse(r.stdout);
    expect(d.summary).toMatchObject({ new: 2, fixed: 0, unscanned: 0 });
    expect(d.new.map((i: { controlID: string; path: string; line: number; file: string }) => [i.controlID, i.path, i.file, i.line])).toEqual([
      ["C-0038", "spec.hostIPC", "k8s/debug-pod.yaml", ipcLine],
      ["C-0276", "spec.hostIPC", "k8s/debug-pod.yaml", ipcLine],
    ]);
    expect(d.new[0]).toMatchObject({ resourceID: "/v1//Pod/debug-shell", controlName: "Host PID/IPC privileges", severity: "High" });
    expect(d.unchanged.length).toBeGreaterThan(50);
  });

  it("the reverse diff shows them fixed; pretty output groups by control", () => {
    const r = runCli(["diff", after, before], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Fixed (2)\n  C-0038 Host PID/IPC privileges [High]\n    /v1//Pod/debug-shell spec.hostIPC (k8s/debug-pod.yaml:${ipcLine})\n`);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^0 new, 2 fixed, \d+ unchanged failed findings$/);
  });

  it("findings in a file the later scan could not read are not called fixed", () => {
    const first = path.join(dir, "k8s2-before.json");
    const broken = path.join(dir, "broken.json");
    fs.cpSync(path.join(dir, "k8s"), path.join(dir, "k8s2"), { recursive: true });
    expect(runCli(["scan", "k8s2", "-o", first], { cwd: dir }).code).toBe(0);
    fs.writeFileSync(path.join(dir, "k8s2", "debug-pod.yaml"), "spec: [unclosed\n");
    // no longer looks like an object: ignored, not an error, but still not "fixed" in a diff
    expect(runCli(["scan", "k8s2", "-o", broken], { cwd: dir }).code).toBe(0);
    const d = JSON.parse(runCli(["diff", first, broken, "-f", "json"], { cwd: dir }).stdout);
    expect(d.summary.fixed).toBe(0);
    expect(d.summary.unscanned).toBeGreaterThan(0);
    expect(d.unscanned.every((i: { file: string }) => i.file === "k8s2/debug-pod.yaml")).toBe(true);
  });
});
