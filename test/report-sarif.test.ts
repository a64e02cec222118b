// The sarif report as its consumers read it: validated against the official SARIF 2.1.0
// schema (the copy shipped in @microsoft/jest-sarif), checked against the json report of the
// same scan and against positions found in the fixture text itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import YAML from "yaml";
import type * as Sarif from "sarif";
import { runCli, repoRoot } from "./support/cli.js";
import { renderSarif } from "../src/report/sarif.js";
import { Registry } from "../src/core/engine/registry.js";
import type { ScanReport } from "../src/core/scoring/result.js";

// rtm.5 is the final 2.1.0 schema (draft-04). Its `language` pattern has a stray "]" that is
// only legal in non-unicode regular expressions, hence unicodeRegExp: false.
const schemaFile = path.join(repoRoot, "node_modules", "@microsoft", "jest-sarif", "lib", "schemas", "sarif-2.1.0-rtm.5.json");
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
const expectValid = (log: unknown) => expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);

const LEVEL: Record<string, string> = { Critical: "error", High: "error", Medium: "warning", Low: "note", Info: "note" };

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ks-sarif-"));
const read = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8"));

/** line and column (1-based) of the first occurrence of `needle` in `text` */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in fixture`);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** scan with sarif and json written side by side, so both describe the same scan */
function scanBoth(args: string[], cwd: string, out: string) {
  const r = runCli(["scan", ...args, "--format", "sarif,json", "--output", out], { cwd });
  expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
  return { sarif: read<Sarif.Log>(`${out}.sarif`), json: read<ScanReport>(`${out}.json`) };
}

const failedPairs = (json: ScanReport, status: "failed" | "excepted") =>
  json.resources.flatMap((r) => r.findings.filter((f) => f.status === status).map((f) => `${f.controlID} ${r.resourceID}`)).sort();
const resultPairs = (run: Sarif.Run, suppressed: boolean) =>
  run
    .results!.filter((x) => !!x.suppressions?.length === suppressed)
    .map((x) => `${x.ruleId} ${x.properties!.resourceID}`)
    .sort();

describe("sarif of examples/", () => {
  let sarif: Sarif.Log;
  let json: ScanReport;
  let run: Sarif.Run;
  beforeAll(() => {
    ({ sarif, json } = scanBoth(["examples/"], repoRoot, path.join(tmp(), "report")));
    run = sarif.runs[0];
  });

  it("validates against the SARIF 2.1.0 schema", () => {
    expectValid(sarif);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: json.generator.name, version: json.generator.version });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
  });

  it("has one rule per evaluated control, with the control's own help text and severity", () => {
    const rules = run.tool.driver.rules!;
    const evaluated = json.controls.filter((c) => c.status !== "skipped" && c.status !== "not-applicable");
    expect(rules.map((r) => r.id)).toEqual(evaluated.map((c) => c.id));
    // the controls about nothing scanned are named apart, not as rules
    const na = json.controls.filter((c) => c.status === "not-applicable").map((c) => c.id);
    expect(na).toContain("C-0113");
    expect(run.properties!.notApplicableControls).toEqual(na);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(json.controls.some((c) => c.status === "failed")).toBe(true);
    for (const c of evaluated) {
      const rule = rules.find((r) => r.id === c.id)!;
      const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, "controls", "docs", `${c.id}.yaml`), "utf8"));
      expect(rule.shortDescription!.text).toBe(c.name);
      expect(rule.fullDescription!.text).toBe(doc.description.trim());
      expect(rule.help!.text).toContain(doc.remediation.trim());
      expect(rule.help!.markdown).toContain(doc.remediation.trim());
      expect(rule.defaultConfiguration!.level).toBe(LEVEL[c.severity]);
      const props = rule.properties!;
      expect(props.severity).toBe(c.severity);
      expect(Number(props["security-severity"])).toBe(c.baseScore);
      expect(props.tags).toEqual(expect.arrayContaining(c.frameworks));
    }
  });

  it("has one result per failed control per resource, as the json report counts them", () => {
    expect(resultPairs(run, false)).toEqual(failedPairs(json, "failed"));
    // the per-control counts agree too
    expect(run.results!.length).toBe(json.controls.reduce((n, c) => n + c.resources.failed, 0));
    for (const x of run.results!) {
      expect(run.tool.driver.rules![x.ruleIndex!].id).toBe(x.ruleId);
      const f = json.resources.find((r) => r.resourceID === x.properties!.resourceID)!.findings.find((y) => y.controlID === x.ruleId)!;
      expect(x.message.text!.startsWith(f.message)).toBe(true);
    }
  });

  it("points at the failed field: positions match the fixture text", () => {
    const text = fs.readFileSync(path.join(repoRoot, "examples/risky/log-agent.yaml"), "utf8");
    const at = (rule: string) => run.results!.find((x) => x.ruleId === rule && x.properties!.resourceID === "apps/v1/logging/DaemonSet/log-agent")!.locations![0].physicalLocation!;
    expect(at("C-0041").region).toEqual({ startLine: positionOf(text, "hostNetwork: true").line, startColumn: positionOf(text, "hostNetwork: true").column });
    expect(at("C-0038").region).toEqual({ startLine: positionOf(text, "hostPID: true").line, startColumn: positionOf(text, "hostPID: true").column });
    expect(at("C-0057").region).toEqual({ startLine: positionOf(text, "privileged: true").line, startColumn: positionOf(text, "privileged: true").column });
    expect(at("C-0041").artifactLocation!.uri).toBe("examples/risky/log-agent.yaml");
    // every result: the first positioned failed path of its finding, as the json report has it
    for (const x of run.results!) {
      const r = json.resources.find((y) => y.resourceID === x.properties!.resourceID)!;
      const f = r.findings.find((y) => y.controlID === x.ruleId)!;
      const first = f.paths.find((p) => p.type === "failed" && p.line !== undefined);
      const region = x.locations![0].physicalLocation!.region!;
      if (first) expect(region).toEqual({ startLine: first.line, startColumn: first.column });
      else if (!f.paths.some((p) => p.line !== undefined)) expect(region).toEqual({ startLine: r.source!.line, startColumn: r.source!.column });
    }
  });

  it("uses relative URIs that resolve to the scanned files", () => {
    const base = run.originalUriBaseIds!["%SRCROOT%"].uri!;
    expect(fileURLToPath(base)).toBe(repoRoot + path.sep);
    const uris = run.results!.flatMap((x) => [x.locations![0], ...(x.relatedLocations ?? [])].map((l) => l.physicalLocation!.artifactLocation!));
    expect(uris.length).toBeGreaterThan(run.results!.length);
    for (const a of uris) {
      expect(a.uri).not.toMatch(/^[a-z][a-z0-9+.-]*:|^\/|\\/i);
      expect(a.uriBaseId).toBe("%SRCROOT%");
      expect(fs.existsSync(fileURLToPath(new URL(a.uri!, base)))).toBe(true);
    }
  });
});

const fixtureYaml = `# a deployment on the host network, privileged
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
        - name: c
          image: nginx:1.27
          securityContext:
            privileged: true
`;
const exceptionName = `privileged is reviewed <ticket #12> & "signed" by Zoë`;
const exceptions = [
  {
    name: exceptionName,
    policyType: "postureExceptionPolicy",
    actions: ["alertOnly"],
    resources: [{ designatorType: "Attributes", attributes: { kind: "Deployment", name: "web" } }],
    posturePolicies: [{ controlID: "C-0057" }],
  },
];

describe("sarif of a fixture in a directory whose name needs encoding", () => {
  let dir: string;
  let fixture: string;
  beforeAll(() => {
    dir = tmp();
    fs.mkdirSync(path.join(dir, "my app"));
    fixture = path.join(dir, "my app", "dé ploy.yaml");
    fs.writeFileSync(fixture, fixtureYaml);
    fs.writeFileSync(path.join(dir, "exceptions.json"), JSON.stringify(exceptions));
  });

  it("percent-encodes a URI relative to the working directory, even for an absolute input path", () => {
    const { sarif } = scanBoth([path.join(dir, "my app")], dir, path.join(dir, "out", "a"));
    expectValid(sarif);
    const run = sarif.runs[0];
    const hn = run.results!.find((x) => x.ruleId === "C-0041")!;
    const loc = hn.locations![0].physicalLocation!;
    expect(loc.artifactLocation!.uri).toBe("my%20app/d%C3%A9%20ploy.yaml");
    expect(fs.realpathSync(fileURLToPath(new URL(loc.artifactLocation!.uri!, run.originalUriBaseIds!["%SRCROOT%"].uri)))).toBe(fs.realpathSync(fixture));
    const p = positionOf(fixtureYaml, "hostNetwork: true");
    expect(loc.region).toEqual({ startLine: p.line, startColumn: p.column });
    expect(hn.locations![0].logicalLocations![0]).toEqual({ fullyQualifiedName: "apps/v1/shop/Deployment/web", name: "web", kind: "resource" });
  });

  it("keeps an excepted finding as a result with an external suppression naming the exception", () => {
    const { sarif, json } = scanBoth(["my app", "--exceptions", "exceptions.json"], dir, path.join(dir, "out", "b"));
    expectValid(sarif);
    const run = sarif.runs[0];
    expect(failedPairs(json, "excepted")).toEqual(["C-0057 apps/v1/shop/Deployment/web"]);
    expect(resultPairs(run, true)).toEqual(failedPairs(json, "excepted"));
    expect(resultPairs(run, false)).toEqual(failedPairs(json, "failed"));
    const priv = run.results!.find((x) => x.ruleId === "C-0057")!;
    expect(priv.suppressions).toEqual([{ kind: "external", status: "accepted", justification: exceptionName }]);
    const p = positionOf(fixtureYaml, "privileged: true");
    expect(priv.locations![0].physicalLocation!.region).toEqual({ startLine: p.line, startColumn: p.column });
  });

  it("fingerprints survive a line shift while the regions move with the text", () => {
    const before = scanBoth(["my app"], dir, path.join(dir, "out", "c")).sarif.runs[0].results!;
    fs.writeFileSync(fixture, "# one\n# two\n\n" + fixtureYaml);
    try {
      const after = scanBoth(["my app"], dir, path.join(dir, "out", "d")).sarif.runs[0].results!;
      expect(after.map((x) => x.ruleId)).toEqual(before.map((x) => x.ruleId));
      const prints = new Set(before.map((x) => x.partialFingerprints!["kubescapeFinding/v1"]));
      expect(prints.size).toBe(before.length); // one per (resource, control)
      after.forEach((x, i) => {
        expect(x.partialFingerprints).toEqual(before[i].partialFingerprints);
        const b = before[i].locations![0].physicalLocation!.region!;
        expect(x.locations![0].physicalLocation!.region).toEqual({ ...b, startLine: b.startLine! + 3 });
      });
    } finally {
      fs.writeFileSync(fixture, fixtureYaml);
    }
  });
});

describe("sarif of resources without a file", () => {
  it("stdin: a logical location with the resource ID, no physical location", () => {
    const r = runCli(["scan", "-", "--format", "sarif"], { input: fixtureYaml });
    expect(r.code).toBe(0);
    const log: Sarif.Log = JSON.parse(r.stdout);
    expectValid(log);
    const results = log.runs[0].results!;
    expect(results.map((x) => x.ruleId)).toEqual(expect.arrayContaining(["C-0041", "C-0057"]));
    for (const x of results) {
      expect(x.locations![0].physicalLocation).toBeUndefined();
      expect(x.locations![0].logicalLocations).toEqual([{ fullyQualifiedName: "apps/v1/shop/Deployment/web", name: "web", kind: "resource" }]);
    }
  });

  it("a cluster-shaped report (objects from the API, one without any source) validates", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "d.yaml"), fixtureYaml);
    const { json } = scanBoth(["d.yaml"], dir, path.join(dir, "r"));
    const cluster: ScanReport = structuredClone(json);
    cluster.target = {
      kind: "cluster",
      paths: [],
      cluster: { context: "kind-test", server: "https://127.0.0.1:6443", version: "v1.31.0", counts: { Deployment: 1 }, unavailable: {}, listMs: 5, requests: 3 },
    };
    for (const r of cluster.resources) r.source = { file: "cluster:kind-test" };
    const synthetic = { ...structuredClone(cluster.resources[0]), resourceID: "rbac.authorization.k8s.io/v1//ClusterRole/admin", kind: "ClusterRole", name: "admin", namespace: "" };
    delete synthetic.source;
    cluster.resources.push(synthetic);
    const registry = Registry.load();
    const log: Sarif.Log = JSON.parse(renderSarif(cluster, { doc: (id) => registry.doc(id) }));
    expectValid(log);
    const run = log.runs[0];
    expect(run.originalUriBaseIds).toBeUndefined();
    expect(run.results!.length).toBe(cluster.resources.reduce((n, r) => n + r.findings.length, 0));
    for (const x of run.results!) {
      expect(x.locations![0].physicalLocation).toBeUndefined();
      expect(x.relatedLocations).toBeUndefined();
      expect(x.locations![0].logicalLocations![0].fullyQualifiedName).toBe(x.properties!.resourceID);
    }
    expect(run.results!.some((x) => x.locations![0].logicalLocations![0].fullyQualifiedName === "rbac.authorization.k8s.io/v1//ClusterRole/admin")).toBe(true);
  });
});
