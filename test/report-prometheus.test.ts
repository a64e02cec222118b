// The prometheus format read back by a Prometheus text-format parser, checked against the
// json report of the same scan (both written by one `--format prometheus,json` run).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import parsePrometheus from "parse-prometheus-text-format";
import { runCli } from "./support/cli.js";

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ks-prom-"));

/** Scan once, writing prometheus and json; return both, parsed. */
function scan(args: string[]): { families: Map<string, Family>; report: any; text: string } {
  const base = path.join(tmp(), "report");
  const r = runCli(["scan", ...args, "--format", "prometheus,json", "--output", base]);
  expect(r.code, r.stderr).toBe(0);
  const text = fs.readFileSync(`${base}.prom`, "utf8");
  const families = new Map((parsePrometheus(text) as Family[]).map((f) => [f.name, f]));
  return { families, report: JSON.parse(fs.readFileSync(`${base}.json`, "utf8")), text };
}

/** The one value of a family, or of its series whose labels include `labels`. */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(name);
  expect(f, `metric ${name}`).toBeDefined();
  const hits = f!.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  expect(hits.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return hits.length ? Number(hits[0].value) : undefined;
}

const SEVERITIES = ["Critical", "High", "Medium", "Low", "Info"] as const;
const SUFFIX = { Critical: "critical", High: "high", Medium: "medium", Low: "low", Info: "unknown" } as const;

describe("prometheus format", () => {
  let families: Map<string, Family>, report: any, text: string;
  beforeAll(() => ({ families, report, text } = scan(["examples/"])));

  it("is the Prometheus text format of gauges named kubescape_*", () => {
    expect(text.startsWith("# HELP kubescape_")).toBe(true);
    expect(families.size).toBeGreaterThan(20);
    for (const f of families.values()) {
      expect(f.name).toMatch(/^kubescape_[a-z_]+$/);
      expect(f.type).toBe("GAUGE");
      expect(f.help.length).toBeGreaterThan(10);
      for (const m of f.metrics) expect(Number.isFinite(Number(m.value)), `${f.name} ${m.value}`).toBe(true);
    }
  });

  it("carries the scan's scores and control counts", () => {
    expect(report.summary.complianceScore).toBeGreaterThan(0);
    expect(value(families, "kubescape_compliance_score")).toBe(report.summary.complianceScore);
    expect(value(families, "kubescape_controls_count")).toBe(report.summary.controls.total);
    expect(value(families, "kubescape_controls_failed_count")).toBe(report.summary.controls.failed);
    expect(value(families, "kubescape_controls_passed_count")).toBe(report.summary.controls.passed);
    expect(value(families, "kubescape_controls_skipped_count")).toBe(report.summary.controls.skipped);
    expect(value(families, "kubescape_resources_count")).toBe(report.summary.resources.total);
    expect(value(families, "kubescape_resources_failed_count")).toBe(report.summary.resources.failed);
    for (const s of SEVERITIES) {
      expect(value(families, "kubescape_controls_failed_by_severity_count", { severity: s.toLowerCase() })).toBe(report.summary.failedBySeverity[s]);
    }
    expect(report.summary.failedBySeverity.High).toBeGreaterThan(0);
    const scored = report.frameworks.filter((f: any) => f.score !== undefined);
    expect(families.get("kubescape_framework_compliance_score")!.metrics).toHaveLength(scored.length);
    for (const f of scored) expect(value(families, "kubescape_framework_compliance_score", { framework: f.name })).toBe(f.score);
    const info = families.get("kubescape_scan_info")!.metrics[0].labels!;
    expect(info).toMatchObject({ generator: report.generator.name, version: report.generator.version, target_kind: "files", target: "examples/" });
  });

  it("gives each control its status as the value (1 failed, 0 passed, -1 skipped, -2 not applicable) with id, name and severity", () => {
    const series = families.get("kubescape_control_status")!.metrics;
    expect(series).toHaveLength(report.controls.length);
    for (const c of report.controls) {
      const labels = { control_id: c.id, name: c.name, severity: c.severity.toLowerCase() };
      expect(value(families, "kubescape_control_status", labels)).toBe({ failed: 1, passed: 0, skipped: -1, "not-applicable": -2 }[c.status as string]);
      if (c.status === "skipped" || c.status === "not-applicable") continue;
      expect(value(families, "kubescape_control_resources_failed_count", labels)).toBe(c.resources.failed);
      expect(value(families, "kubescape_control_resources_passed_count", labels)).toBe(c.resources.passed);
      expect(value(families, "kubescape_control_compliance_score", labels)).toBe(c.score);
    }
    // an API server flag on examples/ (no API server among them): not applicable, counted apart
    expect(value(families, "kubescape_control_status", { control_id: "C-0113" })).toBe(-2);
    expect(value(families, "kubescape_controls_not_applicable_count", {})).toBe(report.summary.controls.notApplicable);
    expect(report.summary.controls.notApplicable).toBeGreaterThan(50);
    const c41 = report.controls.find((c: any) => c.id === "C-0041");
    expect(c41.status).toBe("failed");
    expect(value(families, "kubescape_control_status", { control_id: "C-0041" })).toBe(1);
  });

  it("counts failed controls per severity for the cluster, each namespace and each workload, as the json report's findings", () => {
    const sev = new Map(report.controls.map((c: any) => [c.id, c.severity]));
    const cluster = new Map<string, number>();
    const byNamespace = new Map<string, number>(); // "ns\0severity"
    const failedResources = new Map<string, number>();
    for (const r of report.resources) {
      const failed = r.findings.filter((f: any) => f.status === "failed");
      for (const s of new Set(failed.map((f: any) => sev.get(f.controlID) as string))) failedResources.set(s, (failedResources.get(s) ?? 0) + 1);
      for (const s of SEVERITIES) {
        const n = failed.filter((f: any) => sev.get(f.controlID) === s).length;
        cluster.set(s, (cluster.get(s) ?? 0) + n);
        if (r.namespace) byNamespace.set(`${r.namespace}\0${s}`, (byNamespace.get(`${r.namespace}\0${s}`) ?? 0) + n);
        if (failed.length === 0) continue;
        expect(value(families, `kubescape_controls_total_workload_${SUFFIX[s]}`, { namespace: r.namespace, workload: r.name, workload_kind: r.kind.toLowerCase() })).toBe(n);
      }
    }
    for (const s of SEVERITIES) {
      expect(value(families, `kubescape_controls_total_cluster_${SUFFIX[s]}`)).toBe(cluster.get(s));
      expect(value(families, "kubescape_resources_failed_by_severity_count", { severity: s.toLowerCase() })).toBe(failedResources.get(s) ?? 0);
    }
    // the fixture's namespaces, checked against counts from the json findings
    const namespaces = [...new Set(report.resources.map((r: any) => r.namespace).filter(Boolean))] as string[];
    expect(namespaces).toEqual(expect.arrayContaining(["logging", "shop"]));
    for (const ns of namespaces) {
      for (const s of SEVERITIES) expect(value(families, `kubescape_controls_total_namespace_${SUFFIX[s]}`, { namespace: ns }), `${ns} ${s}`).toBe(byNamespace.get(`${ns}\0${s}`));
    }
    expect(byNamespace.get("logging\0High")).toBeGreaterThan(0);
    expect(families.get("kubescape_controls_total_namespace_high")!.metrics).toHaveLength(namespaces.length);
  });

  it("escapes hostile names (quotes, backslash, newline) so the parser reads them back exactly", () => {
    const dir = path.join(tmp(), 'we"ird\\dir\nx');
    fs.mkdirSync(dir);
    const name = 'evil"na\\me\nx';
    const namespace = 'ns"q\\';
    fs.writeFileSync(
      path.join(dir, "deploy.yaml"),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${JSON.stringify(name)}\n  namespace: ${JSON.stringify(namespace)}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: c\n          image: nginx:1.27\n`,
    );
    const { families: f, report: rep, text: t } = scan([dir]);
    expect(rep.resources[0].name).toBe(name);
    expect(t).toContain('workload="evil\\"na\\\\me\\nx"');
    const high = rep.resources[0].findings.filter((x: any) => x.status === "failed" && rep.controls.find((c: any) => c.id === x.controlID).severity === "High").length;
    expect(high).toBeGreaterThan(0);
    expect(value(f, "kubescape_controls_total_workload_high", { namespace, workload: name, workload_kind: "deployment" })).toBe(high);
    expect(value(f, "kubescape_controls_total_namespace_high", { namespace })).toBe(high);
    expect(f.get("kubescape_scan_info")!.metrics[0].labels!.target).toBe(dir);
  });

  it("leaves out the compliance score when no control was evaluated", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "empty.yaml"), "# nothing here\n");
    const { families: f, report: rep } = scan([dir]);
    expect(rep.summary.complianceScore).toBeUndefined();
    expect(f.has("kubescape_compliance_score")).toBe(false);
    expect(value(f, "kubescape_controls_failed_count")).toBe(0);
    expect(f.get("kubescape_controls_total_workload_high")!.metrics).toHaveLength(0);
  });
});
