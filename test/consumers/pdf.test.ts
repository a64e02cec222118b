// The pdf report as poppler reads it: pdftotext must find the same scores as the json report
// of the same scan, the failed controls and the fixture's positions; pdfinfo the metadata;
// pdftoppm renders page 1 as a CI artifact.
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/cli.js";

const run = promisify(execFile);
const TOOLS = ["pdftotext", "pdftoppm", "pdfinfo"];
const missing = TOOLS.filter((t) => spawnSync(t, ["-v"]).error !== undefined);
if (missing.length) console.warn(`SKIPPED pdf consumer tests: ${missing.join(", ")} not found. Install poppler-utils with: sudo bash scripts/install-system.sh`);
const artifacts = path.join(repoRoot, "test-output");

const fmt = (n: number | undefined) => (n === undefined ? "n/a" : `${n.toFixed(2)}%`);
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function pdfText(file: string): Promise<string> {
  return (await run("pdftotext", ["-layout", file, "-"], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function pdfInfo(file: string): Promise<Record<string, string>> {
  const { stdout } = await run("pdfinfo", ["-isodates", file]);
  return Object.fromEntries(
    stdout
      .split("\n")
      .filter((l) => l.includes(":"))
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
  );
}

describe.skipIf(missing.length > 0)(
  missing.length ? `pdf report in poppler: SKIPPED, ${missing.join(", ")} not found (install poppler-utils: sudo bash scripts/install-system.sh)` : "pdf report in poppler",
  () => {
    let dir: string;
    let json: any;
    let pdf: string;

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-pdf-"));
      // one scan, two formats: the pdf must say what the json says
      const r = runCli(["scan", "examples/", "--format", "pdf,json", "--output", path.join(dir, "report")]);
      expect(r.code, r.stderr).toBe(0);
      json = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
      pdf = path.join(dir, "report.pdf");
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("pdftotext reads the json report's scores, severity counts, failed controls and positions", async () => {
      expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
      const text = await pdfText(pdf);
      expect(text).toContain(`Compliance score: ${fmt(json.summary.complianceScore)}`);
      expect(json.frameworks.length).toBeGreaterThan(3);
      for (const fw of json.frameworks) {
        // one table row per framework: name, score, failed, evaluated, skipped
        const c = fw.controls;
        expect(text, fw.name).toMatch(new RegExp(`^\\s*${re(fw.name)}\\s+${re(fmt(fw.score))}\\s+${c.failed}\\s+${c.evaluated}\\s+${c.skipped}\\s*$`, "m"));
      }
      const sev = Object.entries(json.summary.failedBySeverity)
        .map(([k, n]) => `${k} ${n}`)
        .join("\\s+");
      expect(text).toMatch(new RegExp(`Failed controls by severity:\\s+${sev}`));

      // the failed controls table: every failed control, C-0041 with its name, severity and counts
      const failed = json.controls.filter((c: any) => c.status === "failed");
      expect(text).toContain(`Failed controls (${failed.length})`);
      for (const c of failed) expect(text).toMatch(new RegExp(`^\\s*${c.id}\\s`, "m"));
      const c41 = json.controls.find((c: any) => c.id === "C-0041");
      expect(c41.status).toBe("failed");
      const all = c41.resources.passed + c41.resources.failed + c41.resources.excepted;
      expect(text).toMatch(new RegExp(`C-0041\\s+${re(c41.name)}\\s+${c41.severity}\\s+${c41.resources.failed}/${all}`));

      // failed resources with the failed field's position (examples/risky/log-agent.yaml:17 is `hostNetwork: true`)
      const fixture = fs.readFileSync(path.join(repoRoot, "examples/risky/log-agent.yaml"), "utf8").split("\n");
      expect(fixture[16]).toBe("      hostNetwork: true");
      expect(text).toContain("apps/v1/logging/DaemonSet/log-agent");
      expect(text).toMatch(/examples\/risky\/log-agent\.yaml:17:7\s+spec\.template\.spec\.hostNetwork/);
      expect(text).not.toMatch(/not shown \(page limit\)/);
    });

    it("pdfinfo reads the metadata, dated from the scan's start", async () => {
      const info = await pdfInfo(pdf);
      expect(info.Title).toBe("Kubescape scan report: files examples/");
      expect(info.Creator).toBe(`${json.generator.name} ${json.generator.version}`);
      // PDF dates keep whole seconds
      expect(new Date(info.CreationDate).getTime()).toBe(Math.floor(new Date(json.startedAt).getTime() / 1000) * 1000);
      expect(info["Page size"]).toMatch(/\(A4\)/);
    });

    it("pdftoppm renders page 1 (CI artifact)", async () => {
      fs.mkdirSync(artifacts, { recursive: true });
      const root = path.join(artifacts, "report-pdf-1");
      fs.rmSync(`${root}.png`, { force: true });
      await run("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, root]);
      const png = fs.readFileSync(`${root}.png`);
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      // A4 (595.28 x 841.89 pt) at 60 dpi, give or take poppler's rounding
      expect(Math.abs(png.readUInt32BE(16) - (595.28 * 60) / 72)).toBeLessThanOrEqual(1);
      expect(Math.abs(png.readUInt32BE(20) - (841.89 * 60) / 72)).toBeLessThanOrEqual(1);
      expect(png.length).toBeGreaterThan(20_000);
    });

    it("same report, same bytes; a long report is cut after the page budget with a count; odd characters survive", async () => {
      const { renderPdf, MAX_PAGES } = await import(pathToFileURL(path.join(repoRoot, "dist/report/pdf.js")).href);
      const a = await renderPdf(json);
      const b = await renderPdf(structuredClone(json));
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);

      // 400 copies of the failed resources, one with a name outside the standard fonts' encoding
      const failedRes = json.resources.filter((r: any) => r.findings.some((f: any) => f.status === "failed"));
      const many = structuredClone(json);
      const odd = "apps/v1/x/Deployment/caf\u00e9\u2192\u65e5\u672c\ttab";
      many.resources = Array.from({ length: 400 }, (_, i) => {
        const r = structuredClone(failedRes[i % failedRes.length]);
        r.resourceID = i === 0 ? odd : `${r.resourceID}-${i}`;
        return r;
      });
      const file = path.join(dir, "many.pdf");
      fs.writeFileSync(file, await renderPdf(many));
      const info = await pdfInfo(file);
      expect(Number(info.Pages)).toBeGreaterThanOrEqual(MAX_PAGES);
      expect(Number(info.Pages)).toBeLessThanOrEqual(MAX_PAGES + 1);
      const text = await pdfText(file);
      const m = /(\d+) more failed resources not shown \(page limit\)/.exec(text);
      expect(m).not.toBeNull();
      // as drawn: WinAnsi keeps é, maps → to ->, marks what it cannot encode, a tab becomes a space
      const drawn = (id: string) => (id === odd ? "apps/v1/x/Deployment/caf\u00e9->?? tab" : id);
      const shownIds = many.resources.filter((r: any) => text.includes(`${drawn(r.resourceID)}\n`)).length;
      expect(shownIds).toBeGreaterThan(10);
      expect(Number(m![1]) + shownIds).toBe(400);
      expect(text).toContain(drawn(odd));
    });
  },
);
