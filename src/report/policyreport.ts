// The policyreport format: wgpolicyk8s.io/v1alpha2 PolicyReport objects, one per namespace
// with results, plus one ClusterPolicyReport, as a multi-document YAML stream ready for
// `kubectl apply -f`. CRD: test/cluster/crds/policyreport-crd.yaml.
//
// Choices (the v1alpha2 spec leaves them to the producer):
// - A failed finding is one `fail` result for its resource. An excepted finding is a `skip`
//   result (as Kyverno reports policy exceptions) with properties.exception naming it.
// - The scan model lists only resources that failed, so a passed control cannot be pinned
//   to namespaces: each control that passed everywhere is one `pass` result, without
//   resources, in the ClusterPolicyReport. Skipped (not evaluated) controls are left out.
// - Where a resource goes: cluster-scoped kinds → ClusterPolicyReport. A namespaced
//   resource without a namespace goes to "default" in a file scan (where `kubectl apply`
//   would put it); in a cluster scan an empty namespace means the API server called the
//   kind cluster-scoped.
// - Size: a report holds results up to MAX_RESULTS_BYTES of JSON; more spill into
//   kubescape-<ns>-2, -3, … so each object stays under the 256 KiB last-applied annotation
//   of client-side `kubectl apply` (and far under etcd's object limit).
import YAML from "yaml";
import type { ScanReport, ResourceResult, ResourceFinding, ControlResult } from "../core/scoring/result.js";
import { findingView, type FieldView } from "./view.js";
import type { Reporter } from "./index.js";
import { loc } from "./text.js";

export const API_VERSION = "wgpolicyk8s.io/v1alpha2";
const MAX_RESULTS_BYTES = 180 * 1024;
const MANAGED_BY = { "app.kubernetes.io/managed-by": "kubescape" };

/** Built-in cluster-scoped kinds (those a file scan may meet). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "APIService",
  "PodSecurityPolicy",
  "CertificateSigningRequest",
  "ComponentStatus",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "ClusterPolicyReport",
  "ClusterTrustBundle",
  "IPAddress",
  "ServiceCIDR",
  "DeviceClass",
  "ResourceSlice",
  "User",
  "Group",
]);

export type PolicyResultValue = "pass" | "fail" | "warn" | "error" | "skip";

export interface PolicyReportResult {
  policy: string;
  rule: string;
  category: string;
  severity: "critical" | "high" | "medium" | "low" | "info";
  result: PolicyResultValue;
  message: string;
  resources?: { apiVersion: string; kind: string; name: string; namespace?: string }[];
  properties?: Record<string, string>;
  source: string;
  timestamp: { seconds: number; nanos: number };
}

export interface PolicyReportObject {
  apiVersion: typeof API_VERSION;
  kind: "PolicyReport" | "ClusterPolicyReport";
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: Record<PolicyResultValue, number>;
  results: PolicyReportResult[];
}

/** Where a resource's results go: its namespace, or "" for the ClusterPolicyReport. */
export function reportNamespace(r: Pick<ResourceResult, "kind" | "namespace">, target: ScanReport["target"]["kind"]): string {
  if (CLUSTER_SCOPED.has(r.kind)) return "";
  if (r.namespace) return r.namespace;
  return target === "cluster" ? "" : "default";
}

export function policyReports(report: ScanReport): PolicyReportObject[] {
  return [...policyReportObjects(report)];
}

/**
 * The objects one at a time: each namespace's results are made as its objects are written
 * (a scan of 100,000 Pods in one namespace has 2.6 million), the namespace holding only the
 * numbers of its resources meanwhile.
 */
export function* policyReportObjects(report: ScanReport): Generator<PolicyReportObject> {
  const started = Date.parse(report.startedAt);
  const ms = Number.isFinite(started) ? started : 0;
  const timestamp = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
  const controls = new Map(report.controls.map((c) => [c.id, c]));
  const fwOrder = report.frameworks.map((f) => f.name).filter((n) => n !== "AllControls");
  const base = (ctl: ControlResult | undefined, id: string) => ({
    policy: id,
    rule: ctl?.name ?? id,
    category: fwOrder.find((n) => ctl?.frameworks.includes(n)) ?? "Kubescape",
    severity: (ctl?.severity ?? "Info").toLowerCase() as PolicyReportResult["severity"],
  });

  const byNamespace = new Map<string, number[]>([["", []]]);
  report.resources.forEach((r, i) => {
    const ns = reportNamespace(r, report.target.kind);
    const list = byNamespace.get(ns);
    if (list) list.push(i);
    else byNamespace.set(ns, [i]);
  });
  function* resultsOf(ns: string): Generator<PolicyReportResult> {
    for (const i of byNamespace.get(ns)!) {
      const r = report.resources[i];
      for (const f of r.findings) {
        const ctl = controls.get(f.controlID);
        yield {
          ...base(ctl, f.controlID),
          result: f.status === "failed" ? "fail" : "skip",
          message: f.message || `${r.kind} ${r.name}: ${ctl?.name ?? f.controlID}`,
          resources: [{ apiVersion: r.apiVersion, kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) }],
          properties: properties(report, r, f, ctl),
          source: "kubescape",
          timestamp,
        };
      }
    }
    if (ns !== "") return;
    for (const ctl of report.controls) {
      if (ctl.status === "not-applicable") {
        yield {
          ...base(ctl, ctl.id),
          result: "skip",
          message: "not applicable: no scanned resource is one this control is about",
          properties: { status: "not-applicable", frameworks: ctl.frameworks.join(", ") },
          source: "kubescape",
          timestamp,
        };
        continue;
      }
      if (ctl.status !== "passed") continue;
      const n = ctl.resources.passed + ctl.resources.excepted;
      yield {
        ...base(ctl, ctl.id),
        result: "pass",
        message: `passed on ${n} resource${n === 1 ? "" : "s"}${ctl.resources.excepted ? ` (${ctl.resources.excepted} excepted)` : ""}`,
        properties: { passedResources: String(ctl.resources.passed), exceptedResources: String(ctl.resources.excepted), frameworks: ctl.frameworks.join(", ") },
        source: "kubescape",
        timestamp,
      };
    }
  }

  const namespaces = [...byNamespace.keys()].sort();
  for (const ns of namespaces) {
    let i = 0;
    for (const part of chunk(resultsOf(ns))) {
      if (ns && !part.length) continue;
      const suffix = i === 0 ? "" : `-${i + 1}`;
      i++;
      yield {
        apiVersion: API_VERSION,
        kind: ns ? "PolicyReport" : "ClusterPolicyReport",
        metadata: { name: objectName(ns ? `kubescape-${ns}` : "kubescape-cluster", suffix), ...(ns ? { namespace: ns } : {}), labels: { ...MANAGED_BY } },
        summary: summarize(part),
        results: part,
      };
    }
  }
}

function properties(report: ScanReport, r: ResourceResult, f: ResourceFinding, ctl: ControlResult | undefined): Record<string, string> {
  const p: Record<string, string> = { resourceID: r.resourceID };
  const view = findingView(r, f);
  if (view.failed.length) p.failedPaths = view.failed.map((x) => x.path).join(", ");
  if (view.fixes.length) p.fixPaths = view.fixes.map(fixText).join(", ");
  if (report.target.kind === "files" && view.lineFile !== undefined) p.file = loc(view.lineFile, view.line, view.column);
  if (f.relatedObjects.length) p.relatedObjects = f.relatedObjects.join(", ");
  if (f.status === "excepted") p.exception = f.exception ?? "excepted";
  if (ctl?.frameworks.length) p.frameworks = ctl.frameworks.join(", ");
  return p;
}

function fixText(p: FieldView): string {
  return p.fix === "remove" ? `remove ${p.path}` : `${p.path}=${p.fix?.value ?? ""}`;
}

function summarize(results: PolicyReportResult[]): Record<PolicyResultValue, number> {
  const s: Record<PolicyResultValue, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

/** Split results so each part's JSON stays under MAX_RESULTS_BYTES (one oversized result stands alone); at least one part, maybe empty. */
function* chunk(results: Iterable<PolicyReportResult>): Generator<PolicyReportResult[]> {
  let part: PolicyReportResult[] = [];
  let size = 0;
  for (const r of results) {
    const n = Buffer.byteLength(JSON.stringify(r));
    if (size + n > MAX_RESULTS_BYTES && part.length) {
      yield part;
      part = [];
      size = 0;
    }
    part.push(r);
    size += n;
  }
  yield part;
}

/** A valid object name (DNS subdomain) even when the namespace in a file is not a valid one. */
function objectName(name: string, suffix: string): string {
  const clean = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .replace(/[^a-z0-9]+$/, "");
  return clean.slice(0, 253 - suffix.length).replace(/[^a-z0-9]+$/, "") + suffix;
}

// YAML 1.1 quoting: kubectl reads YAML 1.1, where a bare yes/on/y would become a boolean
const YAML_OPTIONS = { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false } as const;

export function renderPolicyReport(report: ScanReport): string {
  return [...renderPolicyReportChunks(report)].join("");
}

/** The YAML stream an object at a time. */
export function* renderPolicyReportChunks(report: ScanReport): Generator<string> {
  for (const o of policyReportObjects(report)) yield "---\n" + YAML.stringify(o, YAML_OPTIONS);
}

export const reporter: Reporter = { ext: "policyreport.yaml", render: renderPolicyReport, chunks: renderPolicyReportChunks };
