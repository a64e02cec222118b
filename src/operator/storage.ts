// Scan results as Kubernetes objects in Kubescape's storage shapes (group
// spdx.softwarecomposition.kubescape.io/v1beta1): one WorkloadConfigurationScan and one
// WorkloadConfigurationScanSummary per scanned object, one ConfigurationScanSummary per
// namespace — so tools that read Kubescape's results read ours. Pure: ScanReport → objects
// and stored objects → ScanReport; nothing here talks to a cluster.
//
// Field names follow Kubescape's storage API types (WorkloadConfigurationScanSpec: controls
// keyed by control ID, each with controlID, name, severity{severity, scoreFactor},
// status{status, subStatus, info} and rules[]{name, status, paths[]{failedPath, fixPath,
// fixPathValue, fixCommand}, controlConfigurations, appliedIgnoreRules,
// relatedResourcesIDs}; relatedObjects[]). Object names are Kubescape's resource slugs
// (sanitised "<apiVersion>-<Kind>-<namespace>-<name>" plus two 4-hex pieces of its SHA-256)
// and labels are its kubescape.io/workload-* labels.
import { createHash } from "node:crypto";
import type { Severity } from "../core/model.js";
import type { ControlResult, PathEntry, ResourceFinding, ResourceResult, ScanReport } from "../core/scoring/result.js";
import { SCHEMA_VERSION } from "../core/scoring/result.js";
import { resultTotals } from "../core/scoring/assemble.js";
import { round } from "../core/scoring/score.js";
import type { Control } from "../core/engine/registry.js";

export const STORAGE_GROUP = "spdx.softwarecomposition.kubescape.io";
export const STORAGE_VERSION = "v1beta1";
export const STORAGE_API_VERSION = `${STORAGE_GROUP}/${STORAGE_VERSION}`;
export const KINDS = {
  scan: { kind: "WorkloadConfigurationScan", plural: "workloadconfigurationscans", namespaced: true },
  summary: { kind: "WorkloadConfigurationScanSummary", plural: "workloadconfigurationscansummaries", namespaced: true },
  namespaceSummary: { kind: "ConfigurationScanSummary", plural: "configurationscansummaries", namespaced: false },
} as const;

export const LABEL = {
  apiGroup: "kubescape.io/workload-api-group",
  apiVersion: "kubescape.io/workload-api-version",
  kind: "kubescape.io/workload-kind",
  name: "kubescape.io/workload-name",
  namespace: "kubescape.io/workload-namespace",
  /** ours: which results this operator wrote (and may delete) */
  managedBy: "app.kubernetes.io/managed-by",
} as const;
export const MANAGED_BY = "kubescape-ts";
export const ANNOTATION = {
  wlid: "kubescape.io/wlid",
  /** ours: the report's resource ID, so results read back without guessing from labels */
  resourceID: "kubescape-ts.io/resource-id",
  scannedAt: "kubescape-ts.io/scanned-at",
  /** ours: digest of the content (writer.ts), so a write that changes nothing is not sent */
  digest: "kubescape-ts.io/digest",
} as const;

/** What the mapping needs to know of a scanned object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** What the mapping needs to know of a control: which kinds it checks and its rules. */
export interface ControlInfo {
  id: string;
  name: string;
  severity: Severity;
  baseScore: number;
  /** kinds the control checks (its matchKinds and its rules') */
  kinds: ReadonlySet<string>;
  /** its rules, each with the kinds it matches */
  rules: { name: string; matchKinds: string[] }[];
  frameworks: string[];
}

/** A control of the registry as the storage mapping needs it. */
export function controlInfo(c: Control): ControlInfo {
  return {
    id: c.id,
    name: c.name,
    severity: c.severity,
    baseScore: c.baseScore,
    kinds: new Set([...c.matchKinds, ...c.rules.flatMap((r) => r.matchKinds)]),
    rules: c.rules.map((r) => ({ name: r.name, matchKinds: r.matchKinds })),
    frameworks: c.frameworks,
  };
}

type Obj = Record<string, any>;

export interface RulePath {
  failedPath?: string;
  fixPath?: string;
  fixPathValue?: string;
  fixCommand?: string;
}

export interface ScannedControl {
  controlID: string;
  name: string;
  severity: { severity: string; scoreFactor: number };
  status: { status: string; subStatus?: string; info?: string };
  /** left out when empty (a control without a finding): Kubescape's Go type reads it as nil */
  rules?: {
    name: string;
    status: { status: string; subStatus?: string };
    controlConfigurations?: Record<string, unknown>;
    paths?: RulePath[];
    appliedIgnoreRules?: string[];
    relatedResourcesIDs?: string[];
  }[];
}

export interface WorkloadConfigurationScan {
  apiVersion: string;
  kind: "WorkloadConfigurationScan";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    controls: Record<string, ScannedControl>;
    relatedObjects: { namespace: string; apiGroup: string; apiVersion: string; kind: string; name: string }[];
  };
}

export interface Severities {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}

export interface WorkloadConfigurationScanSummary {
  apiVersion: string;
  kind: "WorkloadConfigurationScanSummary";
  metadata: WorkloadConfigurationScan["metadata"];
  spec: {
    severities: Severities;
    controls: Record<string, Pick<ScannedControl, "controlID" | "severity" | "status">>;
  };
}

export interface ConfigurationScanSummary {
  apiVersion: string;
  kind: "ConfigurationScanSummary";
  metadata: { name: string; labels: Record<string, string> };
  spec: { severities: Severities; summaryRef: { namespace: string; kind: string; name: string }[] };
}

// Kubescape's severity names; our Info is its Unknown
const SEVERITY_NAME: Record<Severity, string> = { Critical: "Critical", High: "High", Medium: "Medium", Low: "Low", Info: "Unknown" };
const SEVERITY_KEY: Record<Severity, keyof Severities> = { Critical: "critical", High: "high", Medium: "medium", Low: "low", Info: "unknown" };
const FROM_SEVERITY: Record<string, Severity> = { Critical: "Critical", High: "High", Medium: "Medium", Low: "Low", Unknown: "Info" };
/** Kubescape's sub-status of a failure an exception covers */
export const SUB_STATUS_EXCEPTED = "w/exceptions";

// --- names and labels ------------------------------------------------------------------

const DNS_SUBDOMAIN = /^[a-z0-9][a-z0-9.-]{0,251}[a-z0-9]$/;
const LABEL_VALUE = /^$|^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const trimNonAlnum = (s: string) => s.replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, "");

/** A string made a valid DNS subdomain the way Kubescape's names package does it. */
function toDnsSubdomain(s: string): string {
  if (DNS_SUBDOMAIN.test(s)) return s;
  return trimNonAlnum(
    s
      .replace(/[^a-zA-Z0-9.-]/g, "-")
      .toLowerCase()
      .replace(/^-+|-+$/g, "")
      .slice(0, 253),
  );
}

/** A label value as Kubescape sanitises it: other characters become "-", at most 63, alphanumeric at both ends. */
export function toLabelValue(s: string): string {
  if (LABEL_VALUE.test(s)) return s;
  return trimNonAlnum(
    s
      .replace(/[^a-zA-Z0-9\-_.]/g, "-")
      .toLowerCase()
      .replace(/^-+|-+$/g, "")
      .slice(0, 63),
  );
}

/** Kubescape's resource slug: the name of the results of one object. */
export function resultName(ref: ObjectRef): string {
  const str = `${ref.apiVersion}-${ref.kind}-${ref.namespace}-${ref.name}`;
  const hash = createHash("sha256").update(str).digest("hex");
  const base = toDnsSubdomain(str).slice(0, 253 - 10);
  return `${base}-${hash.slice(0, 4)}-${hash.slice(-4)}`.toLowerCase();
}

const splitApiVersion = (apiVersion: string): [string, string] => {
  const i = apiVersion.lastIndexOf("/");
  return i < 0 ? ["", apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
};

/** The labels Kubescape puts on the results of one object (plus ours, managed-by). */
export function resultLabels(ref: ObjectRef): Record<string, string> {
  const [group, version] = splitApiVersion(ref.apiVersion);
  const labels: Record<string, string> = {
    [LABEL.apiGroup]: toLabelValue(group),
    [LABEL.apiVersion]: toLabelValue(version),
    [LABEL.kind]: toLabelValue(ref.kind),
    [LABEL.name]: toLabelValue(ref.name),
    [LABEL.managedBy]: MANAGED_BY,
  };
  if (ref.namespace) labels[LABEL.namespace] = toLabelValue(ref.namespace);
  return labels;
}

/** Kubescape's workload ID: wlid://cluster-<cluster>/namespace-<ns>/<kind>-<name>. */
export function wlid(cluster: string, ref: ObjectRef): string {
  return `wlid://cluster-${cluster}/namespace-${ref.namespace}/${ref.kind.toLowerCase()}-${ref.name}`;
}

/** The report's resource ID of an object (Kubescape's: group/version/namespace/Kind/name). */
export function resourceIdOf(ref: ObjectRef): string {
  const [group, version] = splitApiVersion(ref.apiVersion);
  return `${group}/${version}/${ref.namespace}/${ref.kind}/${ref.name}`;
}

/** The key of one object, for maps and queues. */
export const refKey = (ref: ObjectRef) => `${ref.apiVersion}|${ref.kind}|${ref.namespace}|${ref.name}`;

// --- ScanReport → objects ----------------------------------------------------------------

export interface MappingOptions {
  /** where the results of cluster-scoped objects live (the operator's namespace) */
  namespace: string;
  /** for Kubescape's wlid annotation */
  cluster: string;
  /** the controls that were run */
  controls: ControlInfo[];
}

/**
 * A finding's paths in Kubescape's stored shape, in a canonical order (failed paths, then fix
 * paths, each by path): a scan of one object and a scan of all may find them in another order,
 * and the same findings must serialise the same (the writer's digest, render.ts).
 */
function pathsOf(paths: Pick<PathEntry, "type" | "path" | "value">[]): RulePath[] {
  const failed: RulePath[] = [];
  const fix: RulePath[] = [];
  for (const p of paths) {
    // Kubescape's stored shape has failed and fix paths only: review and delete paths are failed paths there
    if (p.type === "fix") fix.push({ fixPath: p.path, fixPathValue: p.value ?? "" });
    else failed.push({ failedPath: p.path });
  }
  const by = (k: (r: RulePath) => string) => (a: RulePath, b: RulePath) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0);
  failed.sort(by((r) => r.failedPath!));
  fix.sort(by((r) => `${r.fixPath}\0${r.fixPathValue}`));
  return failed.concat(fix);
}

const sorted = (xs: string[]) => [...xs].sort();

/**
 * What the mapping reads of a finding, in a canonical form: its paths in Kubescape's stored shape
 * and order (pathsOf), its related objects sorted. Plain data: the store keeps it as it is and
 * makes the stored object from it when read (store.ts).
 */
export type MappedFinding = Pick<ResourceFinding, "controlID" | "status" | "exception" | "error" | "relatedObjects"> & { paths: RulePath[] };

/** One scanned object and its findings (none: every control it has passed, or was skipped), by control ID. */
export interface ObjectFindings {
  ref: ObjectRef;
  findings: MappedFinding[];
}

/** What a result's spec is made from, besides the object's findings: the controls run, and how each ended over the whole scan. */
export interface SpecTables {
  controls: ControlInfo[];
  /** control ID → its status over the scan, for those that were not-applicable or skipped (with the reason) */
  outcomes: Record<string, { status: "not-applicable" | "skipped"; skipReason?: string }>;
}

/** ... and its metadata: the options, and when the scan ran. */
export interface MappingTables extends SpecTables, MappingOptions {
  scannedAt: string;
}

export function mappingTables(report: ScanReport, opts: MappingOptions, scannedAt = report.startedAt): MappingTables {
  const outcomes: MappingTables["outcomes"] = {};
  for (const c of report.controls) {
    if (c.status === "not-applicable") outcomes[c.id] = { status: c.status };
    else if (c.status === "skipped") outcomes[c.id] = c.skipReason ? { status: c.status, skipReason: c.skipReason } : { status: c.status };
  }
  return { ...opts, scannedAt, outcomes };
}

/** The findings of each object of a report, as the mapping reads them (the report's indexes built once). */
export function findingsReader(report: ScanReport): (ref: ObjectRef) => ObjectFindings {
  const byId = new Map<string, ResourceResult>(report.resources.map((r) => [r.resourceID, r]));
  const byRef = new Map<string, ResourceResult>(report.resources.map((r) => [refKey(r), r]));
  return (ref) => {
    const res = byRef.get(refKey(ref)) ?? byId.get(resourceIdOf(ref));
    const findings: MappedFinding[] = (res?.findings ?? []).map((f) => ({
      controlID: f.controlID,
      status: f.status,
      ...(f.exception === undefined ? {} : { exception: f.exception }),
      ...(f.error === undefined ? {} : { error: f.error }),
      paths: pathsOf(f.paths),
      relatedObjects: f.relatedObjects.length > 1 ? sorted(f.relatedObjects) : f.relatedObjects,
    }));
    findings.sort((a, b) => (a.controlID < b.controlID ? -1 : a.controlID > b.controlID ? 1 : 0));
    return { ref, findings };
  };
}

/**
 * One control's result on one object. Empty fields are left out (Kubescape's Go types read
 * them as their zero values) and a control that passed carries no rules: the API server keeps
 * a managed-fields entry for every field written, so each empty field costs twice, on
 * thousands of objects.
 */
function scannedControl(c: ControlInfo, kind: string, finding: MappedFinding | undefined, skipped: MappingTables["outcomes"][string] | undefined): ScannedControl {
  if (!finding) {
    // most of a result's controls (written out: spreads cost more, on 20,000 results)
    const reason = skipped?.skipReason;
    return {
      controlID: c.id,
      name: c.name,
      severity: { severity: SEVERITY_NAME[c.severity], scoreFactor: c.baseScore },
      status: skipped ? (reason ? { status: "skipped", info: reason } : { status: "skipped" }) : { status: "passed" },
    };
  }
  // a finding: the control was evaluated here (never skipped)
  const excepted = finding.status === "excepted";
  const st = excepted ? { status: "passed", subStatus: SUB_STATUS_EXCEPTED } : { status: "failed" };
  const info = finding.error ?? "";
  const out: ScannedControl = {
    controlID: c.id,
    name: c.name,
    severity: { severity: SEVERITY_NAME[c.severity], scoreFactor: c.baseScore },
    status: { ...st, ...(info ? { info } : {}) },
  };
  const rule = c.rules.find((r) => r.matchKinds.includes(kind)) ?? c.rules[0];
  out.rules = [
    {
      name: rule?.name ?? c.id,
      status: st,
      ...(finding.paths.length ? { paths: finding.paths } : {}),
      ...(finding.exception ? { appliedIgnoreRules: [finding.exception] } : {}),
      ...(finding.relatedObjects.length ? { relatedResourcesIDs: finding.relatedObjects } : {}),
    },
  ];
  return out;
}

export function emptySeverities(): Severities {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}

/**
 * The WorkloadConfigurationScan of each object: every control that checks its kind, passed
 * unless the report has a failure (or an excepted failure) for it. Objects no control checks
 * get none. The objects are those scanned; the report holds only resources with findings.
 */
export function toWorkloadScans(report: ScanReport, objects: ObjectRef[], opts: MappingOptions, scannedAt = report.startedAt): WorkloadConfigurationScan[] {
  const map = workloadScanMapper(report, opts, scannedAt);
  return objects.map(map).filter((s): s is WorkloadConfigurationScan => s !== undefined);
}

/** toWorkloadScans one object at a time (the report's indexes built once). */
export function workloadScanMapper(report: ScanReport, opts: MappingOptions, scannedAt = report.startedAt): (ref: ObjectRef) => WorkloadConfigurationScan | undefined {
  const tables = mappingTables(report, opts, scannedAt);
  const scans = new WorkloadScans(tables);
  const read = findingsReader(report);
  return (ref) => scans.of(read(ref), tables);
}

/** Results' specs from objects' findings and the scan's tables (the controls of each kind found once). */
export class WorkloadScans {
  private readonly byKind = new Map<string, ControlInfo[]>();
  constructor(readonly tables: SpecTables) {}

  /** The controls that check a kind: none, and an object of that kind has no result. */
  controlsOf(kind: string): ControlInfo[] {
    let controls = this.byKind.get(kind);
    if (!controls) this.byKind.set(kind, (controls = this.tables.controls.filter((c) => c.kinds.has(kind))));
    return controls;
  }

  /** Each control of the object's kind, by ID, and what the object's findings say of it (not-applicable ones left out). */
  private *decided({ ref, findings: list }: ObjectFindings): Generator<[ControlInfo, MappedFinding | undefined, MappingTables["outcomes"][string] | undefined]> {
    const findings = new Map(list.map((f) => [f.controlID, f]));
    for (const c of this.controlsOf(ref.kind)) {
      const outcome = this.tables.outcomes[c.id];
      const finding = findings.get(c.id);
      // a control about no scanned resource is about none of them, this one included
      if (outcome?.status === "not-applicable" && !finding) continue;
      yield [c, finding, outcome?.status === "skipped" && !finding ? outcome : undefined];
    }
  }

  spec(input: ObjectFindings): WorkloadConfigurationScan["spec"] {
    const spec: WorkloadConfigurationScan["spec"] = { controls: {}, relatedObjects: [] };
    for (const [c, finding, skipped] of this.decided(input)) spec.controls[c.id] = scannedControl(c, input.ref.kind, finding, skipped);
    return spec;
  }

  /** severitiesOf(spec(input).controls), without making the spec */
  severities(input: ObjectFindings): Severities {
    const s = emptySeverities();
    for (const [c, finding] of this.decided(input)) if (finding && finding.status !== "excepted") s[SEVERITY_KEY[c.severity]]++;
    return s;
  }

  /** The object's WorkloadConfigurationScan (none when no control checks its kind). */
  of(input: ObjectFindings, opts: Omit<MappingTables, keyof SpecTables>): WorkloadConfigurationScan | undefined {
    if (!this.controlsOf(input.ref.kind).length) return undefined;
    return { apiVersion: STORAGE_API_VERSION, kind: "WorkloadConfigurationScan", metadata: resultMetadata(input.ref, opts), spec: this.spec(input) };
  }
}

/** A result's name, labels and annotations (Kubescape's, and ours: the resource ID and the scan time). */
export function resultMetadata(ref: ObjectRef, opts: Omit<MappingTables, keyof SpecTables>): WorkloadConfigurationScan["metadata"] {
  return {
    name: resultName(ref),
    namespace: ref.namespace || opts.namespace,
    labels: resultLabels(ref),
    annotations: { [ANNOTATION.wlid]: wlid(opts.cluster, ref), [ANNOTATION.resourceID]: resourceIdOf(ref), [ANNOTATION.scannedAt]: opts.scannedAt },
  };
}

/** Spec tables as JSON (kinds as lists) and back: the store keeps them once for all the results made with them. */
export function tablesToJson(t: SpecTables): string {
  return JSON.stringify({ controls: t.controls.map((c) => ({ ...c, kinds: [...c.kinds] })), outcomes: t.outcomes });
}

export function tablesFromJson(text: string): SpecTables {
  const t = JSON.parse(text) as { controls: (Omit<ControlInfo, "kinds"> & { kinds: string[] })[]; outcomes: SpecTables["outcomes"] };
  return { controls: t.controls.map((c) => ({ ...c, kinds: new Set(c.kinds) })), outcomes: t.outcomes };
}

/** Failed controls counted by severity (passed, excepted and skipped ones do not count). */
export function severitiesOf(controls: Iterable<Pick<ScannedControl, "severity" | "status">>): Severities {
  const s = emptySeverities();
  for (const c of controls) {
    if (c.status.status !== "failed") continue;
    const sev = FROM_SEVERITY[c.severity.severity] ?? "Info";
    s[SEVERITY_KEY[sev]]++;
  }
  return s;
}

export function toSummary(scan: WorkloadConfigurationScan): WorkloadConfigurationScanSummary {
  const controls: WorkloadConfigurationScanSummary["spec"]["controls"] = {};
  for (const [id, c] of Object.entries(scan.spec.controls)) controls[id] = { controlID: id, severity: c.severity, status: c.status };
  return {
    apiVersion: STORAGE_API_VERSION,
    kind: "WorkloadConfigurationScanSummary",
    metadata: structuredClone(scan.metadata),
    spec: { severities: severitiesOf(Object.values(controls)), controls },
  };
}

/** One ConfigurationScanSummary per namespace of the given summaries (cluster-scoped, named after the namespace). */
export function toNamespaceSummaries(summaries: Pick<WorkloadConfigurationScanSummary, "metadata" | "spec">[]): ConfigurationScanSummary[] {
  const byNs = new Map<string, ConfigurationScanSummary>();
  for (const s of summaries) {
    const ns = s.metadata.namespace;
    let sum = byNs.get(ns);
    if (!sum) {
      sum = {
        apiVersion: STORAGE_API_VERSION,
        kind: "ConfigurationScanSummary",
        metadata: { name: ns, labels: { [LABEL.managedBy]: MANAGED_BY } },
        spec: { severities: emptySeverities(), summaryRef: [] },
      };
      byNs.set(ns, sum);
    }
    for (const k of Object.keys(sum.spec.severities) as (keyof Severities)[]) sum.spec.severities[k] += s.spec.severities?.[k] ?? 0;
    sum.spec.summaryRef.push({ namespace: ns, kind: "WorkloadConfigurationScanSummary", name: s.metadata.name });
  }
  for (const s of byNs.values()) s.spec.summaryRef.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...byNs.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

// --- stored objects → ScanReport --------------------------------------------------------

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The object a stored result is about, from its annotation or, for Kubescape's own results, its labels. */
export function refOfStored(scan: Obj): ObjectRef | undefined {
  const md = isObj(scan.metadata) ? scan.metadata : {};
  const labels = isObj(md.labels) ? md.labels : {};
  const annotations = isObj(md.annotations) ? md.annotations : {};
  const id = str(annotations[ANNOTATION.resourceID]);
  const parts = id.split("/");
  if (parts.length === 5 && parts[3] && parts[4]) {
    const [group, version, namespace, kind, name] = parts;
    return { apiVersion: group ? `${group}/${version}` : version, kind, name, namespace };
  }
  const kind = str(labels[LABEL.kind]);
  const name = str(labels[LABEL.name]);
  if (!kind || !name) return undefined;
  const group = str(labels[LABEL.apiGroup]);
  const version = str(labels[LABEL.apiVersion]) || "v1";
  return { apiVersion: group ? `${group}/${version}` : version, kind, name, namespace: str(labels[LABEL.namespace]) };
}

export interface ReadBackOptions {
  /** the control catalogue, for severities, frameworks and control names the stored objects lack */
  controls?: Map<string, Pick<ControlInfo, "name" | "severity" | "baseScore" | "frameworks">>;
  /** frameworks → their control IDs, for the report's framework scores */
  frameworks?: { name: string; controls: string[] }[];
  /** the report's target (the cluster context read) */
  cluster?: { context: string; server: string; version?: string };
  generator?: { name: string; version: string };
}

/**
 * A ScanReport from stored WorkloadConfigurationScans (ours or Kubescape's): the same shape a
 * cluster scan renders, so any report format shows stored results without rescanning. Malformed
 * items are skipped and named in the report's warnings.
 */
export function reportFromStored(items: unknown[], opts: ReadBackOptions = {}): ScanReport {
  const warnings: string[] = [];
  const controls = new Map<string, { id: string; name: string; severity: Severity; baseScore: number; passed: number; failed: number; excepted: number; skipped: string | undefined }>();
  const resources: ResourceResult[] = [];
  let started = "";
  const counts: Record<string, number> = {};
  for (const item of items) {
    if (!isObj(item) || !isObj(item.spec) || !isObj(item.spec.controls)) {
      warnings.push(`stored result ${isObj(item) && isObj(item.metadata) ? str(item.metadata.namespace) + "/" + str(item.metadata.name) : "(unnamed)"}: no spec.controls; skipped`);
      continue;
    }
    const ref = refOfStored(item);
    if (!ref) {
      warnings.push(`stored result ${str(item.metadata?.namespace)}/${str(item.metadata?.name)}: names no workload (no ${LABEL.kind}/${LABEL.name} labels); skipped`);
      continue;
    }
    counts[ref.kind] = (counts[ref.kind] ?? 0) + 1;
    const at = str(item.metadata?.annotations?.[ANNOTATION.scannedAt]);
    if (at && (!started || at < started)) started = at;
    const findings: ResourceFinding[] = [];
    for (const [id, raw] of Object.entries(item.spec.controls)) {
      if (!isObj(raw)) continue;
      const known = opts.controls?.get(id);
      const sevName = str(raw.severity?.severity);
      const severity = known?.severity ?? FROM_SEVERITY[sevName] ?? "Info";
      let c = controls.get(id);
      if (!c) {
        const score = typeof raw.severity?.scoreFactor === "number" ? raw.severity.scoreFactor : 0;
        controls.set(id, (c = { id, name: known?.name ?? (str(raw.name) || id), severity, baseScore: known?.baseScore ?? score, passed: 0, failed: 0, excepted: 0, skipped: undefined }));
      }
      const status = str(raw.status?.status);
      const sub = str(raw.status?.subStatus);
      if (status === "skipped") {
        c.skipped ??= str(raw.status?.info) || "skipped";
        continue;
      }
      const rules: Obj[] = Array.isArray(raw.rules) ? raw.rules.filter(isObj) : [];
      const paths: PathEntry[] = rules.flatMap((r) =>
        (Array.isArray(r.paths) ? r.paths.filter(isObj) : []).flatMap((p: Obj): PathEntry[] => {
          const out: PathEntry[] = [];
          if (str(p.failedPath)) out.push({ type: "failed", path: str(p.failedPath) });
          if (str(p.fixPath)) out.push({ type: "fix", path: str(p.fixPath), value: str(p.fixPathValue) });
          return out;
        }),
      );
      const related = rules.flatMap((r) => (Array.isArray(r.relatedResourcesIDs) ? r.relatedResourcesIDs.filter((x: unknown) => typeof x === "string") : []));
      if (status === "failed") {
        c.failed++;
        findings.push({ controlID: id, status: "failed", message: c.name, paths, relatedObjects: related, ...(str(raw.status?.info) ? { error: str(raw.status?.info) } : {}) });
      } else if (status === "passed" && sub === SUB_STATUS_EXCEPTED) {
        c.excepted++;
        const exception = rules.flatMap((r) => (Array.isArray(r.appliedIgnoreRules) ? r.appliedIgnoreRules : []))[0];
        findings.push({ controlID: id, status: "excepted", ...(typeof exception === "string" ? { exception } : {}), message: c.name, paths, relatedObjects: related });
      } else c.passed++;
    }
    if (findings.length) {
      findings.sort((a, b) => a.controlID.localeCompare(b.controlID));
      resources.push({ resourceID: resourceIdOf(ref), apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, findings });
    }
  }
  const order: Severity[] = ["Critical", "High", "Medium", "Low", "Info"];
  const controlResults: ControlResult[] = [...controls.values()]
    .map((c): ControlResult => {
      const base = { id: c.id, name: c.name, severity: c.severity, baseScore: c.baseScore, frameworks: opts.controls?.get(c.id)?.frameworks ?? [] };
      const total = c.passed + c.failed + c.excepted;
      if (!total)
        return c.skipped !== undefined
          ? { ...base, status: "skipped", skipReason: c.skipped, resources: { passed: 0, failed: 0, excepted: 0 } }
          : { ...base, status: "not-applicable", resources: { passed: 0, failed: 0, excepted: 0 } };
      return { ...base, status: c.failed ? "failed" : "passed", score: round(((c.passed + c.excepted) / total) * 100), resources: { passed: c.passed, failed: c.failed, excepted: c.excepted } };
    })
    .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || a.id.localeCompare(b.id));
  resources.sort((a, b) => (a.resourceID < b.resourceID ? -1 : a.resourceID > b.resourceID ? 1 : 0));
  const totals = resultTotals(controlResults, opts.frameworks ?? []);
  return {
    schemaVersion: SCHEMA_VERSION,
    generator: opts.generator ?? { name: "kubescape-ts", version: "" },
    startedAt: started || new Date(0).toISOString(),
    durationMs: 0,
    target: {
      kind: "cluster",
      paths: [],
      cluster: { context: opts.cluster?.context ?? "", server: opts.cluster?.server ?? "", version: opts.cluster?.version ?? "", counts, unavailable: {}, listMs: 0, requests: 0 },
    },
    summary: {
      complianceScore: totals.complianceScore,
      controls: totals.controls,
      resources: { total: Object.values(counts).reduce((a, b) => a + b, 0), failed: resources.filter((r) => r.findings.some((f) => f.status === "failed")).length },
      failedBySeverity: totals.failedBySeverity,
      filesRead: 0,
      skippedFiles: 0,
      ignoredDocuments: 0,
    },
    // frameworks of which some control checked something here
    frameworks: totals.frameworks.filter((f) => f.controls.evaluated > 0),
    controls: controlResults,
    resources,
    skippedFiles: [],
    warnings,
  };
}
