// The junit format: JUnit XML for CI test views. One <testsuite> per control; a failing
// <testcase> per failed resource, one aggregated passing testcase per control (so the size
// grows with findings, not with resources), a <skipped> testcase per excepted resource and
// per control that was not evaluated. The XML is built by fast-xml-parser's XMLBuilder.
import { XMLBuilder } from "fast-xml-parser";
import { findingAt, type ControlResult, type ScanReport } from "../core/scoring/result.js";
import type { Reporter, RenderOptions } from "./index.js";
import { findingView, hasFile, isFile, type FindingView } from "./view.js";
import { fieldText, loc } from "./text.js";

type Node = Record<string, unknown>;

const builder = () => new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, indentBy: "  ", suppressEmptyNode: true, processEntities: true });

/**
 * A control's failed and excepted findings, in report order, as places (resource number in
 * report.resources, finding number in its findings): a scan of 100,000 Pods has 2.6 million
 * findings, read once each as their suite is written (findingAt), not held for the whole render.
 */
type Found = { resource: number[]; finding: number[]; excepted: number };

/** failed/excepted findings per control, in report order */
function findingsByControl(report: ScanReport): Map<string, Found> {
  const byControl = new Map<string, Found>();
  report.resources.forEach((resource, i) => {
    resource.findings.forEach((finding, j) => {
      let found = byControl.get(finding.controlID);
      if (!found) byControl.set(finding.controlID, (found = { resource: [], finding: [], excepted: 0 }));
      found.resource.push(i);
      found.finding.push(j);
      if (finding.status === "excepted") found.excepted++;
    });
  });
  return byControl;
}

const NONE_FOUND: Found = { resource: [], finding: [], excepted: 0 };

export function renderJunit(report: ScanReport, opts: Pick<RenderOptions, "doc">): string {
  const byControl = findingsByControl(report);
  const totals = { tests: 0, failures: 0, skipped: 0 };
  const suites = report.controls.map((c) => {
    const suite = controlSuite(report, c, byControl.get(c.id) ?? NONE_FOUND, opts);
    totals.tests += suite.counts.tests;
    totals.failures += suite.counts.failures;
    totals.skipped += suite.counts.skipped;
    return suiteNode(suite.name, suite.counts, suite.properties, [...suite.testcases()]);
  });
  return builder().build(documentNode(report, totals, suites));
}

/** Testcases per piece when a suite is written in pieces. */
const BATCH = 500;
/** What stands for the suites (or a suite's testcases) while the text around them is built. */
const MARKER = "kubescape-junit-marker";

/**
 * The same XML in pieces: the document around the suites, each suite, and a large suite's
 * testcases a batch at a time (each built under the same nesting, its wrapper lines cut), so
 * no piece grows with the scan.
 */
export function* renderJunitChunks(report: ScanReport, opts: Pick<RenderOptions, "doc">): Generator<string> {
  const b = builder();
  const byControl = findingsByControl(report);
  const suites = report.controls.map((c) => controlSuite(report, c, byControl.get(c.id) ?? NONE_FOUND, opts));
  const totals = { tests: 0, failures: 0, skipped: 0 };
  for (const s of suites) {
    totals.tests += s.counts.tests;
    totals.failures += s.counts.failures;
    totals.skipped += s.counts.skipped;
  }
  const [docHead, docTail] = around(b.build(documentNode(report, totals, [{ "@_name": MARKER }])), `  <testsuite name="${MARKER}"/>\n`);
  yield docHead;
  const inner = (xml: string, head: string, tail: string) => xml.slice(head.length, xml.length - tail.length);
  for (const s of suites) {
    if (s.size <= BATCH) {
      const xml = b.build({ testsuites: { testsuite: [suiteNode(s.name, s.counts, s.properties, [...s.testcases()])] } });
      yield inner(xml, "<testsuites>\n", "</testsuites>\n");
      continue;
    }
    const xml = b.build({ testsuites: { testsuite: [suiteNode(s.name, s.counts, s.properties, [{ "@_name": MARKER }])] } });
    const [head, tail] = around(inner(xml, "<testsuites>\n", "</testsuites>\n"), `    <testcase name="${MARKER}"/>\n`);
    yield head;
    let batch: Node[] = [];
    const flush = () => inner(b.build({ testsuites: { testsuite: { testcase: batch } } }), "<testsuites>\n  <testsuite>\n", "  </testsuite>\n</testsuites>\n");
    for (const tc of s.testcases()) {
      batch.push(tc);
      if (batch.length === BATCH) {
        yield flush();
        batch = [];
      }
    }
    if (batch.length) yield flush();
    yield tail;
  }
  yield docTail;
}

/** The text before and after the last occurrence of `line` (the builder's rendering of a marker). */
function around(xml: string, line: string): [string, string] {
  const at = xml.lastIndexOf(line);
  if (at < 0) throw new Error("junit: the marker was not rendered as expected");
  return [xml.slice(0, at), xml.slice(at + line.length)];
}

function documentNode(report: ScanReport, totals: { tests: number; failures: number; skipped: number }, suites: Node[]): Node {
  return {
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
}

/** One control's suite: its counts and properties at once, its testcases made as they are written. */
function controlSuite(report: ScanReport, c: ControlResult, found: Found, opts: Pick<RenderOptions, "doc">) {
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
    return { name, properties, counts: { tests: 1, failures: 0, skipped: 1 }, size: 1, testcases: () => [testcase] };
  }

  const skipped = found.excepted;
  const counts = { tests: c.resources.passed + c.resources.failed + c.resources.excepted, failures: found.resource.length - skipped, skipped };
  const remediation = opts.doc?.(c.id)?.remediation?.trim();
  function* testcases(): Generator<Node> {
    for (let k = 0; k < found.resource.length; k++) {
      const resource = report.resources[found.resource[k]];
      const finding = findingAt(resource, found.finding[k])!;
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
        tc.skipped = attrs({ "@_message": `excepted: ${finding.exception ?? "exception"}` });
      } else {
        tc.failure = {
          "@_message": attr(finding.message || `${c.name} failed`),
          "@_type": c.severity,
          "#text": clean(failureBody(view, remediation)),
        };
      }
      yield tc;
    }
    const passed = c.resources.passed;
    if (passed > 0) yield { "@_classname": c.id, "@_name": `${passed} resource${passed === 1 ? "" : "s"} passed`, "@_time": "0" };
  }
  return { name, properties, counts, size: found.resource.length + 1, testcases };
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

export const reporter: Reporter = { ext: "xml", render: (report, opts) => renderJunit(report, opts), chunks: (report, opts) => renderJunitChunks(report, opts) };
