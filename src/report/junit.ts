// The junit format: JUnit XML for CI test views. One <testsuite> per control; a failing
// <testcase> per failed resource, one aggregated passing testcase per control (so the size
// grows with findings, not with resources), a <skipped> testcase per excepted resource and
// per control that was not evaluated. The XML is built by fast-xml-parser's XMLBuilder.
import { XMLBuilder } from "fast-xml-parser";
import type { ControlResult, ResourceFinding, ResourceResult, ScanReport } from "../core/scoring/result.js";
import type { Reporter, RenderOptions } from "./index.js";
import { findingView, hasFile, isFile, type FindingView } from "./view.js";
import { fieldText, loc } from "./text.js";

type Node = Record<string, unknown>;

export function renderJunit(report: ScanReport, opts: Pick<RenderOptions, "doc">): string {
  // failed/excepted findings per control, in report order
  const byControl = new Map<string, { resource: ResourceResult; finding: ResourceFinding }[]>();
  for (const resource of report.resources) {
    for (const finding of resource.findings) {
      const list = byControl.get(finding.controlID) ?? [];
      list.push({ resource, finding });
      byControl.set(finding.controlID, list);
    }
  }

  const totals = { tests: 0, failures: 0, skipped: 0 };
  const suites = report.controls.map((c) => {
    const suite = controlSuite(report, c, byControl.get(c.id) ?? [], opts);
    totals.tests += suite.counts.tests;
    totals.failures += suite.counts.failures;
    totals.skipped += suite.counts.skipped;
    return suite.node;
  });

  const doc = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    testsuites: {
      "@_name": report.generator.name,
      "@_tests": totals.tests,
      "@_failures": totals.failures,
      "@_errors": 0,
      "@_skipped": totals.skipped,
      "@_time": seconds(report.durationMs),
      "@_timestamp": report.startedAt,
      testsuite: suites,
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, indentBy: "  ", suppressEmptyNode: true, processEntities: true });
  return builder.build(doc);
}

function controlSuite(report: ScanReport, c: ControlResult, found: { resource: ResourceResult; finding: ResourceFinding }[], opts: Pick<RenderOptions, "doc">) {
  const name = `${c.id} ${c.name}`;
  const properties = {
    property: [
      { "@_name": "controlID", "@_value": c.id },
      { "@_name": "severity", "@_value": c.severity },
      { "@_name": "baseScore", "@_value": String(c.baseScore) },
      { "@_name": "frameworks", "@_value": c.frameworks.join(", ") },
      ...(c.score !== undefined ? [{ "@_name": "score", "@_value": c.score.toFixed(2) }] : []),
    ].map(attrs),
  };

  if (c.status === "skipped" || c.status === "not-applicable") {
    const na = c.status === "not-applicable";
    const reason = na ? "not applicable: no scanned resource is one this control is about" : (c.skipReason ?? "not evaluated");
    const testcase = { "@_classname": c.id, "@_name": na ? "not applicable" : "not evaluated", "@_time": "0", skipped: attrs({ "@_message": reason }) };
    const counts = { tests: 1, failures: 0, skipped: 1 };
    return { counts, node: suiteNode(name, counts, properties, [testcase]) };
  }

  const remediation = opts.doc?.(c.id)?.remediation?.trim();
  const testcases: Node[] = [];
  let failures = 0;
  let skipped = 0;
  for (const { resource, finding } of found) {
    const tc: Node = { "@_classname": c.id, "@_name": clean(resource.resourceID), "@_time": "0" };
    const view = findingView(resource, finding);
    if (view.edit) {
      // a chart: the template line the user edits
      tc["@_file"] = clean(view.edit.file);
      tc["@_line"] = view.edit.line;
    } else if (hasFile(report, resource) && isFile(report, view.lineFile)) {
      // the file and line of the finding's place (a related object's, for a field in a Role behind an RBAC finding)
      tc["@_file"] = clean(view.lineFile);
      if (view.line !== undefined) tc["@_line"] = view.line;
    }
    if (finding.status === "excepted") {
      skipped++;
      tc.skipped = attrs({ "@_message": `excepted: ${finding.exception ?? "exception"}` });
    } else {
      failures++;
      tc.failure = {
        "@_message": attr(finding.message || `${c.name} failed`),
        "@_type": c.severity,
        "#text": clean(failureBody(view, remediation)),
      };
    }
    testcases.push(tc);
  }
  const passed = c.resources.passed;
  if (passed > 0) testcases.push({ "@_classname": c.id, "@_name": `${passed} resource${passed === 1 ? "" : "s"} passed`, "@_time": "0" });
  const counts = { tests: c.resources.passed + c.resources.failed + c.resources.excepted, failures, skipped };
  return { counts, node: suiteNode(name, counts, properties, testcases) };
}

function suiteNode(name: string, counts: { tests: number; failures: number; skipped: number }, properties: Node, testcases: Node[]): Node {
  return {
    "@_name": clean(name),
    "@_tests": counts.tests,
    "@_failures": counts.failures,
    "@_errors": 0,
    "@_skipped": counts.skipped,
    "@_time": "0",
    properties,
    testcase: testcases,
  };
}

/** The message, file:line:col and field of each failed field with its fix (the finding's own position first), then how to fix it. */
function failureBody(view: FindingView, remediation: string | undefined): string {
  const { resource, finding } = view;
  const lines: string[] = [finding.message];
  for (const f of view.fields) lines.push(fieldText(f, view.file));
  if (!view.at && view.file) lines.push(`${loc(view.file, view.line, view.column)}  ${resource.resourceID}`);
  if (finding.relatedObjects.length) lines.push(`related: ${finding.relatedObjects.join(", ")}`);
  if (remediation) lines.push(`Remediation: ${remediation}`);
  return lines.join("\n");
}

function attrs(o: Record<string, string>): Node {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, attr(v)]));
}

/** XML parsers turn newlines and tabs in attributes into spaces; say so ourselves. */
function attr(s: string): string {
  return clean(s).replace(/\s+/g, " ").trim();
}

/** Drop characters XML 1.0 cannot carry at all (controls other than tab/newline, lone surrogates). */
function clean(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

export const reporter: Reporter = { ext: "xml", render: (report, opts) => renderJunit(report, opts) };
