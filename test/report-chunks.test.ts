// Formats whose output grows with the findings are written in pieces (Reporter.chunks): the
// pieces are byte for byte the whole rendering, and none of them grows with the scan. The html
// page, built whole, is refused with one line above its limit.
import { beforeAll, describe, expect, it } from "vitest";
import { Scanner, streamSource, loadReporter, type ScanReport } from "../src/core/index.js";
import { HTML_MAX_FINDINGS, renderHtml } from "../src/report/html.js";

const pods = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${i}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    env: [{name: NOTE, value: "line one\\nline two"}]\n`,
  ).join("---\n");

describe("formats written in pieces", () => {
  let report: ScanReport;
  beforeAll(async () => {
    const scanner = await Scanner.create({ threads: 1 });
    try {
      // 600 Pods: more than a junit suite's batch of testcases, a yaml batch of resources and a csv batch of rows
      report = await scanner.scan({ source: streamSource("<pods>", pods(600)) });
    } finally {
      await scanner.close();
    }
  }, 120_000);

  // json: see report-json-stream.test.ts
  for (const format of ["yaml", "junit", "sarif", "csv", "gitlab-sast", "policyreport", "pretty"] as const) {
    it(`${format}: the pieces are the whole rendering, none of them growing with the scan`, async () => {
      const r = await loadReporter(format);
      // pretty: verbose, every failed resource in detail
      const opts = { color: false, doc: (id: string) => ({ remediation: `fix ${id}\nsecond line` }) as never, ...(format === "pretty" ? { verbose: true, width: 100 } : {}) };
      const whole = (await r.render(report, opts)) as string;
      expect(r.chunks).toBeDefined();
      const pieces = [...r.chunks!(report, opts)];
      expect(pieces.join("")).toBe(whole);
      expect(pieces.length).toBeGreaterThan(2);
      expect(pieces.reduce((m, p) => Math.max(m, p.length), 0)).toBeLessThan(whole.length / 2);
    });
  }

  it("html above its limit is one clear error, not a page built until memory runs out", () => {
    const one = report.resources[0];
    const many = { ...report, resources: Array.from({ length: Math.ceil((HTML_MAX_FINDINGS + 1) / one.findings.length) }, () => one) };
    expect(() => renderHtml(many, {})).toThrow(/^the html report is limited to 50000 findings and this scan has \d+: use --format json/);
    expect(renderHtml(report, {})).toContain("<html");
  });
});
