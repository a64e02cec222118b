// The junit report as CI reads it: parsed back by junit2json (xml2js underneath), compared
// with the json report of the same scan, and validated with xmllint against schemas/junit.xsd.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, type TestCase, type TestSuite, type TestSuites } from "junit2json";
import YAML from "yaml";
import { runCli, repoRoot } from "./support/cli.js";
import type { ScanReport } from "../src/core/scoring/result.js";

const run = promisify(execFile);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ks-junit-"));
const xsd = path.join(repoRoot, "schemas", "junit.xsd");
const XMLLINT = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].find((p) => fs.existsSync(p));

/** scan with junit and json written side by side, so both describe the same scan */
async function scanBoth(args: string[], cwd: string) {
  const out = path.join(tmp(), "report");
  const r = runCli(["scan", ...args, "--format", "junit,json", "--output", out], { cwd });
  expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
  const file = `${out}.xml`;
  const xml = fs.readFileSync(file, "utf8");
  const parsed = (await parse(xml)) as TestSuites;
  const json: ScanReport = JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
  return { file, xml, parsed, json };
}

function positionOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in fixture`);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const prop = (s: TestSuite, name: string) => s.properties?.find((p) => p.name === name)?.value;
const failing = (s: TestSuite) => (s.testcase ?? []).filter((t) => t.failure?.length);

describe("junit of examples/", () => {
  let r: Awaited<ReturnType<typeof scanBoth>>;
  beforeAll(async () => {
    r = await scanBoth(["examples/"], repoRoot);
  });

  it("has one testsuite per control, with the json report's counts", () => {
    const { parsed, json } = r;
    expect(parsed.testsuite!.map((s) => s.name)).toEqual(json.controls.map((c) => `${c.id} ${c.name}`));
    for (const c of json.controls) {
      const s = parsed.testsuite!.find((x) => x.name === `${c.id} ${c.name}`)!;
      expect(prop(s, "severity")).toBe(c.severity);
      expect(prop(s, "frameworks")!.split(", ")).toEqual(c.frameworks);
      if (c.status === "skipped") {
        expect(s).toMatchObject({ tests: 1, failures: 0, skipped: 1 });
        expect(s.testcase![0].skipped![0].message).toBe(c.skipReason);
        continue;
      }
      if (c.status === "not-applicable") {
        expect(s).toMatchObject({ tests: 1, failures: 0, skipped: 1 });
        expect(s.testcase![0].name).toBe("not applicable");
        expect(s.testcase![0].skipped![0].message).toMatch(/^not applicable: /);
        continue;
      }
      expect(s).toMatchObject({ tests: c.resources.passed + c.resources.failed + c.resources.excepted, failures: c.resources.failed, skipped: c.resources.excepted });
      // one failing testcase per failed resource, named by resource ID
      const failedIDs = json.resources.filter((x) => x.findings.some((f) => f.controlID === c.id && f.status === "failed")).map((x) => x.resourceID);
      expect(
        failing(s)
          .map((t) => t.name)
          .sort(),
      ).toEqual(failedIDs.sort());
      for (const t of failing(s)) {
        expect(t.classname).toBe(c.id);
        expect(t.failure![0].type).toBe(c.severity);
      }
      const passedCase = s.testcase?.find((t) => !t.failure && !t.skipped);
      if (c.resources.passed) expect(passedCase?.name).toBe(`${c.resources.passed} resource${c.resources.passed === 1 ? "" : "s"} passed`);
      else expect(passedCase).toBeUndefined();
    }
    expect(parsed.failures).toBe(json.controls.reduce((n, c) => n + c.resources.failed, 0));
    expect(parsed.failures).toBeGreaterThan(0);
    expect(parsed.tests).toBe(parsed.testsuite!.reduce((n, s) => n + s.tests!, 0));
  });

  it("a failure names file:line:col of the failed field and the control's remediation", () => {
    const text = fs.readFileSync(path.join(repoRoot, "examples/risky/log-agent.yaml"), "utf8");
    const s = r.parsed.testsuite!.find((x) => x.name!.startsWith("C-0041 "))!;
    const t = failing(s).find((x) => x.name === "apps/v1/logging/DaemonSet/log-agent")! as TestCase & { file?: string; line?: number };
    const p = positionOf(text, "hostNetwork: true");
    const body = t.failure![0].inner!;
    expect(body).toContain(`examples/risky/log-agent.yaml:${p.line}:${p.column}  spec.template.spec.hostNetwork`);
    const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, "controls", "docs", "C-0041.yaml"), "utf8"));
    expect(body).toContain(`Remediation: ${doc.remediation.trim()}`);
    expect(t.file).toBe("examples/risky/log-agent.yaml");
    expect(t.line).toBe(p.line);
  });

  it("validates against schemas/junit.xsd with xmllint", async ({ skip }) => {
    skip(!XMLLINT, "xmllint not installed (Debian: libxml2-utils); XSD validation not run");
    const ok = await run(XMLLINT!, ["--noout", "--schema", xsd, r.file]);
    expect(ok.stderr).toMatch(/validates/);
    // the schema really constrains: a testcase without a name and a non-numeric count fail
    const broken = path.join(tmp(), "broken.xml");
    fs.writeFileSync(broken, r.xml.replace(/<testcase classname="([^"]+)" name="[^"]*"/, '<testcase classname="$1"').replace(/failures="\d+"/, 'failures="some"'));
    const bad = await run(XMLLINT!, ["--noout", "--schema", xsd, broken]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).toBe(3); // xmllint: validation error
    expect(bad?.stderr).toMatch(/attribute 'name' is required/);
    expect(bad?.stderr).toMatch(/'some' is not a valid value/);
  });
});

describe("junit escaping", () => {
  const exceptionName = `reviewed <ticket #7> & "approved" by Zoë`;
  let r: Awaited<ReturnType<typeof scanBoth>>;
  beforeAll(async () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, "pods.yaml"),
      [
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: wéb\n  namespace: shop\nspec:\n  containers:\n    - name: c\n      image: "registry.example/app:1.0<&\\"\'>é"\n      securityContext:\n        privileged: true\n',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bell\n  namespace: shop\nspec:\n  containers:\n    - name: d\n      image: "ring\\x07ring"\n',
      ].join("---\n"),
    );
    const exceptions = [
      {
        name: exceptionName,
        policyType: "postureExceptionPolicy",
        actions: ["alertOnly"],
        resources: [{ designatorType: "Attributes", attributes: { kind: "Pod", name: "wéb" } }],
        posturePolicies: [{ controlID: "C-0057" }],
      },
    ];
    fs.writeFileSync(path.join(dir, "exceptions.json"), JSON.stringify(exceptions));
    r = await scanBoth(["pods.yaml", "--exceptions", "exceptions.json"], dir);
  });

  const caseOf = (control: string, resourceID: string) => r.parsed.testsuite!.find((s) => s.name!.startsWith(`${control} `))!.testcase!.find((t) => t.name === resourceID)!;
  const messageOf = (control: string, resourceID: string) => r.json.resources.find((x) => x.resourceID === resourceID)!.findings.find((f) => f.controlID === control)!.message;

  it("<, &, quotes and non-ASCII round-trip through the XML", () => {
    const id = "/v1/shop/Pod/wéb";
    const msg = messageOf("C-0306", id);
    expect(msg).toContain(`registry.example/app:1.0<&"'>é`);
    const t = caseOf("C-0306", id);
    expect(t.failure![0].message).toBe(msg);
    expect(t.failure![0].inner!.split("\n")[0]).toBe(msg);
    expect(r.xml).not.toContain(`1.0<&"'>é`); // escaped on the wire
  });

  it("an excepted resource is a skipped testcase that names the exception", () => {
    const t = caseOf("C-0057", "/v1/shop/Pod/wéb");
    expect(t.failure).toBeUndefined();
    expect(t.skipped![0].message).toBe(`excepted: ${exceptionName}`);
    const s = r.parsed.testsuite!.find((x) => x.name!.startsWith("C-0057 "))!;
    expect(s).toMatchObject({ failures: 0, skipped: 1 });
  });

  it("characters XML cannot carry are replaced, and the document still parses", () => {
    const id = "/v1/shop/Pod/bell";
    const msg = messageOf("C-0306", id);
    expect(msg).toContain("ring\x07ring");
    expect(caseOf("C-0306", id).failure![0].message).toBe(msg.replace("\x07", "\uFFFD"));
  });

  it("the escaped document validates with xmllint", async ({ skip }) => {
    skip(!XMLLINT, "xmllint not installed (Debian: libxml2-utils); XSD validation not run");
    const ok = await run(XMLLINT!, ["--noout", "--schema", xsd, r.file]);
    expect(ok.stderr).toMatch(/validates/);
  });
});
