// The CLI as a user runs it: commands, formats, exit codes, errors.
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { runCli, repoRoot } from "./support/cli.js";
import { FORMATS } from "../src/report/index.js";

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "schemas", "report.schema.json"), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ks-cli-"));
const hostNetworkDeploy =
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hn\n  namespace: x\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: c\n          image: nginx:1.27\n";

describe("scan", () => {
  it("writes a json report that matches the documented schema, with positions", () => {
    const r = runCli(["scan", "examples/", "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.summary.filesRead).toBeGreaterThanOrEqual(5);
    const agent = report.resources.find((x: any) => x.name === "log-agent");
    expect(agent.resourceID).toBe("apps/v1/logging/DaemonSet/log-agent");
    expect(agent.source).toMatchObject({ file: "examples/risky/log-agent.yaml", line: 3, column: 1 });
    const hn = agent.findings.find((f: any) => f.controlID === "C-0041");
    expect(hn.paths).toContainEqual({ type: "failed", path: "spec.template.spec.hostNetwork", line: 17, column: 7, exact: true });
  });

  it("pretty report names file:line:col of the failed field, without colour off a terminal", () => {
    const r = runCli(["scan", "examples/risky/log-agent.yaml"]);
    expect(r.stdout).toContain("examples/risky/log-agent.yaml:17:7  spec.template.spec.hostNetwork");
    expect(r.stdout).toMatch(/Compliance score: \d+\.\d\d%/);
    expect(r.stdout).not.toContain("\x1b[");
    const colored = runCli(["scan", "examples/risky/log-agent.yaml", "--color"]);
    expect(colored.stdout).toContain("\x1b[");
  });

  it("reads manifests from stdin with -", () => {
    const r = runCli(["scan", "-", "--format", "json"], { input: hostNetworkDeploy });
    const report = JSON.parse(r.stdout);
    const f = report.resources[0];
    expect(f.source.file).toBe("<stdin>");
    expect(f.findings.find((x: any) => x.controlID === "C-0041").paths[0]).toMatchObject({ line: 9, column: 7 });
  });

  it("infers the format from --output and writes the file", () => {
    const dir = tmp();
    const out = path.join(dir, "sub", "report.json");
    const r = runCli(["scan", "examples/clean", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(validate(JSON.parse(fs.readFileSync(out, "utf8")))).toBe(true);
  });

  it("one scan writes every format at once to <base>.<ext>, all from the same result", () => {
    const dir = tmp();
    const base = path.join(dir, "out", "report");
    const r = runCli(["scan", "examples/", "--format", FORMATS.join(","), "--output", base]);
    expect(r.code).toBe(0);
    const files = fs.readdirSync(path.join(dir, "out")).sort();
    expect(files).toEqual(["gitlab-sast.json", "html", "json", "md", "pdf", "policyreport.yaml", "prom", "csv", "sarif", "txt", "xml", "yaml"].map((e) => `report.${e}`).sort());
    expect(r.stderr.split("\n").filter((l) => l.startsWith("report written to "))).toHaveLength(FORMATS.length);
    const json = JSON.parse(fs.readFileSync(`${base}.json`, "utf8"));
    const sarif = JSON.parse(fs.readFileSync(`${base}.sarif`, "utf8"));
    const failed = json.resources.flatMap((x: any) => x.findings.filter((f: any) => f.status === "failed")).length;
    expect(sarif.runs[0].results.filter((x: any) => !x.suppressions).length).toBe(failed);
    expect(fs.readFileSync(`${base}.prom`, "utf8")).toContain(`kubescape_compliance_score ${json.summary.complianceScore}`);
    expect(fs.readFileSync(`${base}.pdf`).subarray(0, 5).toString()).toBe("%PDF-");
    // several formats need a base name; an unknown one is named
    expect(runCli(["scan", "examples/", "-f", "json,sarif"]).stderr.trim()).toBe("error: several formats (json, sarif) need --output <base>, e.g. --output out/report");
    expect(runCli(["scan", "examples/", "-f", "json,nope", "-o", base]).stderr.trim()).toMatch(/^error: unknown format "nope" \(formats: pretty, json, /);
  });

  it("scan control runs only the named controls", () => {
    const r = runCli(["scan", "control", "C-0041", "examples/", "--format", "json"]);
    const report = JSON.parse(r.stdout);
    expect(report.controls.map((c: any) => c.id)).toEqual(["C-0041"]);
  });

  it("scan framework reports the framework's score and skips what it cannot evaluate", () => {
    const r = runCli(["scan", "framework", "workloadscan", "examples/", "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const fw = report.frameworks.find((f: any) => f.name === "WorkloadScan");
    expect(fw.controls.total).toBe(19);
    expect(report.controls).toHaveLength(19);
    expect(fw.score).toBeGreaterThanOrEqual(0);
  });
});

describe("forgiving commands, and nothing scanned is not a pass", () => {
  it("an empty input with a threshold exits 2 (unless --allow-empty); without one it warns", () => {
    const empty = runCli(["scan", "-", "--severity-threshold", "high"], { input: "" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^warning: nothing was scanned: no Kubernetes objects in the input$/m);
    expect(empty.stderr.trim().split("\n").at(-1)).toBe("error: nothing was scanned, so no threshold can pass (--allow-empty to accept an empty scan)");
    const allowed = runCli(["scan", "-", "--severity-threshold", "high", "--allow-empty"], { input: "" });
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/^PASS: /m);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-empty-"));
    const none = runCli(["scan", dir]);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/warning: nothing was scanned/);
  });

  it("severity names in any case; lists with spaces; the one bad entry is named", () => {
    const high = runCli(["scan", "examples/", "--severity-threshold", "High"]);
    expect(high.code).toBe(1);
    expect(high.stderr).toMatch(/^FAIL: \d+ failed controls at or above High \(--severity-threshold high\)/m);
    const two = runCli(["scan", "framework", "nsa, mitre", "examples/", "--format", "json"]);
    expect(two.code).toBe(0);
    const ids = (out: string) => JSON.parse(out).controls.map((c: { id: string }) => c.id);
    expect(ids(two.stdout)).toEqual(ids(runCli(["scan", "framework", "nsa,mitre", "examples/", "--format", "json"]).stdout));
    expect(ids(two.stdout).length).toBeGreaterThan(ids(runCli(["scan", "framework", "nsa", "examples/", "--format", "json"]).stdout).length);
    const bad = runCli(["scan", "framework", "nsa,bogus", "examples/"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: unknown framework "bogus" in "nsa,bogus" (see: kubescape list frameworks)\n');
    const badControl = runCli(["scan", "control", "C-0057,C-99999", "examples/"]);
    expect(badControl.stderr).toBe('error: unknown control "C-99999" in "C-0057,C-99999" (see: kubescape list controls)\n');
  });
});

describe("exit codes", () => {
  it("2 with one line, at once, for more objects than --max-objects (not out of memory part way)", () => {
    const pods = Array.from({ length: 11 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\n`).join("---\n");
    const r = runCli(["scan", "-", "--max-objects", "10"], { input: pods });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: 11 objects to scan, more than the limit of 10 (--max-objects): scan folders or namespaces apart, or raise the limit\n");
    expect(runCli(["scan", "-", "--max-objects", "11", "-f", "json"], { input: pods }).code).toBe(0);
  });

  it("2 with one line, before evaluating, past the default bound of 250,000 objects", () => {
    const pods = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n`.repeat(250_001);
    const t0 = Date.now();
    const r = runCli(["scan", "-"], { input: pods });
    expect(r.stderr).toBe("error: 250001 objects to scan, more than the limit of 250000 (--max-objects): scan folders or namespaces apart, or raise the limit\n");
    expect(r.code).toBe(2);
    // refused once read: no evaluation of a quarter of a million objects
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, 90_000);

  it("1 when a failed control is at or above --severity-threshold, with a verdict line", () => {
    const r = runCli(["scan", "-", "--severity-threshold", "high"], { input: hostNetworkDeploy });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^FAIL: 7 failed controls at or above High \(--severity-threshold high\): C-0004, C-0009, C-0041, C-0050, C-0211, …$/);
    expect(runCli(["scan", "-", "--severity-threshold", "critical"], { input: hostNetworkDeploy.replace("hostNetwork: true", "hostNetwork: false") }).code).toBe(0);
  });

  it("1 when the compliance score is below --compliance-threshold", () => {
    const r = runCli(["scan", "control", "C-0041", "-", "--compliance-threshold", "100"], { input: hostNetworkDeploy });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/compliance score 0\.00% is below 100%/);
    expect(runCli(["scan", "control", "C-0041", "-", "--compliance-threshold", "0"], { input: hostNetworkDeploy }).code).toBe(0);
  });

  it("2 with one clear line for usage errors, never a stack trace", () => {
    const cases: [string[], RegExp][] = [
      [["scan", "does/not/exist"], /does\/not\/exist: no such file or directory/],
      [["scan", "control", "C-9999", "examples/"], /unknown control "C-9999"/],
      [["scan", "framework", "nope", "examples/"], /unknown framework "nope"/],
      [["scan", "examples/", "--severity-threshold", "bad"], /Expected --severity-threshold=bad to be one of/],
      [["scan", "examples/", "--controls-config", "missing.json"], /missing.json: cannot read controls config/],
      [["explain", "C-12345"], /unknown control/],
      [["scan", "examples/", "-f", "pdf", "-o", "/dev/full"], /^error: \/dev\/full is not a regular file \(a device or socket\); not writing to it\n$/],
      [["scan", "examples/", "-f", "json,csv", "-o", "/proc/nope/report"], /^error: cannot write \/proc\/nope\/report.json \(ENOENT\)\n$/],
      [["scan", "examples/", "--baseline", "examples"], /^error: examples: cannot read \(EISDIR\)\n$/],
      [["diff", "missing-a.json", "missing-b.json"], /^error: missing-a.json: cannot read \(ENOENT\)\n$/],
      [["operator", "run", "--serve-storage", "--tls-cert-file", "missing.pem", "--tls-private-key-file", "package.json"], /^error: --tls-cert-file missing.pem: ENOENT\n$/],
      [
        ["operator", "run", "--serve-storage", "--tls-cert-file", "package.json", "--tls-private-key-file", "package.json"],
        /^error: --tls-cert-file package.json and --tls-private-key-file package.json: not a usable certificate and key \(.+\)\n$/,
      ],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("2 for a controls config of the wrong shape", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify({ postureControlInputs: { insecureCapabilities: "SYS_ADMIN" } }));
    const r = runCli(["scan", "examples/", "--controls-config", path.join(dir, "c.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/insecureCapabilities must be a list/);
  });
});

describe("list and explain", () => {
  it("list controls shows all 281 controls with their status", () => {
    const rows = JSON.parse(runCli(["list", "controls", "--format", "json"]).stdout);
    expect(rows).toHaveLength(281);
    const hn = rows.find((r: any) => r.id === "C-0041");
    expect(hn).toMatchObject({ status: "implemented", severity: "High" });
    const host = rows.find((r: any) => r.id === "C-0092"); // a control that needs node data
    expect(host.status).toBe("skipped");
    expect(host.skipReason).toMatch(/host/);
  });

  it("list frameworks shows the 16 frameworks", () => {
    const rows = JSON.parse(runCli(["list", "frameworks", "--format", "json"]).stdout);
    expect(rows.map((r: any) => r.name)).toContain("NSA");
    expect(rows).toHaveLength(16);
    expect(runCli(["list", "frameworks"]).stdout).toMatch(/WorkloadScan/);
  });

  it("explain prints what, why, how to fix and an example", () => {
    const r = runCli(["explain", "c-0041"]);
    expect(r.code).toBe(0);
    for (const h of ["C-0041 HostNetwork access", "Severity: High", "What it checks", "Why it matters", "How to fix", "Example"]) expect(r.stdout).toContain(h);
  });

  it("version prints the package version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    expect(runCli(["version"]).stdout).toBe(`kubescape-ts v${pkg.version}\n`);
    // bin/run.js answers `version` alone without oclif; the oclif command prints the same
    expect(runCli(["version", "--help"]).stdout).toMatch(/^Print the version\n/);
    const viaOclif = spawnSync(process.execPath, ["-e", `import("./dist/commands/version.js").then((m) => m.default.run([]))`], { cwd: repoRoot, encoding: "utf8" });
    expect(viaOclif.stdout).toBe(`kubescape-ts v${pkg.version}\n`);
  });
});

describe("relevance and located findings on the CLI", () => {
  it("examples/: the API server controls are not applicable (no API server there), C-0211 runs partial", () => {
    const report = JSON.parse(runCli(["scan", "examples/", "--format", "json"]).stdout);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.schemaVersion).toBe("1.2");
    const byId = Object.fromEntries(report.controls.map((c: any) => [c.id, c]));
    expect(byId["C-0113"]).toMatchObject({ status: "not-applicable", resources: { passed: 0, failed: 0, excepted: 0 } });
    expect(byId["C-0113"].score).toBeUndefined();
    const na = report.controls.filter((c: any) => c.status === "not-applicable");
    expect(report.summary.controls.notApplicable).toBe(na.length);
    expect(na.length).toBeGreaterThanOrEqual(50);
    // 14 of its 15 checks run: every workload of examples/ misses some (fsGroup, seccomp, NET_RAW…)
    expect(byId["C-0211"]).toMatchObject({ status: "failed", resources: { passed: 0, failed: 4 }, partial: expect.stringMatching(/^14 of its 15 checks run; set-procmount-default is not run/) });
    // no Grafana, Kyverno, Argo CD or ingress-nginx, no Node, no LoadBalancer: those CVE and TLS controls are about nothing here
    for (const id of ["C-0090", "C-0091", "C-0081", "C-0059", "C-0058", "C-0231", "C-0245"]) expect(byId[id], id).toMatchObject({ status: "not-applicable" });
    const pretty = runCli(["scan", "examples/", "--format", "pretty"]).stdout;
    expect(pretty).toContain(`${na.length} not applicable`);
    expect(pretty).not.toMatch(/C-0113 Ensure that the API Server/);
  });

  it("an RBAC finding's paths into the Role and binding are placed in their files, in json, sarif and junit", () => {
    const dir = "test/fixtures/rbac";
    const report = JSON.parse(runCli(["scan", dir, "--format", "json"]).stdout);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const sa = report.resources.find((r: any) => r.kind === "ServiceAccount");
    expect(sa.source).toEqual({ file: `${dir}/sa.yaml`, line: 1, column: 1 });
    const f = sa.findings.find((x: any) => x.controlID === "C-0015");
    expect(f.paths).toContainEqual({
      type: "failed",
      path: "relatedObjects[1].rules[1].verbs[0]",
      object: "rbac.authorization.k8s.io/v1/shop/Role/secret-reader",
      file: `${dir}/role.yaml`,
      line: 13,
      column: 13,
      exact: true,
    });
    expect(f.relatedSources["rbac.authorization.k8s.io/v1/shop/RoleBinding/read-secrets"]).toEqual({ file: `${dir}/binding.yaml`, line: 1, column: 1 });
    for (const id of ["C-0053", "C-0186"]) expect(sa.findings.some((x: any) => x.controlID === id)).toBe(true);
    // the RBAC controls count the bound subject (the ServiceAccount), not the Role and binding
    const ctl = Object.fromEntries(report.controls.map((c: any) => [c.id, c]));
    expect(ctl["C-0015"].resources).toEqual({ passed: 0, failed: 1, excepted: 0 });
    expect(ctl["C-0002"]).toMatchObject({ status: "passed", resources: { passed: 1, failed: 0 } });

    const sarif = JSON.parse(runCli(["scan", dir, "--format", "sarif"]).stdout);
    const res = sarif.runs[0].results.find((x: any) => x.ruleId === "C-0015");
    expect(res.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: `${dir}/role.yaml` }, region: { startLine: 13, startColumn: 13 } });
    expect(res.relatedLocations.map((l: any) => l.physicalLocation.artifactLocation.uri)).toContain(`${dir}/binding.yaml`);

    const junit = runCli(["scan", dir, "--format", "junit"]).stdout;
    expect(junit).toMatch(new RegExp(`classname="C-0015"[^>]*file="${dir}/role.yaml"[^>]*line="13"`));
    expect(junit).toContain(`${dir}/binding.yaml:7:5`);
  });
});
