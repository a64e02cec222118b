// The yaml, csv, markdown, gitlab-sast and policyreport formats, each read back by a real
// consumer (yaml, csv-parse, markdown-it, ajv against the format's schema) and checked
// against the json report of the same scan and the fixture text.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import YAML from "yaml";
import { parse as parseCsv } from "csv-parse/sync";
import MarkdownIt from "markdown-it";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { runCli, repoRoot } from "./support/cli.js";
import { agentHostPidException } from "./support/fixtures.js";

let dir: string;
let json: any;
const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
const fixtureLine = (file: string, line: number) => fs.readFileSync(path.join(repoRoot, file), "utf8").split("\n")[line - 1];

// log-agent's Host PID/IPC finding is excepted, so every format shows an excepted finding
const exceptions = [agentHostPidException];

/** Many failing Deployments: enough to truncate markdown and split policy reports. */
const bulk = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${String(i).padStart(4, "0")}-${"x".repeat(40)}\n  namespace: bulk\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: c\n          image: nginx:1.27\n`,
  ).join("---\n");

const hostileName = "<img src=x onerror=alert(1)>|`x`|<script>alert(2)</script>";
const hostile = [
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${JSON.stringify(hostileName)}\n  namespace: "=HYPERLINK(\\"http://e.example\\")"\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: "@SUM(A1)"\n          image: nginx:1.27\n`,
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: "=cmd|' /C calc'!A0"\n  namespace: "-2+3"\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: nginx:1.27\n`,
].join("---\n");

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-formats-"));
  fs.writeFileSync(path.join(dir, "exceptions.json"), JSON.stringify(exceptions));
  const r = runCli(["scan", "examples/", "--exceptions", path.join(dir, "exceptions.json"), "--format", "json,yaml,csv,markdown,gitlab-sast,policyreport", "--output", path.join(dir, "report")]);
  if (r.code !== 0) throw new Error(r.stderr);
  json = JSON.parse(read("report.json"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const findings = (status?: string) => json.resources.flatMap((r: any) => r.findings.filter((f: any) => !status || f.status === status).map((f: any) => ({ r, f })));
const logAgent = () => json.resources.find((r: any) => r.name === "log-agent");

describe("the scan behind these tests", () => {
  it("has failed and excepted findings and the hostNetwork finding at the fixture's line", () => {
    expect(findings("failed").length).toBeGreaterThan(50);
    expect(logAgent().findings.find((f: any) => f.controlID === "C-0038")).toMatchObject({ status: "excepted", exception: "agent-needs-host-pid" });
    expect(fixtureLine("examples/risky/log-agent.yaml", 17).slice(6)).toBe("hostNetwork: true");
  });
});

describe("yaml", () => {
  it("parses back to exactly the json report", () => {
    expect(YAML.parse(read("report.yaml"))).toEqual(json);
  });
});

describe("csv", () => {
  const rows = () => parseCsv(read("report.csv"), { columns: true, skip_empty_lines: true }) as Record<string, string>[];

  it("has one row per failed or excepted finding, with the documented columns", () => {
    const text = read("report.csv");
    expect(text.split("\n")[0]).toBe("severity,controlID,controlName,status,resourceID,kind,namespace,name,file,line,column,failedPaths,fixPaths,message,exception");
    expect(rows()).toHaveLength(findings().length);
    expect(rows().filter((x) => x.status === "failed")).toHaveLength(findings("failed").length);
    const severity = Object.fromEntries(json.controls.map((c: any) => [c.id, c.severity]));
    for (const row of rows()) expect(row.severity).toBe(severity[row.controlID]);
  });

  it("gives file, line and column of the failed field, and the exception", () => {
    const hn = rows().find((x) => x.name === "log-agent" && x.controlID === "C-0041")!;
    expect(hn).toMatchObject({
      controlName: json.controls.find((c: any) => c.id === "C-0041").name,
      status: "failed",
      resourceID: "apps/v1/logging/DaemonSet/log-agent",
      kind: "DaemonSet",
      namespace: "logging",
      file: "examples/risky/log-agent.yaml",
      line: "17",
      column: "7",
      failedPaths: "spec.template.spec.hostNetwork",
      exception: "",
    });
    expect(hn.fixPaths).toBe("remove spec.template.spec.hostNetwork");
    const pid = rows().find((x) => x.name === "log-agent" && x.controlID === "C-0038")!;
    expect(pid).toMatchObject({ status: "excepted", exception: "agent-needs-host-pid" });
    // a finding with several failed fields keeps them in one cell
    const env = rows().find((x) => x.name === "log-agent" && x.controlID === "C-0012")!;
    expect(env.failedPaths.split("; ")).toEqual(["spec.template.spec.containers[0].env[0].name", "spec.template.spec.containers[0].env[0].value"]);
    expect(fixtureLine("examples/risky/log-agent.yaml", Number(env.line)).trim()).toMatch(/^- name: AWS_SECRET_ACCESS_KEY/);
  });

  it("cells that a spreadsheet would run as formulas start with '", () => {
    const r = runCli(["scan", "-", "--format", "csv"], { input: hostile });
    expect(r.code, r.stderr).toBe(0);
    const parsed = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    const pod = parsed.find((x) => x.kind === "Pod" && x.controlID === "C-0041")!;
    expect(pod.name).toBe("'=cmd|' /C calc'!A0");
    expect(pod.namespace).toBe("'-2+3");
    const dep = parsed.find((x) => x.kind === "Deployment" && x.controlID === "C-0041")!;
    expect(dep.namespace).toBe(`'=HYPERLINK("http://e.example")`);
    expect(dep.name).toBe(hostileName); // starts with <: left alone
    expect(dep.line).toBe("9");
    for (const row of parsed) for (const v of Object.values(row)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
  });
});

/** Each table as rows of cell texts (text and code content, as a reader sees them). */
function tables(tokens: ReturnType<InstanceType<typeof MarkdownIt>["parse"]>): string[][][] {
  const out: string[][][] = [];
  let row: string[] | undefined;
  for (const t of tokens) {
    if (t.type === "table_open") out.push([]);
    else if (t.type === "tr_open") row = [];
    else if (t.type === "tr_close") {
      out.at(-1)!.push(row!);
      row = undefined;
    } else if (t.type === "inline" && row) row.push((t.children ?? []).map((c) => (c.type === "softbreak" ? " " : c.content)).join(""));
  }
  return out;
}

describe("markdown", () => {
  const md = new MarkdownIt({ html: true }); // GitHub also passes (sanitised) HTML through

  it("renders tables of frameworks, failed controls and failed resources that match the json report", () => {
    const text = read("report.md");
    expect(text.length).toBeLessThan(65_536);
    expect(text).toContain(`**Compliance score: ${json.summary.complianceScore.toFixed(2)}%**`);
    const html = md.render(text);
    const [frameworks, controls, ...resources] = tables(md.parse(text, {}));
    expect(frameworks[0]).toEqual(["Framework", "Score", "Failed controls", "Evaluated", "Skipped"]);
    const nsa = json.frameworks.find((f: any) => f.name === "NSA");
    expect(frameworks).toContainEqual(["NSA", `${nsa.score.toFixed(2)}%`, String(nsa.controls.failed), String(nsa.controls.evaluated), String(nsa.controls.skipped)]);
    const failed = json.controls.filter((c: any) => c.status === "failed");
    expect(controls).toHaveLength(failed.length + 1);
    const hn = json.controls.find((c: any) => c.id === "C-0041");
    expect(controls).toContainEqual([hn.severity, "C-0041", hn.name, String(hn.resources.failed), "0", `${hn.score.toFixed(2)}%`]);
    // C-0038's one failure is excepted: the control passed, and the score line counts it
    expect(json.controls.find((c: any) => c.id === "C-0038")).toMatchObject({ status: "passed", resources: { failed: 0, excepted: 1 } });
    expect(controls.some((r) => r[1] === "C-0038")).toBe(false);
    expect(text.split("\n")[2]).toMatch(/ · 1 finding excepted$/);
    // one collapsed block per failed control, its table listing the resources that fail it
    expect(html.match(/<details>/g)).toHaveLength(failed.length);
    expect(resources).toHaveLength(failed.length);
    const rows = resources.flat();
    expect(rows).toContainEqual(["apps/v1/logging/DaemonSet/log-agent", "examples/risky/log-agent.yaml:17:7", "spec.template.spec.hostNetwork", "remove spec.template.spec.hostNetwork"]);
    const resourceRows = resources.reduce((n, t) => n + t.length - 1, 0);
    expect(resourceRows).toBe(findings("failed").length);
    expect(text).toContain("**Fix:** Remove hostNetwork");
    expect(html).not.toContain("more not shown");
  });

  it("a hostile resource name cannot inject HTML or break the table", () => {
    const r = runCli(["scan", "-", "--format", "markdown"], { input: hostile });
    expect(r.code, r.stderr).toBe(0);
    const html = md.render(r.stdout);
    expect(html).not.toMatch(/<img|<script/i);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const rows = tables(md.parse(r.stdout, {})).slice(2).flat();
    const id = `apps/v1/=HYPERLINK("http://e.example")/Deployment/${hostileName}`;
    const row = rows.find((x) => x[0] === id && x[2] === "spec.template.spec.hostNetwork");
    expect(row).toEqual([id, "<stdin>:9:7", "spec.template.spec.hostNetwork", "remove spec.template.spec.hostNetwork"]);
    expect(r.stdout).not.toMatch(/(^|[^\\`])@SUM/); // no @mention outside code
  });

  it("stays under GitHub's comment limit, saying what it left out", () => {
    const n = 150;
    const out = path.join(dir, "bulk");
    const r = runCli(["scan", "-", "--format", "markdown,json", "--output", out], { input: bulk(n) });
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(`${out}.md`, "utf8");
    expect(text.length).toBeLessThanOrEqual(65_536);
    expect(text.length).toBeGreaterThan(60_000);
    expect(text).toMatch(/> \*\*Note:\*\* shortened to stay under GitHub's 65,536-character comment limit; left out: the resources of \d+ more failed controls?/);
    const html = md.render(text);
    expect(html.match(/<details>/g)!.length).toBe(html.match(/<\/details>/g)!.length);
    const [, controls, ...resources] = tables(md.parse(text, {}));
    const report = JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
    expect(controls).toHaveLength(report.controls.filter((c: any) => c.status === "failed").length + 1);
    // the last resource table is cut with a row counting what is missing
    const last = resources.at(-1)!;
    const more = /^… (\d+) more not shown$/.exec(last.at(-1)![0]);
    expect(more).not.toBeNull();
    expect(last.length - 2 + Number(more![1])).toBe(n);
  });
});

describe("gitlab-sast", () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, "schemas", "gitlab-sast.schema.json"), "utf8")));

  it("validates against the SAST report schema and has one vulnerability per failed finding", () => {
    const report = JSON.parse(read("report.gitlab-sast.json"));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.version).toMatch(/^15\./);
    expect(report.scan).toMatchObject({ type: "sast", status: "success", analyzer: { id: "kubescape-ts", version: json.generator.version } });
    expect(report.scan.start_time).toBe(json.startedAt.slice(0, 19));
    expect(report.vulnerabilities).toHaveLength(findings("failed").length);
    expect(new Set(report.vulnerabilities.map((v: any) => v.id)).size).toBe(report.vulnerabilities.length);
    const hn = report.vulnerabilities.find((v: any) => v.identifiers[0].value === "C-0041");
    const ctl = json.controls.find((c: any) => c.id === "C-0041");
    expect(hn).toMatchObject({
      name: ctl.name,
      severity: ctl.severity,
      location: { file: "examples/risky/log-agent.yaml", start_line: 17, end_line: 17 },
      identifiers: [{ type: "kubescape_control", name: "Kubescape C-0041", value: "C-0041" }],
    });
    expect(hn.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, "controls", "docs", "C-0041.yaml"), "utf8"));
    expect(hn.solution).toContain(doc.remediation);
    expect(hn.description).toContain("apps/v1/logging/DaemonSet/log-agent");
    // the excepted finding is not a vulnerability
    expect(report.vulnerabilities.some((v: any) => v.identifiers[0].value === "C-0038" && v.description.includes("log-agent"))).toBe(false);
    // several failed fields: the lines span them
    const env = report.vulnerabilities.find((v: any) => v.identifiers[0].value === "C-0012" && v.location.file.endsWith("log-agent.yaml"));
    expect(env.location).toMatchObject({ start_line: 27, end_line: 28 });
  });

  it("keeps ids stable across scans; resources from stdin are located by resource ID", () => {
    const again = runCli(["scan", "examples/", "--format", "gitlab-sast"]);
    const ids = (r: any) => r.vulnerabilities.map((v: any) => v.id).sort();
    // the exception there hid one finding; every other id is the same
    const first = ids(JSON.parse(read("report.gitlab-sast.json")));
    const second = ids(JSON.parse(again.stdout));
    expect(second.filter((id: string) => !first.includes(id))).toHaveLength(1);
    expect(first.every((id: string) => second.includes(id))).toBe(true);
    const stdin = JSON.parse(runCli(["scan", "-", "--format", "gitlab-sast"], { input: hostile }).stdout);
    expect(validate(stdin), JSON.stringify(validate.errors)).toBe(true);
    const pod = stdin.vulnerabilities.find((v: any) => v.identifiers[0].value === "C-0041" && v.location.file.includes("/Pod/"));
    expect(pod.location).toEqual({ file: "/v1/-2+3/Pod/=cmd|' /C calc'!A0" });
  });
});

describe("policyreport", () => {
  const crd = YAML.parseAllDocuments(fs.readFileSync(path.join(repoRoot, "test", "cluster", "crds", "policyreport-crd.yaml"), "utf8")).map((d) => d.toJS());
  const ajv = new Ajv({ allErrors: true, strict: false }); // strict off: x-kubernetes-* keywords
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  const validators = Object.fromEntries(crd.map((c: any) => [c.spec.names.kind, ajv.compile(c.spec.versions[0].schema.openAPIV3Schema)]));
  const docs = (text: string) => YAML.parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS());

  it("writes one PolicyReport per namespace and a ClusterPolicyReport that the CRD schema accepts", () => {
    const objs = docs(read("report.policyreport.yaml"));
    for (const o of objs) {
      expect(o.apiVersion).toBe("wgpolicyk8s.io/v1alpha2");
      const v = validators[o.kind];
      expect(v(o), JSON.stringify(v.errors)).toBe(true);
      expect(o.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kubescape" });
      for (const k of ["pass", "fail", "warn", "error", "skip"]) expect(o.summary[k]).toBe(o.results.filter((x: any) => x.result === k).length);
    }
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort()).toEqual([
      "ClusterPolicyReport//kubescape-cluster",
      "PolicyReport/default/kubescape-default",
      "PolicyReport/logging/kubescape-logging",
      "PolicyReport/shop/kubescape-shop",
    ]);
    const fails: Record<string, number> = {};
    for (const { r } of findings("failed")) fails[r.namespace || "default"] = (fails[r.namespace || "default"] ?? 0) + 1;
    for (const o of objs.filter((x) => x.kind === "PolicyReport")) expect(o.summary.fail).toBe(fails[o.metadata.namespace]);

    const logging = objs.find((o) => o.metadata.namespace === "logging");
    const hn = logging.results.find((x: any) => x.policy === "C-0041");
    expect(hn).toMatchObject({
      rule: "HostNetwork access",
      category: "ArmoBest",
      severity: "high",
      result: "fail",
      source: "kubescape",
      resources: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "log-agent", namespace: "logging" }],
      properties: { resourceID: "apps/v1/logging/DaemonSet/log-agent", file: "examples/risky/log-agent.yaml:17:7", failedPaths: "spec.template.spec.hostNetwork" },
    });
    const ms = Date.parse(json.startedAt);
    expect(hn.timestamp).toEqual({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
    // excepted → skip, naming the exception
    const pid = logging.results.find((x: any) => x.policy === "C-0038");
    expect(pid).toMatchObject({ result: "skip", properties: { exception: "agent-needs-host-pid" } });
    const cluster = objs.find((o) => o.kind === "ClusterPolicyReport");
    expect(cluster.summary.pass).toBe(json.controls.filter((c: any) => c.status === "passed").length);
  });

  it("splits a large namespace into reports each small enough for kubectl apply", () => {
    const n = 150;
    const out = path.join(dir, "bulk-pr");
    const r = runCli(["scan", "-", "--format", "policyreport,json", "--output", out], { input: bulk(n) });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
    const objs = docs(fs.readFileSync(`${out}.policyreport.yaml`, "utf8")).filter((o) => o.metadata.namespace === "bulk");
    expect(objs.length).toBeGreaterThan(1);
    expect(objs.map((o) => o.metadata.name)).toEqual(["kubescape-bulk", ...objs.slice(1).map((_, i) => `kubescape-bulk-${i + 2}`)]);
    for (const o of objs) {
      expect(validators.PolicyReport(o)).toBe(true);
      expect(JSON.stringify(o).length).toBeLessThan(256 * 1024 - 2048); // room for kubectl's last-applied annotation
    }
    const total = objs.reduce((s, o) => s + o.summary.fail, 0);
    expect(total).toBe(report.resources.reduce((s: number, x: any) => s + x.findings.filter((f: any) => f.status === "failed").length, 0));
  });
});
