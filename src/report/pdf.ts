// The pdf format: a printable summary for people who do not read JSON. This module is the
// content (what goes on the pages, in which order and style); report/pdf-layout.ts lays it
// out (pages, fonts, wrapping, tables). Long scans are cut after a page budget, with a note
// of what was left out; the json or html report has everything.
import { PDFDocument, StandardFonts, rgb, type RGB } from "pdf-lib";
import type { Severity } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";
import { BLACK, BOTTOM, CONTENT_W, MARGIN, MUTED, PAGE_H, Writer, type Line, type Style } from "./pdf-layout.js";
import { fieldText, loc } from "./text.js";
import { findingView, listedInDetail } from "./view.js";

const SEVERITIES: Severity[] = ["Critical", "High", "Medium", "Low", "Info"];
/** the failed-resources list stops at this page; a note says how many resources were left out */
export const MAX_PAGES = 12;
const MAX_PATHS_PER_FINDING = 12;

const GOOD = rgb(0.1, 0.5, 0.22);
const FAIR = rgb(0.6, 0.4, 0);
const POOR = rgb(0.81, 0.13, 0.18);
const SEV_COLOR: Record<Severity, RGB> = {
  Critical: rgb(0.51, 0.03, 0.12),
  High: POOR,
  Medium: rgb(0.74, 0.3, 0),
  Low: rgb(0.04, 0.41, 0.85),
  Info: MUTED,
};

function formatScore(score: number | undefined): string {
  return score === undefined ? "n/a" : `${score.toFixed(2)}%`;
}

function scoreColor(score: number | undefined): RGB {
  if (score === undefined) return MUTED;
  return score >= 90 ? GOOD : score >= 70 ? FAIR : POOR;
}

export async function renderPdf(report: ScanReport): Promise<Uint8Array> {
  // metadata set by hand below, from the report, so the same report gives the same bytes
  const doc = await PDFDocument.create({ updateMetadata: false });
  const when = new Date(report.startedAt);
  const date = Number.isNaN(when.getTime()) ? new Date(0) : when;
  const target = targetText(report);
  doc.setTitle(`Kubescape scan report: ${target}`);
  doc.setSubject("Kubernetes security scan");
  doc.setCreator(`${report.generator.name} ${report.generator.version}`);
  doc.setProducer(`${report.generator.name} ${report.generator.version} (pdf-lib)`);
  doc.setCreationDate(date);
  doc.setModificationDate(date);

  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));
  const s = report.summary;

  w.text("Kubescape scan report", { size: 20, bold: true });
  w.gap(4);
  const meta: [string, string][] = [["Target", target]];
  const cl = report.target.cluster;
  if (cl) {
    meta.push(["Kubernetes", cl.version || "unknown version"]);
    meta.push(["Namespace", cl.namespace ?? "all namespaces"]);
  } else {
    meta.push(["Read", `${s.filesRead} file${s.filesRead === 1 ? "" : "s"}, ${s.resources.total} resource${s.resources.total === 1 ? "" : "s"}`]);
  }
  meta.push(["Date", formatDate(date)]);
  meta.push(["Generator", `${report.generator.name} ${report.generator.version}`]);
  for (const [k, v] of meta) {
    const label: Style = { size: 10, bold: true, color: MUTED };
    const top = w.y;
    w.text(k, label);
    w.y = top;
    w.text(v, { size: 10 }, MARGIN + 70);
  }

  // the headline numbers
  w.gap(14);
  const scoreStyle: Style = { size: 16, bold: true };
  w.ensure(w.lineHeight(scoreStyle) * 3);
  const top = w.y;
  w.text("Compliance score:", scoreStyle);
  w.y = top;
  w.text(formatScore(s.complianceScore), { ...scoreStyle, color: scoreColor(s.complianceScore) }, MARGIN + w.width("Compliance score: ", scoreStyle));
  w.gap(4);
  w.text(
    `Controls: ${s.controls.total} (${s.controls.failed} failed, ${s.controls.passed} passed, ${s.controls.skipped} skipped${s.controls.notApplicable ? `, ${s.controls.notApplicable} not applicable` : ""})    Resources: ${s.resources.total} (${s.resources.failed} failed)`,
    {
      size: 10,
    },
  );
  w.gap(2);
  // severity counts as coloured labels on one line
  const sevStyle: Style = { size: 10, bold: true };
  const sevTop = w.y;
  w.text("Failed controls by severity:", { size: 10 });
  let x = MARGIN + w.width("Failed controls by severity: ", { size: 10 });
  for (const sev of SEVERITIES) {
    const label = `${sev} ${s.failedBySeverity[sev] ?? 0}`;
    w.y = sevTop;
    w.text(label, { ...sevStyle, color: (s.failedBySeverity[sev] ?? 0) > 0 ? SEV_COLOR[sev] : MUTED }, x);
    x += w.width(label, sevStyle) + 14;
  }

  if (report.frameworks.length) {
    w.heading("Framework scores");
    w.table(
      [
        { title: "Framework", width: 200 },
        { title: "Score", width: 80, align: "right" },
        { title: "Failed", width: 70, align: "right" },
        { title: "Evaluated", width: 75, align: "right" },
        { title: "Skipped", width: CONTENT_W - 425, align: "right" },
      ],
      report.frameworks.map((f) => [f.name, formatScore(f.score), String(f.controls.failed), String(f.controls.evaluated), String(f.controls.skipped)]),
      (r, c) => (c === 1 ? scoreColor(report.frameworks[r].score) : undefined),
    );
  }

  const failed = report.controls.filter((c) => c.status === "failed");
  w.heading(`Failed controls (${failed.length})`);
  if (!failed.length) w.text("No control failed.", { size: 10 });
  else {
    w.table(
      [
        { title: "ID", width: 58 },
        { title: "Name", width: CONTENT_W - 58 - 70 - 72 },
        { title: "Severity", width: 70 },
        { title: "Failed/all", width: 72, align: "right" },
      ],
      failed.map((c) => [c.id, c.name, c.severity, `${c.resources.failed}/${c.resources.passed + c.resources.failed + c.resources.excepted}`]),
      (r, c) => (c === 2 ? SEV_COLOR[failed[r].severity] : undefined),
    );
  }

  const resources = report.resources.filter(listedInDetail);
  w.heading(`Failed resources (${report.summary.resources.failed})`);
  if (!resources.length) w.text("No resource failed a control.", { size: 10 });
  let shown = 0;
  for (const { paragraphs } of failedResourceBlocks(report)) {
    const block: Line[] = paragraphs.flatMap((p) => w.lines(p.text, p.style, MARGIN + p.indent, p.hang).map((l) => (p.panel ? { ...l, panel: true } : l)));
    const h = w.height(block) + 8;
    // past the page budget, stop before a resource that would need another page
    if (doc.getPageCount() >= MAX_PAGES && h > w.remaining() - 30) break;
    // keep a short resource on one page
    if (h <= PAGE_H - MARGIN - BOTTOM && h > w.remaining()) w.newPage();
    w.draw(block);
    w.gap(8);
    shown++;
  }
  if (shown < resources.length) {
    const left = resources.length - shown;
    w.text(`${left} more failed resource${left === 1 ? "" : "s"} not shown (page limit); the json or html report lists them all.`, { size: 10, bold: true, color: POOR });
  }

  if (report.skippedFiles.length || report.warnings.length) {
    w.heading("Skipped input and warnings");
    for (const f of report.skippedFiles.slice(0, 50)) w.text(`${loc(f.file, f.line)}: ${f.reason}`, { size: 9 });
    if (report.skippedFiles.length > 50) w.text(`... ${report.skippedFiles.length - 50} more skipped inputs`, { size: 9, color: MUTED });
    for (const m of report.warnings.slice(0, 50)) w.text(`warning: ${m}`, { size: 9, color: FAIR });
  }

  // footer on every page, now that the page count is known
  w.footers(`${report.generator.name} ${report.generator.version} - ${target}`);

  return doc.save();
}

/** A paragraph of the failed-resources list before layout: its text, style and indent from the margin. */
export interface Paragraph {
  text: string;
  style: Style;
  indent: number;
  /** indent of wrapped continuation lines, relative to the first */
  hang?: number;
  /** on the shaded band of the resource's title */
  panel?: boolean;
  /** the finding (control ID) the paragraph belongs to; absent for the resource's title */
  controlID?: string;
}

/**
 * One block per resource with a failed finding: its ID and file:line:col on a band, then
 * per finding its title, message and fields (report/view.ts: each once, the one at the
 * finding's position first). An excepted finding is one line.
 */
export function failedResourceBlocks(report: ScanReport): { resourceID: string; paragraphs: Paragraph[] }[] {
  const ctlById = new Map(report.controls.map((c) => [c.id, c]));
  return report.resources.filter(listedInDetail).map((r) => {
    const out: Paragraph[] = [{ text: r.resourceID, style: { size: 10, bold: true }, indent: 4, panel: true }];
    if (r.source) out.push({ text: loc(r.source.file, r.source.line, r.source.column), style: { size: 8.5, color: MUTED }, indent: 4, panel: true });
    for (const f of r.findings) {
      const ctl = ctlById.get(f.controlID);
      const controlID = f.controlID;
      if (f.status === "excepted") {
        out.push({ text: `${f.controlID} ${ctl?.name ?? ""}: passed (excepted by ${f.exception ?? "an exception"})`, style: { size: 9, color: MUTED }, indent: 10, controlID });
        continue;
      }
      out.push({
        text: `${f.controlID} ${ctl?.name ?? ""} (${ctl?.severity ?? "unknown severity"})`,
        style: { size: 9, bold: true, color: ctl ? SEV_COLOR[ctl.severity] : BLACK },
        indent: 10,
        controlID,
      });
      if (f.message) out.push({ text: f.message, style: { size: 8.5, color: MUTED }, indent: 20, hang: 12, controlID });
      const view = findingView(r, f);
      for (const p of view.fields.slice(0, MAX_PATHS_PER_FINDING)) out.push({ text: fieldText(p, view.file), style: { size: 8.5 }, indent: 20, hang: 12, controlID });
      if (view.fields.length > MAX_PATHS_PER_FINDING) out.push({ text: `... ${view.fields.length - MAX_PATHS_PER_FINDING} more paths`, style: { size: 8.5, color: MUTED }, indent: 20, controlID });
    }
    return { resourceID: r.resourceID, paragraphs: out };
  });
}

function targetText(report: ScanReport): string {
  const cl = report.target.cluster;
  if (cl) return `cluster ${cl.context} (${cl.server})`;
  return `files ${report.target.paths.join(", ") || "(none)"}`;
}

function formatDate(d: Date): string {
  return d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

export const reporter: Reporter = { ext: "pdf", render: (report) => renderPdf(report) };
