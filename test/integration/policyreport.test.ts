// The policyreport format read by its real consumer: a kube-apiserver with the v1alpha2
// PolicyReport CRDs (test/cluster/crds/policyreport-crd.yaml) stores what we write, and
// what it serves back matches the json report of the same scan.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import YAML from "yaml";
import { runCli, repoRoot } from "../support/cli.js";
import { startCluster, type TestCluster } from "./support.js";

let c: TestCluster;
let out: string;
beforeAll(() => {
  c = startCluster("policyreport", { seed: true });
  out = fs.mkdtempSync(path.join(c.dir, "reports-"));
  const crd = c.kubectl(["apply", "-f", path.join(repoRoot, "test", "cluster", "crds", "policyreport-crd.yaml")]);
  if (crd.code !== 0) throw new Error(crd.stderr);
  const ready = c.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/policyreports.wgpolicyk8s.io", "crd/clusterpolicyreports.wgpolicyk8s.io"]);
  if (ready.code !== 0) throw new Error(ready.stderr);
});
afterAll(() => c?.stop());

const failedBy = (report: any, nsOf: (r: any) => string) => {
  const m: Record<string, number> = {};
  for (const r of report.resources) for (const f of r.findings) if (f.status === "failed") m[nsOf(r)] = (m[nsOf(r)] ?? 0) + 1;
  return m;
};
const getAll = (what: string, args: string[] = []) => {
  const r = c.kubectl(["get", what, ...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).items as any[];
};

describe("policyreport on a real API server", () => {
  it("a cluster scan's reports are accepted by kubectl apply and match the json report", () => {
    // names that YAML 1.1 (kubectl's reader) would take for booleans unless quoted
    const extra = c.kubectl(
      ["apply", "-f", "-"],
      [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: "on"}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "yes", namespace: "on"}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: nginx:1.27}]',
      ].join("\n---\n"),
    );
    expect(extra.code, extra.stderr).toBe(0);

    const base = path.join(out, "cluster");
    const scan = runCli(["scan", "--kubeconfig", c.kubeconfig, "--format", "policyreport,json", "--output", base]);
    expect(scan.code, scan.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(`${base}.json`, "utf8"));
    const applied = c.kubectl(["apply", "-f", `${base}.policyreport.yaml`]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toBe("");

    const polr = getAll("policyreports", ["-A"]).filter((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "kubescape");
    const [cpolr] = getAll("clusterpolicyreports").filter((o) => o.metadata.name === "kubescape-cluster");
    expect(cpolr).toBeDefined();

    // fail results per namespace = failed findings per namespace in the json report
    const expected = failedBy(json, (r) => r.namespace);
    const got: Record<string, number> = {};
    for (const o of [...polr, cpolr]) {
      const fails = o.results.filter((x: any) => x.result === "fail").length;
      expect(o.summary.fail).toBe(fails);
      const ns = o.metadata.namespace ?? "";
      got[ns] = (got[ns] ?? 0) + fails;
    }
    expect(got).toEqual(expected);
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(["", "ks-bad", "on"]));
    expect(polr.find((o) => o.metadata.namespace === "ks-bad").metadata.name).toBe("kubescape-ks-bad");

    // one pass result per control that passed everywhere, in the ClusterPolicyReport
    const passed = json.controls
      .filter((x: any) => x.status === "passed")
      .map((x: any) => x.id)
      .sort();
    expect(
      cpolr.results
        .filter((x: any) => x.result === "pass")
        .map((x: any) => x.policy)
        .sort(),
    ).toEqual(passed);
    expect(cpolr.summary.pass).toBe(passed.length);

    // a specific finding, field by field
    const ctl = json.controls.find((x: any) => x.id === "C-0057");
    const priv = polr.find((o) => o.metadata.namespace === "ks-bad").results.find((x: any) => x.policy === "C-0057" && x.resources[0].name === "web-insecure");
    expect(priv).toMatchObject({
      rule: ctl.name,
      severity: ctl.severity.toLowerCase(),
      result: "fail",
      source: "kubescape",
      resources: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web-insecure", namespace: "ks-bad" }],
      properties: { resourceID: "apps/v1/ks-bad/Deployment/web-insecure" },
    });
    expect(priv.properties.failedPaths).toContain("spec.template.spec.containers[0].securityContext.privileged");
    expect(priv.timestamp.seconds).toBe(Math.floor(Date.parse(json.startedAt) / 1000));

    // cluster-scoped resources are in the ClusterPolicyReport, without a namespace
    const crb = json.resources.find((r: any) => r.kind === "ClusterRoleBinding");
    const crbResults = cpolr.results.filter((x: any) => x.resources?.[0]?.kind === "ClusterRoleBinding" && x.resources[0].name === crb.name);
    expect(crbResults.map((x: any) => x.policy).sort()).toEqual(crb.findings.map((f: any) => f.controlID).sort());
    expect(crbResults[0].resources[0].namespace).toBeUndefined();

    // "yes" in namespace "on" stayed strings through kubectl's YAML 1.1 reader
    const on = polr.find((o) => o.metadata.namespace === "on");
    expect(on.metadata.name).toBe("kubescape-on");
    expect(on.results.find((x: any) => x.policy === "C-0041").resources[0]).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "yes", namespace: "on" });
  });

  it("a file scan's reports apply too: unnamespaced Pods land in default, results carry file:line", () => {
    for (const ns of ["shop", "logging"]) c.kubectl(["create", "namespace", ns]);
    const base = path.join(out, "files");
    const scan = runCli(["scan", "examples/", "--format", "policyreport,json", "--output", base]);
    expect(scan.code, scan.stderr).toBe(0);
    const applied = c.kubectl(["apply", "-f", `${base}.policyreport.yaml`]);
    expect(applied.code, applied.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(`${base}.json`, "utf8"));
    const expected = failedBy(json, (r) => r.namespace || "default");
    for (const ns of ["shop", "logging", "default"]) {
      const [o] = getAll("policyreports", ["-n", ns]).filter((x) => x.metadata.name === `kubescape-${ns}`);
      expect(o.summary.fail, ns).toBe(expected[ns]);
    }
    const [logging] = getAll("policyreports", ["-n", "logging"]);
    const hn = logging.results.find((x: any) => x.policy === "C-0041");
    expect(hn.properties.file).toBe("examples/risky/log-agent.yaml:17:7"); // the hostNetwork line of the fixture
    expect(fs.readFileSync(path.join(repoRoot, "examples/risky/log-agent.yaml"), "utf8").split("\n")[16].slice(6)).toMatch(/^hostNetwork: true/);
    const [dflt] = getAll("policyreports", ["-n", "default"]);
    expect(dflt.results.some((x: any) => x.resources[0].name === "debug-shell" && x.resources[0].namespace === undefined)).toBe(true);
  });

  it("the CRD's schema rejects a malformed result and an unknown field", () => {
    const text = fs.readFileSync(path.join(out, "cluster.policyreport.yaml"), "utf8");
    const doc = YAML.parseAllDocuments(text)
      .map((d) => d.toJS())
      .find((o) => o.kind === "PolicyReport");
    doc.metadata.name = "kubescape-malformed";
    doc.results[0].result = "bogus";
    const bogus = c.kubectl(["apply", "-f", "-"], JSON.stringify(doc));
    expect(bogus.code).not.toBe(0);
    expect(bogus.stderr).toMatch(/results\[0\]\.result: Unsupported value: "bogus"/);
    doc.results[0].result = "fail";
    doc.results[0].verdict = "fail";
    const unknown = c.kubectl(["apply", "-f", "-"], JSON.stringify(doc));
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown field "results\[0\]\.verdict"/);
    delete doc.results[0].verdict;
    doc.results[0].severity = "Severe";
    expect(c.kubectl(["apply", "-f", "-"], JSON.stringify(doc)).code).not.toBe(0);
    doc.results[0].severity = "high";
    const ok = c.kubectl(["apply", "-f", "-"], JSON.stringify(doc)); // the same object, fixed, is accepted
    expect(ok.code, ok.stderr).toBe(0);
  });
});
