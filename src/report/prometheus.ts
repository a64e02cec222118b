// The prometheus format: the scan as Prometheus text exposition (version 0.0.4), every
// metric a gauge. Built with prom-client so names, label values and HELP text are escaped
// by a maintained implementation. The cluster/namespace/workload severity gauges keep the
// names and labels of Kubescape's own Prometheus exporter so its dashboards and alerts work.
import { Gauge, Registry } from "prom-client";
import { SEVERITY_ORDER, type Severity } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";

/** The content type of this output (text format 0.0.4), for servers that serve it. */
export const CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

// Kubescape's exporter names severities in metric names; its "unknown" is our Info.
const SUFFIX: Record<Severity, string> = { Critical: "critical", High: "high", Medium: "medium", Low: "low", Info: "unknown" };
const label = (s: Severity) => s.toLowerCase();

type Labels = Record<string, string>;

/** Sums values per label set, so two series with the same labels never overwrite each other. */
class Tally {
  private readonly rows = new Map<string, { labels: Labels; value: number }>();
  add(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    const row = this.rows.get(key);
    if (row) row.value += value;
    else this.rows.set(key, { labels, value });
  }
  /** rows in a stable order (by label values), so the output does not depend on map order */
  sorted(): { labels: Labels; value: number }[] {
    const k = (r: { labels: Labels }) => Object.values(r.labels).join("\0");
    return [...this.rows.values()].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  }
}

export function buildRegistry(report: ScanReport): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const set = (name: string, help: string, value: number) => gauge(name, help).set(value);

  // scan
  const target = report.target.kind === "cluster" ? (report.target.cluster?.context ?? "") : report.target.paths.join(",");
  gauge("kubescape_scan_info", "Always 1; the labels tell which scanner produced these metrics and what it scanned (target: the paths, or the kubeconfig context).", [
    "generator",
    "version",
    "schema_version",
    "target_kind",
    "target",
  ]).set({ generator: report.generator.name, version: report.generator.version, schema_version: report.schemaVersion, target_kind: report.target.kind, target }, 1);
  const started = Date.parse(report.startedAt);
  if (Number.isFinite(started)) set("kubescape_scan_timestamp_seconds", "When the scan that produced these metrics started, in seconds since the Unix epoch.", started / 1000);
  set("kubescape_scan_duration_seconds", "How long the scan took, in seconds.", report.durationMs / 1000);
  set("kubescape_files_read_count", "Files read by a file scan (0 for a cluster scan).", report.summary.filesRead);
  set("kubescape_files_skipped_count", "Inputs that could not be scanned (unreadable, too large or not valid YAML/JSON).", report.summary.skippedFiles);

  // compliance scores: absent when nothing was evaluated, rather than a misleading 0
  if (report.summary.complianceScore !== undefined) {
    set("kubescape_compliance_score", "Compliance score of the scan, 0-100: the mean of the evaluated controls' scores.", report.summary.complianceScore);
  }
  const fwScore = gauge(
    "kubescape_framework_compliance_score",
    "Compliance score per framework, 0-100: the mean of its evaluated controls' scores. Absent for a framework with no evaluated control.",
    ["framework"],
  );
  const fwFailed = gauge("kubescape_framework_controls_failed_count", "Failed controls per framework.", ["framework"]);
  for (const f of [...report.frameworks].sort((a, b) => a.name.localeCompare(b.name))) {
    if (f.score !== undefined) fwScore.set({ framework: f.name }, f.score);
    fwFailed.set({ framework: f.name }, f.controls.failed);
  }

  // controls
  const c = report.summary.controls;
  set("kubescape_controls_count", "Controls selected for the scan.", c.total);
  set("kubescape_controls_passed_count", "Controls that passed on every resource they checked.", c.passed);
  set("kubescape_controls_failed_count", "Controls that failed on at least one resource.", c.failed);
  set("kubescape_controls_skipped_count", "Controls not evaluated (data this scanner cannot see, a kind it could not list, manual review).", c.skipped);
  set("kubescape_controls_not_applicable_count", "Controls about no scanned resource (neither passed nor failed, in no score).", c.notApplicable ?? 0);
  const bySeverity = gauge("kubescape_controls_failed_by_severity_count", "Failed controls per control severity (label severity: critical, high, medium, low, info).", ["severity"]);
  for (const s of SEVERITY_ORDER) bySeverity.set({ severity: label(s) }, report.summary.failedBySeverity[s] ?? 0);

  // resources
  set("kubescape_resources_count", "Resources scanned.", report.summary.resources.total);
  set("kubescape_resources_failed_count", "Resources with at least one failed control (findings covered by an exception do not count).", report.summary.resources.failed);

  // per control; status is the value so a control keeps one series as it goes from failed to passed
  const labelNames = ["control_id", "name", "severity"];
  const status = gauge("kubescape_control_status", "Status of each control: 1 = failed, 0 = passed, -1 = skipped (not evaluated), -2 = not applicable (about no scanned resource).", labelNames);
  const score = gauge("kubescape_control_compliance_score", "Compliance score per evaluated control, 0-100: the share of checked resources that passed.", labelNames);
  const failed = gauge("kubescape_control_resources_failed_count", "Resources that failed the control.", labelNames);
  const passed = gauge("kubescape_control_resources_passed_count", "Resources that passed the control.", labelNames);
  const excluded = gauge("kubescape_control_resources_excluded_count", "Resources that failed the control but are covered by an exception (they count as passed in the scores).", labelNames);
  const severityOf = new Map<string, Severity>();
  for (const ctl of report.controls) {
    severityOf.set(ctl.id, ctl.severity);
    const l = { control_id: ctl.id, name: ctl.name, severity: label(ctl.severity) };
    status.set(l, ctl.status === "failed" ? 1 : ctl.status === "passed" ? 0 : ctl.status === "not-applicable" ? -2 : -1);
    if (ctl.status === "skipped" || ctl.status === "not-applicable") continue;
    if (ctl.score !== undefined) score.set(l, ctl.score);
    failed.set(l, ctl.resources.failed);
    passed.set(l, ctl.resources.passed);
    excluded.set(l, ctl.resources.excepted);
  }

  // failed (resource, control) pairs per severity, for the cluster, each namespace and each
  // resource ("workload"), as Kubescape's exporter counts them; and failed resources per severity
  const cluster = new Map<Severity, number>(SEVERITY_ORDER.map((s) => [s, 0]));
  const resourcesBySeverity = new Map<Severity, number>(SEVERITY_ORDER.map((s) => [s, 0]));
  const namespaces = new Map<Severity, Tally>(SEVERITY_ORDER.map((s) => [s, new Tally()]));
  const workloads = new Map<Severity, Tally>(SEVERITY_ORDER.map((s) => [s, new Tally()]));
  for (const r of report.resources) {
    const counts = new Map<Severity, number>();
    for (const f of r.findings) {
      if (f.status !== "failed") continue;
      const s = severityOf.get(f.controlID);
      if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    for (const s of SEVERITY_ORDER) {
      const n = counts.get(s) ?? 0;
      if (n) resourcesBySeverity.set(s, resourcesBySeverity.get(s)! + 1);
      cluster.set(s, cluster.get(s)! + n);
      // a resource that failed anything gets a series for every severity (zeros included), so
      // a sum or a "> 0" alert sees it; a resource without a namespace has no namespace series
      if (counts.size === 0) continue;
      if (r.namespace) namespaces.get(s)!.add({ namespace: r.namespace }, n);
      workloads.get(s)!.add({ namespace: r.namespace, workload: r.name, workload_kind: r.kind.toLowerCase() }, n);
    }
  }
  const resBySeverity = gauge("kubescape_resources_failed_by_severity_count", "Resources with at least one failed control of this severity (label severity: critical, high, medium, low, info).", [
    "severity",
  ]);
  for (const s of SEVERITY_ORDER) resBySeverity.set({ severity: label(s) }, resourcesBySeverity.get(s)!);
  const info = (s: Severity) => (s === "Info" ? " Kubescape calls this severity unknown; here it is info (base score below 1)." : "");
  for (const s of SEVERITY_ORDER) {
    set(`kubescape_controls_total_cluster_${SUFFIX[s]}`, `Failed ${label(s)}-severity controls summed over all resources (a control failing on 3 resources counts 3).${info(s)}`, cluster.get(s)!);
  }
  for (const s of SEVERITY_ORDER) {
    const g = gauge(
      `kubescape_controls_total_namespace_${SUFFIX[s]}`,
      `Failed ${label(s)}-severity controls summed over the resources of each namespace; resources without a namespace are only in the cluster and workload series.${info(s)}`,
      ["namespace"],
    );
    for (const row of namespaces.get(s)!.sorted()) g.set(row.labels, row.value);
  }
  for (const s of SEVERITY_ORDER) {
    const g = gauge(
      `kubescape_controls_total_workload_${SUFFIX[s]}`,
      `Failed ${label(s)}-severity controls per resource with any failure (workload: its name; workload_kind: its kind, lower case; namespace empty when the resource has none).${info(s)}`,
      ["namespace", "workload", "workload_kind"],
    );
    for (const row of workloads.get(s)!.sorted()) g.set(row.labels, row.value);
  }
  return registry;
}

export async function renderPrometheus(report: ScanReport): Promise<string> {
  return buildRegistry(report).metrics();
}

export const reporter: Reporter = { ext: "prom", render: renderPrometheus };
