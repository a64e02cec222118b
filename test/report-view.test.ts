// One line per finding in every format: a scan written in all 12 formats is read back with
// each format's own reader, and the line each gives for a (resource, control) must be the
// line report/view.ts computes from the json report. The same again for the same report
// with a fix and a review of other fields listed before each finding's own, reversed, entries
// (a rule may list its fields in any order and mix the kinds).
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { parse as parseCsv } from "csv-parse/sync";
import MarkdownIt from "markdown-it";
import { XMLParser } from "fast-xml-parser";
import { unescape as unescapeHtml } from "html-escaper";
import { repoRoot, runCli } from "./support/cli.js";
import { agentHostPidException } from "./support/fixtures.js";
import type { ScanReport } from "../src/core/scoring/result.js";

const dist = (m: string) => import(pathToFileURL(path.join(repoRoot, "dist", "report", m)).href);
const run = promisify(execFile);
const PDFTOTEXT = spawnSync("pdftotext", ["-v"]).error === undefined;

const FORMATS = ["pretty", "json", "yaml", "junit", "sarif", "html", "pdf", "prometheus", "csv", "markdown", "gitlab-sast", "policyreport"] as const;
type Format = (typeof FORMATS)[number];
const FILE: Record<Format, string> = {
  pretty: "txt",
  json: "json",
  yaml: "yaml",
  junit: "xml",
  sarif: "sarif",
  html: "html",
  pdf: "pdf",
  prometheus: "prom",
  csv: "csv",
  markdown: "md",
  "gitlab-sast": "gitlab-sast.json",
  policyreport: "policyreport.yaml",
};
/** the formats that place a finding; what the others carry instead */
const NO_LINE: Partial<Record<Format, string>> = {
  prometheus: "metrics per control and framework: no finding, so no line",
  json: "the report model itself (raw path entries, the view's input): no single line to compare",
  yaml: "the report model itself, as yaml",
};

const key = (resourceID: string, controlID: string) => `${controlID} ${resourceID}`;
type Lines = Map<string, number | undefined>;
type Outputs = Record<Format, string | Uint8Array>;

/** the line number after "<file>:" at the start of s (s may continue with :col and text) */
function lineAfter(s: string, file: string | undefined): number | undefined {
  if (!file || !s.startsWith(`${file}:`)) return undefined;
  const m = /^(\d+)/.exec(s.slice(file.length + 1));
  return m ? Number(m[1]) : undefined;
}

function fileOf(report: ScanReport): (resourceID: string) => string | undefined {
  const files = new Map(report.resources.map((r) => [r.resourceID, r.source?.file]));
  return (id) => files.get(id);
}

// ---- one reader per format, each giving (resource, control) → line as the format shows it

const readers: Record<Exclude<Format, "prometheus" | "json" | "yaml">, (out: string, report: ScanReport, extra: { pdfText?: string; blocks?: any[] }) => Lines> = {
  sarif(out) {
    const lines: Lines = new Map();
    for (const x of JSON.parse(out).runs[0].results) lines.set(key(x.properties.resourceID, x.ruleId), x.locations[0].physicalLocation?.region?.startLine);
    return lines;
  },
  junit(out, report) {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "testsuite" || n === "testcase" }).parse(out);
    const file = fileOf(report);
    const lines: Lines = new Map();
    for (const s of xml.testsuites.testsuite) {
      for (const tc of s.testcase ?? []) {
        if (!tc.file) continue; // the passed and not-evaluated rows
        const k = key(tc.name, tc.classname);
        lines.set(k, tc.line === undefined ? undefined : Number(tc.line));
        if (tc.failure) {
          // the failure text: message, then file:line:col of each field (the finding's own first)
          const body: string = typeof tc.failure === "string" ? tc.failure : tc.failure["#text"];
          const first = body
            .split("\n")
            .slice(1)
            .map((l) => lineAfter(l, file(tc.name)))
            .find((n) => n !== undefined);
          lines.set(`${k} (failure text)`, first);
        }
      }
    }
    return lines;
  },
  "gitlab-sast"(out) {
    const lines: Lines = new Map();
    for (const v of JSON.parse(out).vulnerabilities) {
      const id = /Resource: `([^`]+)`/.exec(v.description)![1];
      lines.set(key(id, v.identifiers[0].value), v.location.start_line);
    }
    return lines;
  },
  csv(out) {
    const lines: Lines = new Map();
    for (const row of parseCsv(out, { columns: true }) as Record<string, string>[]) lines.set(key(row.resourceID, row.controlID), row.line === "" ? undefined : Number(row.line));
    return lines;
  },
  markdown(out, report) {
    const file = fileOf(report);
    const lines: Lines = new Map();
    let control: string | undefined;
    let row: string[] | undefined;
    let header = true;
    for (const t of new MarkdownIt({ html: true }).parse(out, {})) {
      if (t.type === "html_block" && t.content.includes("<summary>")) control = /(C-\d{4})/.exec(t.content)![1];
      else if (t.type === "thead_open") header = true;
      else if (t.type === "tbody_open") header = false;
      else if (t.type === "tr_open") row = [];
      else if (t.type === "inline" && row) row.push((t.children ?? []).map((c) => c.content).join(""));
      else if (t.type === "tr_close") {
        // a failed-resource table: Resource, Location, Failed fields, Fix
        if (control && !header && row!.length === 4) lines.set(key(row![0], control), lineAfter(row![1], file(row![0])));
        row = undefined;
      }
    }
    return lines;
  },
  html(out, report) {
    const file = fileOf(report);
    const lines: Lines = new Map();
    for (const article of out.split('<article class="resource" data-resource="').slice(1)) {
      const id = unescapeHtml(article.slice(0, article.indexOf('"')));
      const own = /<span class="src mono">([^<]*)<\/span>/.exec(article);
      for (const m of article.matchAll(/<section class="finding" data-finding="([^"]+)">(.*?)<\/section>/gs)) {
        // the first place a finding names, else the resource's own in its header
        const at = /<span class="at mono">([^<]*)<\/span>/.exec(m[2]);
        lines.set(key(id, unescapeHtml(m[1])), lineAfter(unescapeHtml((at ?? own)?.[1] ?? ""), file(id)));
      }
    }
    return lines;
  },
  pdf(_out, report, { pdfText, blocks }) {
    const file = fileOf(report);
    const lines: Lines = new Map();
    // the content model the layout writer draws
    for (const b of blocks!) {
      const own = b.paragraphs.find((p: any) => p.panel && lineAfter(p.text, file(b.resourceID)) !== undefined);
      const findings = new Map<string, any[]>();
      for (const p of b.paragraphs) if (p.controlID) findings.set(p.controlID, [...(findings.get(p.controlID) ?? []), p]);
      for (const [ctl, ps] of findings) {
        if (/: passed \(excepted by /.test(ps[0].text)) continue;
        const at = ps.find((p) => lineAfter(p.text, file(b.resourceID)) !== undefined) ?? own;
        lines.set(key(b.resourceID, ctl), at ? lineAfter(at.text, file(b.resourceID)) : undefined);
      }
    }
    if (pdfText !== undefined) {
      // and the text as poppler reads it from the drawn pages
      const ids = new Set(report.resources.filter((r) => r.findings.some((f) => f.status === "failed")).map((r) => r.resourceID));
      let id: string | undefined;
      let own: number | undefined;
      let ctl: string | undefined;
      for (const l of pdfText.split("\n").map((x) => x.replace(/^\f/, ""))) {
        if (ids.has(l)) [id, own, ctl] = [l, undefined, undefined];
        else if (!id) continue;
        else if (/^C-\d{4} .*: passed \(excepted by /.test(l)) ctl = undefined;
        else if (/^C-\d{4} .* \((Critical|High|Medium|Low|Info|unknown severity)\)$/.test(l)) {
          ctl = l.slice(0, 6);
          lines.set(`${key(id, ctl)} (pdftotext)`, own);
        } else if (lineAfter(l, file(id)) !== undefined) {
          if (!ctl && own === undefined) own = lineAfter(l, file(id));
          else if (ctl && !lines.has(`${key(id, ctl)} (pdftotext, field)`)) {
            lines.set(`${key(id, ctl)} (pdftotext, field)`, lineAfter(l, file(id)));
            lines.set(`${key(id, ctl)} (pdftotext)`, lineAfter(l, file(id)));
          }
        }
      }
      for (const k of [...lines.keys()].filter((k) => k.endsWith("(pdftotext, field)"))) lines.delete(k);
    }
    return lines;
  },
  pretty(out, report) {
    const file = fileOf(report);
    const ids = new Set(report.resources.map((r) => r.resourceID));
    const lines: Lines = new Map();
    let id: string | undefined;
    let own: number | undefined;
    let ctl: string | undefined;
    let placed = false;
    for (const l of out.split("\n")) {
      const head = /^(\S.*?) {2}(\S.*)$/.exec(l);
      if (head && ids.has(head[1])) [id, own, ctl] = [head[1], lineAfter(head[2], file(head[1])), undefined];
      else if (!id) continue;
      else if (/^ {2}excepted /.test(l)) ctl = undefined;
      else if (/^ {2}(Critical|High|Medium|Low|Info)\s+C-\d{4} /.test(l)) {
        ctl = /C-\d{4}/.exec(l)![0];
        lines.set(key(id, ctl), own);
        placed = false;
      } else if (ctl && !placed && l.startsWith(" ".repeat(11)) && lineAfter(l.trim(), file(id)) !== undefined) {
        lines.set(key(id, ctl), lineAfter(l.trim(), file(id)));
        placed = true;
      } else if (!l.startsWith(" ")) id = undefined;
    }
    return lines;
  },
  policyreport(out) {
    const lines: Lines = new Map();
    for (const doc of YAML.parseAllDocuments(out, { version: "1.1" }).map((d) => d.toJS())) {
      for (const x of doc.results) {
        if (!x.properties?.resourceID) continue; // a passed control, on no resource
        const m = /:(\d+)(?::\d+)?$/.exec(x.properties.file ?? "");
        lines.set(key(x.properties.resourceID, x.policy), m ? Number(m[1]) : undefined);
      }
    }
    return lines;
  },
};

/** Every format's lines against the view's; the disagreements as "format: finding: got ≠ want". */
async function disagreements(report: ScanReport, outputs: Outputs, pdfFile: string): Promise<{ wrong: string[]; counts: Record<string, number> }> {
  const { findingView } = await dist("view.js");
  const { failedResourceBlocks } = await dist("pdf.js");
  const want = new Map<string, number | undefined>();
  for (const r of report.resources) for (const f of r.findings) want.set(key(r.resourceID, f.controlID), findingView(r, f).line);
  const extra = { blocks: failedResourceBlocks(report), pdfText: PDFTOTEXT ? (await run("pdftotext", [pdfFile, "-"], { maxBuffer: 64 << 20 })).stdout : undefined };
  const wrong: string[] = [];
  const counts: Record<string, number> = {};
  for (const [format, read] of Object.entries(readers)) {
    const got = read(String(outputs[format as Format]), report, extra);
    counts[format] = got.size;
    for (const [k, line] of got) {
      const base = k.replace(/ \(.*\)$/, "");
      expect(want.has(base), `${format}: ${k} is no finding of the report`).toBe(true);
      if (line !== want.get(base)) wrong.push(`${format}: ${k}: ${line} ≠ ${want.get(base)}`);
    }
  }
  return { wrong, counts };
}

let dir: string;
let report: ScanReport;
let outputs: Outputs;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-view-"));
  // log-agent's host PID finding excepted, so the formats that list excepted findings have one
  const exceptions = [agentHostPidException];
  fs.writeFileSync(path.join(dir, "exceptions.json"), JSON.stringify(exceptions));
  const r = runCli(["scan", "examples/", "--exceptions", path.join(dir, "exceptions.json"), "--format", FORMATS.join(","), "--output", path.join(dir, "report")]);
  if (r.code !== 0 && r.code !== 1) throw new Error(r.stderr);
  outputs = Object.fromEntries(FORMATS.map((f) => [f, f === "pdf" ? "" : fs.readFileSync(path.join(dir, `report.${FILE[f]}`), "utf8")])) as Outputs;
  report = JSON.parse(String(outputs.json));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("one line per finding across the 12 formats", () => {
  it("the scan has findings placed by a failed, a fix and no field, and fields named twice", () => {
    const all = report.resources.flatMap((r) => r.findings);
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((f) => f.paths.some((p) => p.type === "failed"))).toBe(true);
    expect(all.some((f) => f.paths.length && f.paths.every((p) => p.type === "fix"))).toBe(true);
    expect(all.some((f) => !f.paths.length)).toBe(true);
    expect(all.some((f) => f.status === "excepted")).toBe(true);
    // the json report (the model) still lists every entry as the rule gave it
    const hn = report.resources.find((r) => r.name === "log-agent")!.findings.find((f) => f.controlID === "C-0041")!;
    expect(hn.paths.map((p) => p.type)).toEqual(["failed", "delete"]);
    expect(YAML.parse(String(outputs.yaml))).toEqual(report);
    for (const [f, why] of Object.entries(NO_LINE)) expect(why, f).toBeTruthy();
  });

  it("every format gives the view's line for every finding it shows", async () => {
    const { wrong, counts } = await disagreements(report, outputs, path.join(dir, "report.pdf"));
    expect(wrong).toEqual([]);
    // each reader found the findings its format carries
    const all = report.resources.reduce((n, r) => n + r.findings.length, 0);
    const failed = report.resources.reduce((n, r) => n + r.findings.filter((f) => f.status === "failed").length, 0);
    for (const f of ["sarif", "csv", "policyreport"]) expect(counts[f], f).toBe(all);
    expect(counts.junit).toBe(all + failed); // the testcase line, and the failure text of failed ones
    for (const f of ["gitlab-sast", "markdown", "html", "pretty"]) expect(counts[f], f).toBe(failed);
    expect(counts.pdf).toBe(PDFTOTEXT ? 2 * failed : failed);
  });

  it("and so when a rule lists a fix and a review of other fields first, and its own fields in reverse", async () => {
    const { render } = await dist("index.js");
    const mixed: ScanReport = structuredClone(report);
    for (const r of mixed.resources) {
      const at = r.source?.line ?? 1;
      for (const f of r.findings) {
        f.paths = [
          { type: "fix", path: "metadata.labels[team]", value: "web", line: at + 2, column: 3, exact: false },
          { type: "review", path: "metadata.annotations[owner]", line: at + 1, column: 3, exact: true },
          ...f.paths.reverse(),
        ];
      }
    }
    const out = {} as Outputs;
    for (const f of FORMATS) out[f] = await render(f, mixed, { color: false });
    const pdfFile = path.join(dir, "mixed.pdf");
    fs.writeFileSync(pdfFile, out.pdf as Uint8Array);
    const { wrong } = await disagreements(mixed, out, pdfFile);
    expect(wrong).toEqual([]);
  });
});

describe("the view", () => {
  const resource = (paths: any[], source: any = { file: "a.yaml", line: 3, column: 1 }): any => ({
    resourceID: "apps/v1/ns/Deployment/d",
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: "d",
    namespace: "ns",
    source,
    findings: [{ controlID: "C-0001", status: "failed", message: "m", paths, relatedObjects: [] }],
  });

  it("folds the entries of one path into one field, the one that places the finding first", async () => {
    const { findingView } = await dist("view.js");
    const r = resource([
      { type: "fix", path: "x.fix", value: "1", line: 5, column: 3, exact: false },
      { type: "review", path: "x.img", line: 9, column: 7, exact: true },
      { type: "failed", path: "x.img", line: 9, column: 7, exact: true },
      { type: "failed", path: "x.host", line: 12, column: 5, exact: true },
      { type: "delete", path: "x.host", line: 12, column: 5, exact: true },
      { type: "fix", path: "x.img", value: "nginx:1.27", line: 9, column: 7, exact: true },
    ]);
    const v = findingView(r, r.findings[0]);
    expect(v.fields).toEqual([
      { path: "x.img", line: 9, column: 7, exact: true, kinds: ["failed", "review", "fix"], failed: true, review: true, fix: { value: "nginx:1.27" } },
      { path: "x.host", line: 12, column: 5, exact: true, kinds: ["failed", "delete"], failed: true, review: false, fix: "remove" },
      { path: "x.fix", line: 5, column: 3, exact: false, kinds: ["fix"], failed: false, review: false, fix: { value: "1" } },
    ]);
    expect(v).toMatchObject({ file: "a.yaml", line: 9, column: 7, at: v.fields[0] });
    expect(v.failed.map((f: any) => f.path)).toEqual(["x.img", "x.host"]);
    expect(v.fixes.map((f: any) => f.path)).toEqual(["x.img", "x.host", "x.fix"]);
  });

  it("places a finding at a delete before a review before a fix, and at the resource without positioned fields", async () => {
    const { findingView } = await dist("view.js");
    const at = (paths: any[], source?: any) => {
      const r = resource(paths, source);
      const v = findingView(r, r.findings[0]);
      return [v.line, v.column, v.at?.path];
    };
    expect(
      at([
        { type: "failed", path: "a" },
        { type: "fix", path: "b", line: 4, column: 2 },
        { type: "review", path: "c", line: 6, column: 2 },
        { type: "delete", path: "d", line: 8, column: 2 },
      ]),
    ).toEqual([8, 2, "d"]);
    expect(
      at([
        { type: "fix", path: "b", line: 4, column: 2 },
        { type: "review", path: "c", line: 6, column: 2 },
      ]),
    ).toEqual([6, 2, "c"]);
    expect(at([{ type: "failed", path: "a" }])).toEqual([3, 1, undefined]);
    expect(at([])).toEqual([3, 1, undefined]);
    expect(at([], { file: "<stdin>" })).toEqual([undefined, undefined, undefined]);
  });
});
