// The operator's storage mapping: a real scan → Kubescape-shaped result objects (names,
// labels, field names, statuses, paths, summaries) → back into a report that every format
// renders. No cluster: the mapping is pure.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scanner, streamSource, selectControls, render, type ScanReport } from "../src/core/index.js";
import {
  resultName,
  resultLabels,
  toLabelValue,
  toWorkloadScans,
  toSummary,
  toNamespaceSummaries,
  reportFromStored,
  controlInfo,
  findingsReader,
  mappingTables,
  resultMetadata,
  severitiesOf,
  WorkloadScans,
  wlid,
  type ControlInfo,
  type ObjectRef,
} from "../src/operator/storage.js";
import { defer, render as renderResult, specOf } from "../src/operator/render.js";
import { allChartCrds } from "../src/operator/chart.js";

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: quiet
  namespace: shop
  annotations: {"ignore-control.kubescape.io/C-0057": "accepted: node agent"}
spec:
  selector: {matchLabels: {app: quiet}}
  template:
    metadata: {labels: {app: quiet}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {privileged: true}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`;

let scanner: Scanner;
let report: ScanReport;
let infos: ControlInfo[];
const refs: ObjectRef[] = [
  { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
  { apiVersion: "apps/v1", kind: "Deployment", name: "quiet", namespace: "shop" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "reader", namespace: "" },
];

beforeAll(async () => {
  scanner = await Scanner.create({ threads: 1 });
  report = await scanner.scan({ source: streamSource("<test>", MANIFESTS) });
  infos = selectControls(scanner.registry, {})
    .filter((c) => !c.skipReason)
    .map(controlInfo);
}, 120_000);
afterAll(() => scanner?.close());

describe("names and labels", () => {
  it("names results as Kubescape's resource slug: sanitised apiVersion-Kind-namespace-name plus SHA-256 pieces", () => {
    const ref = refs[0];
    const hash = createHash("sha256").update("apps/v1-Deployment-shop-web").digest("hex");
    expect(resultName(ref)).toBe(`apps-v1-deployment-shop-web-${hash.slice(0, 4)}-${hash.slice(-4)}`);
    // cluster-scoped: the empty namespace leaves a double dash, as Kubescape's does
    expect(resultName(refs[2])).toMatch(/^rbac.authorization.k8s.io-v1-clusterrole--reader-[0-9a-f]{4}-[0-9a-f]{4}$/);
    const long = resultName({ ...ref, name: "x".repeat(300) });
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
  });

  it("labels results with kubescape.io/workload-* (label values sanitised) and annotates Kubescape's wlid", () => {
    expect(resultLabels(refs[0])).toMatchObject({
      "kubescape.io/workload-api-group": "apps",
      "kubescape.io/workload-api-version": "v1",
      "kubescape.io/workload-kind": "Deployment",
      "kubescape.io/workload-name": "web",
      "kubescape.io/workload-namespace": "shop",
    });
    expect(resultLabels(refs[2])["kubescape.io/workload-namespace"]).toBeUndefined();
    expect(resultLabels({ ...refs[1], apiVersion: "v1" })["kubescape.io/workload-api-group"]).toBe("");
    expect(toLabelValue("a:b/c" + "z".repeat(80))).toMatch(/^a-b-cz+$/);
    expect(toLabelValue("a:b/c" + "z".repeat(80)).length).toBe(63);
    expect(wlid("prod", refs[0])).toBe("wlid://cluster-prod/namespace-shop/deployment-web");
  });
});

describe("report → WorkloadConfigurationScan", () => {
  it("holds every control that checks the kind, keyed by ID, with Kubescape's field names; C-0057 failed with its failed path", () => {
    const scans = toWorkloadScans(report, refs, { namespace: "kubescape", cluster: "test", controls: infos });
    const web = scans.find((s) => s.metadata.labels["kubescape.io/workload-name"] === "web")!;
    expect(web.apiVersion).toBe("spdx.softwarecomposition.kubescape.io/v1beta1");
    expect(web.kind).toBe("WorkloadConfigurationScan");
    expect(web.metadata.namespace).toBe("shop");
    const c57 = web.spec.controls["C-0057"];
    expect(c57).toMatchObject({ controlID: "C-0057", severity: { severity: "High", scoreFactor: 8 }, status: { status: "failed" } });
    expect(c57.name).toMatch(/privileged/i);
    expect(c57.rules[0].name).toBeTruthy();
    expect(c57.rules[0].status.status).toBe("failed");
    expect(c57.rules[0].paths).toContainEqual({ failedPath: "spec.template.spec.containers[0].securityContext.privileged" });
    // a control of the kind with no failure passed; a control of another kind is not there
    const passed = Object.values(web.spec.controls).filter((c) => c.status.status === "passed");
    expect(passed.length).toBeGreaterThan(5);
    expect(Object.keys(web.spec.controls).every((id) => infos.find((i) => i.id === id)!.kinds.has("Deployment"))).toBe(true);
    // the report says how many controls failed on it; the stored object agrees
    const failedIds = report.resources
      .find((r) => r.name === "web")!
      .findings.filter((f) => f.status === "failed")
      .map((f) => f.controlID);
    expect(
      Object.values(web.spec.controls)
        .filter((c) => c.status.status === "failed")
        .map((c) => c.controlID)
        .sort(),
    ).toEqual([...failedIds].sort());
  });

  it("stores an excepted failure as passed w/exceptions naming the exception; cluster-scoped results live in the operator's namespace", () => {
    const scans = toWorkloadScans(report, refs, { namespace: "kubescape", cluster: "test", controls: infos });
    const quiet = scans.find((s) => s.metadata.labels["kubescape.io/workload-name"] === "quiet")!;
    expect(quiet.spec.controls["C-0057"].status).toEqual({ status: "passed", subStatus: "w/exceptions" });
    expect(quiet.spec.controls["C-0057"].rules[0].appliedIgnoreRules?.length).toBe(1);
    const role = scans.find((s) => s.metadata.labels["kubescape.io/workload-kind"] === "ClusterRole")!;
    expect(role.metadata.namespace).toBe("kubescape");
  });

  it("summaries count failed controls by severity; the namespace summary adds them up and names each workload summary", () => {
    const scans = toWorkloadScans(report, refs, { namespace: "kubescape", cluster: "test", controls: infos });
    const sums = scans.map(toSummary);
    const web = sums.find((s) => s.metadata.labels["kubescape.io/workload-name"] === "web")!;
    const failed = Object.values(web.spec.controls).filter((c) => c.status.status === "failed");
    expect(web.spec.severities.high).toBe(failed.filter((c) => c.severity.severity === "High").length);
    expect(web.spec.severities.critical + web.spec.severities.high + web.spec.severities.medium + web.spec.severities.low + web.spec.severities.unknown).toBe(failed.length);
    expect(web.spec.controls["C-0057"]).toEqual({ controlID: "C-0057", severity: { severity: "High", scoreFactor: 8 }, status: { status: "failed" } });
    const ns = toNamespaceSummaries(sums);
    expect(ns.map((n) => n.metadata.name)).toEqual(["kubescape", "shop"]);
    const shop = ns.find((n) => n.metadata.name === "shop")!;
    expect(shop.kind).toBe("ConfigurationScanSummary");
    expect(shop.spec.summaryRef).toHaveLength(2);
    expect(shop.spec.summaryRef[0]).toMatchObject({ namespace: "shop", kind: "WorkloadConfigurationScanSummary" });
    expect(shop.spec.severities.high).toBe(sums.filter((s) => s.metadata.namespace === "shop").reduce((n, s) => n + s.spec.severities.high, 0));
  });

  it("the content digest ignores the scan time but not a changed status", () => {
    const [a] = toWorkloadScans(report, refs.slice(0, 1), { namespace: "k", cluster: "c", controls: infos }, "2024-01-01T00:00:00Z");
    const [b] = toWorkloadScans(report, refs.slice(0, 1), { namespace: "k", cluster: "c", controls: infos }, "2025-01-01T00:00:00Z");
    expect(renderResult(a).digest).toBe(renderResult(b).digest);
    b.spec.controls["C-0057"].status.status = "passed";
    expect(renderResult(a).digest).not.toBe(renderResult(b).digest);
  });

  it("a deferred result (what our store keeps) makes the mapping's spec, counts its severities, and has a digest of its findings, not of the scan time", async () => {
    const opts = { namespace: "k", cluster: "c", controls: infos };
    const tables = mappingTables(report, opts, "2024-01-01T00:00:00Z");
    const read = findingsReader(report);
    const mapped = toWorkloadScans(report, refs, opts, "2024-01-01T00:00:00Z");
    const scans = new WorkloadScans(tables);
    const deferred = refs.filter((r) => scans.controlsOf(r.kind).length).map((r) => defer(resultMetadata(r, tables), read(r), tables));
    expect(deferred).toHaveLength(mapped.length);
    deferred.forEach((d, i) => {
      expect(JSON.parse(Buffer.from(specOf(d)).toString("utf8"))).toEqual(mapped[i].spec);
      expect(d.metadata).toEqual(mapped[i].metadata);
      expect(d.severities).toEqual(severitiesOf(Object.values(mapped[i].spec.controls)));
    });
    // each is stored with its kind's controls only: the two Deployments share them, the ClusterRole has others
    expect(deferred[0].tablesDigest).toBe(deferred[1].tablesDigest);
    expect(deferred[2].tablesDigest).not.toBe(deferred[0].tablesDigest);
    expect(deferred[0].tables.controls.map((c) => c.id)).toEqual(scans.controlsOf("Deployment").map((c) => c.id));
    expect(deferred[0].tables.controls.length).toBeLessThan(tables.controls.length);
    // web fails C-0057 (High), quiet's C-0057 is excepted: it does not count
    expect(deferred[0].severities.high).toBeGreaterThan(deferred[1].severities.high);

    // the scan time is not in the digest; the same content in other tables objects is the same
    const later = mappingTables(report, opts, "2025-01-01T00:00:00Z");
    const again = defer(resultMetadata(refs[0], later), findingsReader(report)(refs[0]), later);
    expect(again.digest).toBe(deferred[0].digest);
    expect(again.tablesDigest).toBe(deferred[0].tablesDigest);
    // an event's scan runs only the controls that check the changed kinds: the same findings, the same digest
    const only = { ...tables, controls: tables.controls.filter((c) => c.kinds.has("Deployment")) };
    expect(only.controls.length).toBeLessThan(tables.controls.length);
    expect(defer(resultMetadata(refs[0], only), read(refs[0]), only).digest).toBe(deferred[0].digest);
    // a finding that changes changes it
    const changed = read(refs[0]);
    changed.findings = changed.findings.map((f) => (f.controlID === "C-0057" ? { ...f, status: "excepted" as const, exception: "x" } : f));
    expect(defer(resultMetadata(refs[0], tables), changed, tables).digest).not.toBe(deferred[0].digest);
    // and so do the tables: a control that was skipped
    const skipped = { ...tables, outcomes: { ...tables.outcomes, "C-0013": { status: "skipped" as const } } };
    expect(defer(resultMetadata(refs[0], skipped), read(refs[0]), skipped).digest).not.toBe(deferred[0].digest);

    // findings are canonical: the objects scanned in the other order give the same text
    const docs = MANIFESTS.split(/^---\n/m)
      .reverse()
      .join("---\n");
    const other = await scanner.scan({ source: streamSource("<test>", docs) });
    for (const r of refs) expect(JSON.stringify(findingsReader(other)(r))).toBe(JSON.stringify(read(r)));
  });

  it("fits the CRD schema of the chart (every field it writes is declared, so none is pruned)", () => {
    const crd = allChartCrds().find((c) => c.metadata.name === "workloadconfigurationscans.spdx.softwarecomposition.kubescape.io")!;
    const schema = crd.spec.versions[0].schema.openAPIV3Schema;
    const check = (value: unknown, s: any, at: string) => {
      if (s["x-kubernetes-preserve-unknown-fields"]) return;
      if (Array.isArray(value)) return value.forEach((v, i) => check(v, s.items, `${at}[${i}]`));
      if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
          const sub = s.properties?.[k] ?? s.additionalProperties;
          expect(sub, `${at}.${k} is not in the CRD schema`).toBeTruthy();
          check(v, sub, `${at}.${k}`);
        }
      }
    };
    for (const scan of toWorkloadScans(report, refs, { namespace: "k", cluster: "c", controls: infos })) check({ spec: scan.spec }, schema, "");
  });
});

describe("stored results → report", () => {
  it("reads back the same failures, statuses and paths, and renders in every format", async () => {
    const scans = toWorkloadScans(report, refs, { namespace: "kubescape", cluster: "test", controls: infos });
    const back = reportFromStored(JSON.parse(JSON.stringify(scans)), {
      controls: new Map(infos.map((i) => [i.id, i])),
      frameworks: [...scanner.registry.frameworks.values()].map((f) => ({ name: f.name, controls: f.controls })),
    });
    const failedPairs = (r: ScanReport) => r.resources.flatMap((x) => x.findings.filter((f) => f.status === "failed").map((f) => `${x.kind}/${x.namespace}/${x.name}:${f.controlID}`)).sort();
    expect(failedPairs(back)).toEqual(failedPairs(report));
    const web = back.resources.find((r) => r.name === "web")!;
    expect(web.resourceID).toBe(report.resources.find((r) => r.name === "web")!.resourceID);
    expect(web.findings.find((f) => f.controlID === "C-0057")!.paths).toContainEqual({ type: "failed", path: "spec.template.spec.containers[0].securityContext.privileged" });
    expect(back.resources.find((r) => r.name === "quiet")!.findings.find((f) => f.controlID === "C-0057")!.status).toBe("excepted");
    const c57 = back.controls.find((c) => c.id === "C-0057")!;
    expect(c57).toMatchObject({ status: "failed", severity: "High", resources: { passed: 0, failed: 1, excepted: 1 } });
    expect(back.summary.resources.total).toBe(3);
    expect(back.frameworks.length).toBeGreaterThan(0);
    for (const f of ["json", "sarif", "junit", "csv", "markdown", "prometheus", "html", "pretty"] as const) {
      const out = await render(f, back, { color: false });
      expect(String(out).length, f).toBeGreaterThan(100);
    }
  });

  it("reads Kubescape's own results by their labels, and names malformed items instead of failing", () => {
    const theirs = {
      metadata: {
        name: "x",
        namespace: "shop",
        labels: {
          "kubescape.io/workload-api-group": "apps",
          "kubescape.io/workload-api-version": "v1",
          "kubescape.io/workload-kind": "Deployment",
          "kubescape.io/workload-name": "api",
          "kubescape.io/workload-namespace": "shop",
        },
      },
      spec: {
        controls: {
          "C-0057": {
            controlID: "C-0057",
            name: "Privileged container",
            severity: { severity: "High", scoreFactor: 8 },
            status: { status: "failed" },
            rules: [{ name: "rule-privilege-escalation", paths: [{ failedPath: "spec.x", fixPath: "", fixPathValue: "", fixCommand: "" }] }],
          },
        },
      },
    };
    const back = reportFromStored([theirs, { spec: 3 }, null, { metadata: { name: "y" }, spec: { controls: {} } }]);
    expect(back.resources).toHaveLength(1);
    expect(back.resources[0]).toMatchObject({ resourceID: "apps/v1/shop/Deployment/api", findings: [{ controlID: "C-0057", status: "failed", paths: [{ type: "failed", path: "spec.x" }] }] });
    expect(back.warnings).toHaveLength(3);
  });
});
