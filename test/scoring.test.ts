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
    resolve: (_, reqs) => {
      for (const r of reqs) r.done(r.path === "spec.x" ? { line: 7, column: 3, exact: true } : { line: 1, column: 1, exact: r.path === "" });
    },
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
    // about no scanned resource: not applicable, not passed, in no score
    expect(c["C-0003"]).toMatchObject({ status: "not-applicable", resources: { passed: 0, failed: 0, excepted: 0 } });
    expect(c["C-0003"].skipReason).toBeUndefined();
    expect(c["C-0003"].score).toBeUndefined();
    expect(c["C-0004"]).toMatchObject({ status: "skipped", skipReason: expect.stringMatching(/host/) });
    const f1 = r.frameworks.find((f) => f.name === "F1")!;
    expect(f1.score).toBeCloseTo((66.67 + 50) / 2, 1);
    expect(f1.controls).toEqual({ total: 3, evaluated: 2, failed: 2, skipped: 0, notApplicable: 1 });
    expect(r.frameworks.find((f) => f.name === "F2")!.controls).toEqual({ total: 1, evaluated: 0, failed: 0, skipped: 1, notApplicable: 0 });
    expect(r.summary.controls).toEqual({ total: 4, passed: 0, failed: 2, skipped: 1, notApplicable: 1 });
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

describe("relevance, not applicable and partial controls", () => {
  const facts = [fact("C-0010", 8, ["Pod"]), fact("C-0011", 8, ["Pod"]), fact("C-0012", 8, ["Pod", "Node"], ["host", "objects"]), fact("C-0013", 8, ["Pod"], ["host", "objects"])];
  const reg = new Registry(
    facts,
    [{ name: "F", controls: ["C-0010", "C-0011", "C-0012", "C-0013"], scopes: [] }],
    [
      // judges only the Pods its relevant.rego names
      { name: "apiserver-flag", controls: ["C-0010"], matchKinds: ["Pod"], configInputs: [], crossObject: false, relevance: true },
      { name: "plain", controls: ["C-0011", "C-0012", "C-0013"], matchKinds: ["Pod"], configInputs: [], crossObject: false },
    ],
    {},
    { "C-0013": "the kubelet check needs node data" },
  );
  const pods = [obj(0, "Pod", "a"), obj(1, "Pod", "kube-apiserver"), obj(2, "Pod", "c")];
  const scoreWith = (findings: FindingCollector) =>
    score({
      registry: reg,
      controls: [...reg.controls.values()],
      source: { objects: pods, skippedFiles: [], ignoredDocuments: 0, filesRead: 1 },
      findings,
      resolve: (_, reqs) => {
        for (const r of reqs) r.done({ line: 1, column: 1, exact: true });
      },
      target: { kind: "files", paths: ["f.yaml"] },
      startedAt: new Date(),
      generator: { name: "t", version: "0" },
      warnings: [],
    });
  const podAlert = (rule: string, id: number): Alert => ({ ...alert(rule, 0), objects: [{ apiVersion: "v1", kind: "Pod", name: pods[id].object.metadata!.name!, namespace: "ns", id }] });

  it("counts only the objects a rule's filter names: a control about none is not applicable, in no score and not passed", () => {
    const none = new FindingCollector([...reg.controls.values()], pods);
    const r = scoreWith(none);
    const c10 = r.controls.find((c) => c.id === "C-0010")!;
    expect(c10).toEqual(expect.objectContaining({ status: "not-applicable", resources: { passed: 0, failed: 0, excepted: 0 } }));
    expect(c10.score).toBeUndefined();
    // the same Pods count for a rule without a filter
    expect(r.controls.find((c) => c.id === "C-0011")).toMatchObject({ status: "passed", resources: { passed: 3, failed: 0 } });
    expect(r.summary.controls).toMatchObject({ passed: 3, notApplicable: 1 });
    expect(r.frameworks[0].controls).toMatchObject({ evaluated: 3, notApplicable: 1, skipped: 0 });
    expect(r.summary.complianceScore).toBe(100);

    const one = new FindingCollector([...reg.controls.values()], pods);
    one.addRelevant("apiserver-flag", [1]);
    expect(scoreWith(one).controls.find((c) => c.id === "C-0010")).toMatchObject({ status: "passed", score: 100, resources: { passed: 1, failed: 0 } });
  });

  it("an object the rule flags counts even when its filter did not name it", () => {
    const f = new FindingCollector([...reg.controls.values()], pods);
    f.addRelevant("apiserver-flag", [1]);
    f.add(podAlert("apiserver-flag", 1));
    f.add(podAlert("apiserver-flag", 2));
    expect(scoreWith(f).controls.find((c) => c.id === "C-0010")).toMatchObject({ status: "failed", score: 0, resources: { passed: 0, failed: 2 } });
  });

  it("a control with rules of its own and checks that need other data runs, marked partial with the reason", () => {
    expect(reg.control("C-0012")).toMatchObject({ skipReason: undefined, partial: expect.stringMatching(/^the checks that need host scanner data .* are not run$/) });
    expect(reg.control("C-0013")!.partial).toBe("the kubelet check needs node data");
    expect(reg.control("C-0011")!.partial).toBeUndefined();
    const r = scoreWith(FindingCollector.of([...reg.controls.values()], [podAlert("plain", 0)]));
    const c12 = r.controls.find((c) => c.id === "C-0012")!;
    expect(c12).toMatchObject({ status: "failed", resources: { passed: 2, failed: 1 }, partial: reg.control("C-0012")!.partial });
    expect(r.controls.find((c) => c.id === "C-0011")!.partial).toBeUndefined();
  });
});

describe("relevance of resources that were not scanned (RBAC subjects)", () => {
  const reg = new Registry(
    [fact("C-0015", 7, ["Role", "RoleBinding"])],
    [{ name: "F", controls: ["C-0015"], scopes: [] }],
    [{ name: "secrets", controls: ["C-0015"], matchKinds: ["Role", "RoleBinding"], configInputs: [], crossObject: true, relevance: true }],
  );
  const o = (id: number, apiVersion: string, kind: string, name: string, namespace = "shop"): ScanObject => ({
    id,
    object: { apiVersion, kind, metadata: { name, namespace } },
    source: { file: "f.yaml", docIndex: 0, itemPath: [] },
  });
  // a Role and its binding (context), and one bound ServiceAccount that is in the scanned files
  const objs = [o(0, "rbac.authorization.k8s.io/v1", "Role", "reader"), o(1, "rbac.authorization.k8s.io/v1", "RoleBinding", "bind"), o(2, "v1", "ServiceAccount", "billing")];
  const subject = (kind: string, name: string, namespace = "") => ({ apiVersion: kind === "ServiceAccount" ? "v1" : "rbac.authorization.k8s.io/v1", kind, name, namespace });
  const c15 = (f: FindingCollector) =>
    score({
      registry: reg,
      controls: [...reg.controls.values()],
      source: { objects: objs, skippedFiles: [], ignoredDocuments: 0, filesRead: 1 },
      findings: f,
      resolve: (_, reqs) => {
        for (const r of reqs) r.done({ line: 1, column: 1, exact: true });
      },
      target: { kind: "files", paths: ["f.yaml"] },
      startedAt: new Date(),
      generator: { name: "t", version: "0" },
      warnings: [],
    }).controls[0];

  it("counts the subjects the filter names, scanned or not, and not the Role or binding", () => {
    const f = new FindingCollector([...reg.controls.values()], objs);
    f.addRelevantRefs("secrets", [subject("User", "alice"), subject("Group", "ops"), subject("ServiceAccount", "billing", "shop")]);
    // the scanned ServiceAccount is that object, not a second resource
    expect([...f.relevant.get("secrets")!]).toEqual([2]);
    expect(f.relevantUnscanned.get("secrets")).toEqual(new Set(["rbac.authorization.k8s.io/v1//User/alice", "rbac.authorization.k8s.io/v1//Group/ops"]));
    expect(c15(f)).toMatchObject({ status: "passed", resources: { passed: 3, failed: 0 } });
  });

  it("a flagged subject the filter names is counted once; one it does not name still counts", () => {
    const f = new FindingCollector([...reg.controls.values()], objs);
    f.addRelevantRefs("secrets", [subject("User", "alice"), subject("ServiceAccount", "billing", "shop")]);
    const flag = (s: ReturnType<typeof subject>): Alert => ({ ...alert("secrets", 0), objects: [s], relatedObjects: [] });
    f.add(flag(subject("User", "alice")));
    f.add(flag(subject("ServiceAccount", "billing", "shop")));
    expect(c15(f)).toMatchObject({ status: "failed", score: 0, resources: { passed: 0, failed: 2 } });
    f.add(flag(subject("User", "mallory")));
    expect(c15(f)).toMatchObject({ resources: { passed: 0, failed: 3 } });
  });

  it("a control whose filter names no subject is not applicable, though Roles and bindings were scanned", () => {
    expect(c15(new FindingCollector([...reg.controls.values()], objs))).toMatchObject({ status: "not-applicable", resources: { passed: 0, failed: 0 } });
  });
});

describe("findings located in related objects", () => {
  const reg = new Registry([fact("C-0015", 7, ["Role", "RoleBinding"])], [], [{ name: "rbac", controls: ["C-0015"], matchKinds: ["Role", "RoleBinding"], configInputs: [], crossObject: true }]);
  const at = (id: number, kind: string, name: string, file: string): ScanObject => ({
    id,
    object: { apiVersion: kind === "ServiceAccount" ? "v1" : "rbac.authorization.k8s.io/v1", kind, metadata: { name, namespace: "shop" } },
    source: { file, docIndex: 0, itemPath: [] },
  });
  const objs = [at(0, "Role", "reader", "role.yaml"), at(1, "RoleBinding", "bind", "binding.yaml"), at(2, "ServiceAccount", "billing", "sa.yaml")];
  const ref = (o: ScanObject, withId = true) => ({ apiVersion: o.object.apiVersion, kind: o.object.kind, name: o.object.metadata!.name!, namespace: "shop", ...(withId ? { id: o.id } : {}) });
  const rbacAlert: Alert = {
    rule: "rbac",
    message: "can read secrets",
    // the subject as a binding names it: no id
    objects: [ref(objs[2], false)],
    relatedObjects: [ref(objs[1]), ref(objs[0])],
    failedPaths: ["relatedObjects[1].rules[1].verbs[0]", "relatedObjects[0].subjects[0]"],
    reviewPaths: [],
    deletePaths: [],
    fixPaths: [],
  };

  it("resolves each path against the related object it points into, and places the subject and related objects in their files", () => {
    const asked: { file: string; path: string }[] = [];
    const r = score({
      registry: reg,
      controls: [...reg.controls.values()],
      source: { objects: objs, skippedFiles: [], ignoredDocuments: 0, filesRead: 3 },
      findings: FindingCollector.of([...reg.controls.values()], [rbacAlert], objs),
      resolve: (_, reqs) => {
        for (const q of reqs) {
          asked.push({ file: q.source.file, path: q.path });
          q.done({ line: q.path === "" ? 1 : q.source.file === "role.yaml" ? 13 : 7, column: q.path === "" ? 1 : 5, exact: true });
        }
      },
      target: { kind: "files", paths: ["."] },
      startedAt: new Date(),
      generator: { name: "t", version: "0" },
      warnings: [],
    });
    // stays without objects: the ServiceAccount is the scanned object, with its own source
    const sa = r.resources.find((x) => x.kind === "ServiceAccount")!;
    expect(sa.source).toEqual({ file: "sa.yaml", line: 1, column: 1 });
    const f = sa.findings[0];
    expect(f.paths).toEqual([
      { type: "failed", path: "relatedObjects[1].rules[1].verbs[0]", object: "rbac.authorization.k8s.io/v1/shop/Role/reader", file: "role.yaml", line: 13, column: 5, exact: true },
      { type: "failed", path: "relatedObjects[0].subjects[0]", object: "rbac.authorization.k8s.io/v1/shop/RoleBinding/bind", file: "binding.yaml", line: 7, column: 5, exact: true },
    ]);
    // the related object's own path, without the prefix, in its own file
    expect(asked).toContainEqual({ file: "role.yaml", path: "rules[1].verbs[0]" });
    expect(asked).toContainEqual({ file: "binding.yaml", path: "subjects[0]" });
    expect(f.relatedSources).toEqual({
      "rbac.authorization.k8s.io/v1/shop/RoleBinding/bind": { file: "binding.yaml", line: 1, column: 1 },
      "rbac.authorization.k8s.io/v1/shop/Role/reader": { file: "role.yaml", line: 1, column: 1 },
    });
    expect(r.summary.resources.total).toBe(3);
  });
});

describe("findings kept compact and made per resource when read", () => {
  const named = (id: number, name: unknown): ScanObject => ({
    id,
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: name as string, namespace: "ns" } },
    source: { file: "f.yaml", docIndex: id, itemPath: [] },
  });
  // names that occur several times in a message, inside other words, too short to take out, or holding the template's own marker
  const pods = [named(0, "app"), named(1, "ab"), named(2, "x\u0000y"), named(3, "web"), named(4, 42)];
  const messages = [
    "Pod app: container app in app-1 runs as root (app)",
    "Pod ab: container abc is ab",
    "Pod x\u0000y: container x\u0000y",
    "Pod web: message with \u0000 of its own, web",
    "Pod 42: container 42",
  ];
  const many = Array.from({ length: 40 }, (_, i) => `spec.containers[${i}].image`);
  const podAlert = (id: number, extra: Partial<Alert> = {}): Alert => ({
    ...alert("r1", 0),
    message: messages[id],
    objects: [{ apiVersion: "v1", kind: "Pod", name: String(pods[id].object.metadata!.name), namespace: "ns", id }],
    ...extra,
  });
  const scoreOf = (findings: FindingCollector) =>
    score({
      registry,
      controls: [...registry.controls.values()],
      source: { objects: pods, skippedFiles: [], ignoredDocuments: 0, filesRead: 1 },
      findings,
      resolve: (_, reqs) => {
        for (const r of reqs) r.done({ line: r.source.docIndex * 100 + r.path.length, column: 1, exact: r.path !== "spec.y" });
      },
      target: { kind: "files", paths: ["f.yaml"] },
      startedAt: new Date(),
      generator: { name: "t", version: "0" },
      warnings: [],
    });

  it("gives back every message exactly, with the object's name where the rule wrote it", () => {
    const f = new FindingCollector([...registry.controls.values()], pods);
    for (let id = 0; id < pods.length; id++) f.add(podAlert(id));
    // a second alert of the same rule and object adds its message once, the repeat not at all
    f.add(podAlert(0, { message: "Pod app: second" }));
    f.add(podAlert(0));
    const r = scoreOf(f);
    const byName = new Map(r.resources.map((x) => [x.name, x.findings[0].message]));
    expect(byName.get("app")).toBe(`${messages[0]}; Pod app: second`);
    expect(byName.get("ab")).toBe(messages[1]);
    expect(byName.get("x\u0000y")).toBe(messages[2]);
    expect(byName.get("web")).toBe(messages[3]);
    expect(byName.get("")).toBeUndefined();
    expect(r.resources.map((x) => x.findings[0].message)).toContain(messages[4]);
  });

  it("a list past the shared-list length keeps every path once, in order, and objects with the same paths each get their own positions", () => {
    const f = new FindingCollector([...registry.controls.values()], pods);
    f.add(podAlert(0, { failedPaths: many.slice(0, 30), fixPaths: [] }));
    f.add(podAlert(0, { failedPaths: [...many.slice(20), ...many.slice(0, 5)], fixPaths: [] }));
    f.add(podAlert(3, { failedPaths: ["spec.x"] }));
    f.add(podAlert(1, { failedPaths: ["spec.x"] }));
    const r = scoreOf(f);
    const app = r.resources.find((x) => x.name === "app")!;
    expect(app.findings[0].paths.map((p) => p.path)).toEqual(many);
    expect(app.findings[0].paths[3]).toEqual({ type: "failed", path: many[3], line: many[3].length, column: 1, exact: true });
    const [ab, web] = ["ab", "web"].map((n) => r.resources.find((x) => x.name === n)!.findings[0].paths);
    expect(ab).toEqual([
      { type: "failed", path: "spec.x", line: 106, column: 1, exact: true },
      { type: "fix", path: "spec.y", value: "true", line: 106, column: 1, exact: false },
    ]);
    expect(web[0]).toEqual({ type: "failed", path: "spec.x", line: 306, column: 1, exact: true });
    // the resource's own position, after its findings as the report writes it
    expect(Object.keys(r.resources[0])).toEqual(["resourceID", "apiVersion", "kind", "name", "namespace", "findings", "source"]);
    expect(r.resources.find((x) => x.name === "web")!.source).toEqual({ file: "f.yaml", line: 300, column: 1 });
  });

  it("reads the same as plain data, one finding alone the same as with the others, and a baseline's marks stay on every read", async () => {
    const { findingAt } = await import("../src/core/scoring/result.js");
    const f = new FindingCollector([...registry.controls.values()], pods);
    for (let id = 0; id < 4; id++) f.add(podAlert(id));
    for (let id = 0; id < 4; id++) f.add({ ...podAlert(id), rule: "r2" });
    const r = scoreOf(f);
    const plain = JSON.parse(JSON.stringify(r));
    expect(structuredClone(r)).toEqual(plain);
    for (const res of r.resources) {
      expect(res.findings.length).toBe(2);
      res.findings.forEach((x, j) => expect(findingAt(res, j)).toEqual(x));
    }
    // a change made in place to findings made on read is not kept; the baseline's is
    r.resources[0].findings[0].message = "changed";
    expect(r.resources[0].findings[0].message).not.toBe("changed");
    applyBaseline(r, { resources: plain.resources.slice(1) }, "before.json");
    expect(r.resources[0].findings.map((x) => x.baseline)).toEqual(["new", "new"]);
    expect(findingAt(r.resources[0], 1)!.baseline).toBe("new");
    expect(r.resources[1].findings.map((x) => x.baseline)).toEqual(["existing", "existing"]);
    expect(JSON.parse(JSON.stringify(r)).resources[1].findings[0].baseline).toBe("existing");
    // setting findings stores them as given
    r.resources[2].findings = [];
    expect(r.resources[2].findings).toEqual([]);
  });
});

describe("IdSet", () => {
  it("holds non-negative integers as bits, each once, in ascending order, very large ones apart", async () => {
    const { IdSet } = await import("../src/core/id-set.js");
    const s = new IdSet([5, 0, 31, 32, 5, 100_000, 2 ** 30, -1, 1.5, NaN]);
    expect([...s]).toEqual([0, 5, 31, 32, 100_000, 2 ** 30]);
    expect(s.size).toBe(6);
    expect([0, 5, 31, 32, 100_000, 2 ** 30].every((id) => s.has(id))).toBe(true);
    expect([1, 30, 33, 99_999, 100_001, -1, 1.5, 2 ** 30 + 1, 10 ** 9].some((id) => s.has(id))).toBe(false);
    expect([...new IdSet()]).toEqual([]);
  });
});
