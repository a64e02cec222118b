import { describe, expect, it } from "vitest";
import { Registry, type ControlFacts } from "../src/core/engine/registry.js";
import { FindingCollector, resourceID } from "../src/core/scoring/collector.js";
import { score } from "../src/core/scoring/assemble.js";
import { applyBaseline } from "../src/core/scoring/baseline.js";
import { gate } from "../src/core/scoring/gate.js";
import { severityOf, type Alert, type ScanObject } from "../src/core/model.js";

const fact = (id: string, baseScore: number, matchKinds: string[], needs = ["objects"]): ControlFacts => ({
  id,
  name: `control ${id}`,
  baseScore,
  scopes: [],
  matchKinds,
  configInputs: [],
  needs,
  category: "",
  mitre: [],
});
const registry = new Registry(
  [fact("C-0001", 9, ["Pod"]), fact("C-0002", 5, ["Pod", "Deployment"]), fact("C-0003", 2, ["Service"]), fact("C-0004", 7, ["Node"], ["host"])],
  [
    { name: "F1", controls: ["C-0001", "C-0002", "C-0003"], scopes: [] },
    { name: "F2", controls: ["C-0004"], scopes: [] },
  ],
  [
    { name: "r1", controls: ["C-0001"], matchKinds: ["Pod"], configInputs: [], crossObject: false },
    { name: "r2", controls: ["C-0002"], matchKinds: ["Pod", "Deployment"], configInputs: [], crossObject: false },
    { name: "r3", controls: ["C-0003"], matchKinds: ["Service"], configInputs: [], crossObject: false },
  ],
);
const obj = (id: number, kind: string, name: string, apiVersion = "v1"): ScanObject => ({
  id,
  object: { apiVersion, kind, metadata: { name, namespace: "ns" } },
  source: { file: "f.yaml", docIndex: id, itemPath: [] },
});
const objects = [obj(0, "Pod", "a"), obj(1, "Pod", "b"), obj(2, "Deployment", "d", "apps/v1"), obj(3, "Pod", "c")];
const alert = (rule: string, id: number, extra: Partial<Alert> = {}): Alert => ({
  rule,
  message: "m",
  objects: [{ apiVersion: objects[id].object.apiVersion, kind: objects[id].object.kind, name: objects[id].object.metadata!.name!, namespace: "ns", id }],
  relatedObjects: [],
  failedPaths: ["spec.x"],
  reviewPaths: [],
  deletePaths: [],
  fixPaths: [{ path: "spec.y", value: "true" }],
  ...extra,
});

function run(alerts: Alert[]) {
  return score({
    registry,
    controls: [...registry.controls.values()],
    source: { objects, skippedFiles: [], ignoredDocuments: 0, filesRead: 1 },
    findings: FindingCollector.of([...registry.controls.values()], alerts),
    resolve: (reqs) => reqs.forEach((r) => r.done(r.path === "spec.x" ? { line: 7, column: 3, exact: true } : { line: 1, column: 1, exact: r.path === "" })),
    target: { kind: "files", paths: ["f.yaml"] },
    startedAt: new Date(),
    generator: { name: "t", version: "0" },
    warnings: [],
  });
}

describe("scoring", () => {
  it("severity bands follow the base score", () => {
    expect([9, 8.9, 7, 6.9, 4, 3.9, 1, 0.5].map(severityOf)).toEqual(["Critical", "High", "High", "Medium", "Medium", "Low", "Low", "Info"]);
  });

  it("scores per control = passed/(passed+failed), framework = mean over evaluated controls", () => {
    const r = run([alert("r1", 0), alert("r2", 0), alert("r2", 2)]);
    const c = Object.fromEntries(r.controls.map((x) => [x.id, x]));
    expect(c["C-0001"]).toMatchObject({ status: "failed", resources: { passed: 2, failed: 1 }, score: 66.67, severity: "Critical" });
    expect(c["C-0002"]).toMatchObject({ status: "failed", resources: { passed: 2, failed: 2 }, score: 50 });
    expect(c["C-0003"]).toMatchObject({ status: "skipped", skipReason: "no matching resources" });
    expect(c["C-0003"].score).toBeUndefined();
    expect(c["C-0004"]).toMatchObject({ status: "skipped", skipReason: expect.stringMatching(/host/) });
    const f1 = r.frameworks.find((f) => f.name === "F1")!;
    expect(f1.score).toBeCloseTo((66.67 + 50) / 2, 1);
    expect(f1.controls).toEqual({ total: 3, evaluated: 2, failed: 2, skipped: 1 });
    expect(r.frameworks.find((f) => f.name === "F2")!.score).toBeUndefined();
    expect(r.summary.complianceScore).toBeCloseTo(58.34, 1);
    expect(r.summary.failedBySeverity).toMatchObject({ Critical: 1, Medium: 1 });
  });

  it("findings carry positions for every path, grouped per resource", () => {
    const r = run([alert("r1", 0), alert("r2", 0)]);
    const res = r.resources.find((x) => x.name === "a")!;
    expect(res.resourceID).toBe("/v1/ns/Pod/a");
    expect(res.findings.map((f) => f.controlID)).toEqual(["C-0001", "C-0002"]);
    expect(res.findings[0].paths).toEqual([
      { type: "failed", path: "spec.x", line: 7, column: 3, exact: true },
      { type: "fix", path: "spec.y", value: "true", line: 1, column: 1, exact: false },
    ]);
  });

  it("all passing gives 100 and passes every gate", () => {
    const r = run([]);
    expect(r.summary.complianceScore).toBe(100);
    expect(gate(r, { severityThreshold: "low", complianceThreshold: 100 })).toEqual({
      passed: true,
      clauses: ["no failed control at or above Low", "compliance score 100.00% ≥ 100%"],
    });
  });

  it("an alert about an object that is not an input (an RBAC subject) counts as a resource", () => {
    const r = run([{ ...alert("r1", 0), objects: [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "User", name: "jane", namespace: "" }] }]);
    const c = r.controls.find((x) => x.id === "C-0001")!;
    expect(c.resources).toEqual({ passed: 3, failed: 1, excepted: 0 });
    expect(r.resources[0].resourceID).toBe("rbac.authorization.k8s.io/v1//User/jane");
  });
});

describe("gate", () => {
  it("severity threshold counts failed controls at or above the level", () => {
    const r = run([alert("r2", 0)]); // a Medium control fails
    expect(gate(r, { severityThreshold: "high" }).passed).toBe(true);
    const g = gate(r, { severityThreshold: "medium" });
    expect(g.passed).toBe(false);
    expect(g.clauses[0]).toBe("1 failed control at or above Medium (--severity-threshold medium): C-0002");
  });

  it("compliance threshold compares the score", () => {
    const r = run([alert("r1", 0)]);
    expect(gate(r, { complianceThreshold: 90 })).toMatchObject({ passed: false, clauses: [expect.stringMatching(/below 90%/)] });
    expect(gate(r, { complianceThreshold: 80 }).passed).toBe(true);
  });

  it("with a baseline, the severity threshold counts only controls with new findings", () => {
    const before = run([alert("r2", 0)]);
    const after = run([alert("r2", 0), alert("r1", 1)]);
    applyBaseline(after, before, "before.json");
    expect(after.baseline).toEqual({ file: "before.json", new: 1, existing: 1, fixed: 0 });
    expect(gate(after, { severityThreshold: "medium" }).clauses[0]).toMatch(/^1 control with new findings at or above Medium .*: C-0001$/);
    const again = run([alert("r2", 0)]);
    applyBaseline(again, before, "before.json");
    expect(gate(again, { severityThreshold: "low" })).toEqual({ passed: true, clauses: ["no control with new findings at or above Low"] });
  });

  it("resource IDs follow group/version/namespace/Kind/name", () => {
    expect(resourceID({ apiVersion: "apps/v1", kind: "Deployment", name: "d", namespace: "x" })).toBe("apps/v1/x/Deployment/d");
    expect(resourceID({ apiVersion: "v1", kind: "Namespace", name: "n", namespace: "" })).toBe("/v1//Namespace/n");
  });
});

describe("manual review", () => {
  it("a control whose rule raises an alert naming no object is skipped as needing manual review", () => {
    const reg = new Registry([fact("C-0246", 5, [])], [], [{ name: "rule-manual", controls: ["C-0246"], matchKinds: [], configInputs: [], crossObject: true }]);
    const r = score({
      registry: reg,
      controls: [...reg.controls.values()],
      source: { objects, skippedFiles: [], ignoredDocuments: 0, filesRead: 1 },
      findings: FindingCollector.of(
        [...reg.controls.values()],
        [{ rule: "rule-manual", message: "review", objects: [], relatedObjects: [], failedPaths: [], reviewPaths: [], deletePaths: [], fixPaths: [] }],
      ),
      resolve: () => undefined,
      target: { kind: "files", paths: [] },
      startedAt: new Date(),
      generator: { name: "t", version: "0" },
      warnings: [],
    });
    expect(r.controls[0]).toMatchObject({ status: "skipped", skipReason: "needs manual review" });
    expect(r.summary.complianceScore).toBeUndefined();
  });
});
