// The pdf format: a printable summary for people who do not read JSON. Built with pdf-lib
// and its standard fonts (Helvetica), which need no font files at run time, so the text is
// plain WinAnsi and any PDF text tool can extract it. Long scans are cut after a page
// budget, with a note of what was left out; the json or html report has everything.
import { PDFDocument, PageSizes, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from "pdf-lib";
import type { Severity } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";
import { loc, pathText } from "./text.js";

const SEVERITIES: Severity[] = ["Critical", "High", "Medium", "Low", "Info"];
const [PAGE_W, PAGE_H] = PageSizes.A4;
const MARGIN = 48;
const BOTTOM = MARGIN + 18; // room for the footer
const CONTENT_W = PAGE_W - 2 * MARGIN;
/** the failed-resources list stops at this page; a note says how many resources were left out */
export const MAX_PAGES = 12;
const MAX_PATHS_PER_FINDING = 12;

const BLACK = rgb(0.12, 0.14, 0.16);
const MUTED = rgb(0.35, 0.39, 0.43);
const LINE = rgb(0.82, 0.85, 0.88);
const PANEL = rgb(0.965, 0.973, 0.98);
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


interface Style {
  size: number;
  bold?: boolean;
  color?: RGB;
}

interface Line extends Style {
  text: string;
  x: number;
  /** drawn on a shaded band across the page (a resource's title) */
  panel?: boolean;
}

/** Lays text out top to bottom, starting a page when the next line does not fit. */
class Writer {
  page!: PDFPage;
  y = 0;
  private readonly charset: Set<number>;

  constructor(
    readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.charset = new Set(regular.getCharacterSet());
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_W, PAGE_H]);
    this.y = PAGE_H - MARGIN;
  }

  font(style: Style): PDFFont {
    return style.bold ? this.bold : this.regular;
  }

  /** Standard fonts encode WinAnsi only: map what has a plain equivalent, mark the rest. */
  clean(s: string): string {
    let out = "";
    for (const ch of s.replace(/[\t\r\n\f\v]+/g, " ")) {
      const cp = ch.codePointAt(0)!;
      if (this.charset.has(cp)) out += ch;
      else if (ch === "→") out += "->";
      else if (ch === "←") out += "<-";
      else if (ch === "≥") out += ">=";
      else if (ch === "≤") out += "<=";
      else if (cp < 0x20) out += " ";
      else out += "?";
    }
    return out;
  }

  width(text: string, style: Style): number {
    return this.font(style).widthOfTextAtSize(text, style.size);
  }

  /** Split text into lines no wider than maxWidth, breaking inside a word only when it alone is too wide. */
  wrap(text: string, style: Style, maxWidth: number): string[] {
    const words = this.clean(text).split(" ");
    const lines: string[] = [];
    let cur = "";
    const push = (w: string) => {
      const next = cur ? `${cur} ${w}` : w;
      if (this.width(next, style) <= maxWidth) {
        cur = next;
        return;
      }
      if (cur) lines.push(cur);
      cur = "";
      // a word wider than the line: cut it where it fills the line
      while (this.width(w, style) > maxWidth) {
        let n = w.length - 1;
        while (n > 1 && this.width(w.slice(0, n), style) > maxWidth) n--;
        lines.push(w.slice(0, n));
        w = w.slice(n);
      }
      cur = w;
    };
    for (const w of words) push(w);
    if (cur || !lines.length) lines.push(cur);
    return lines;
  }

  lineHeight(style: Style): number {
    return style.size * 1.35;
  }

  /** Text at x, wrapped to the right margin; continuation lines indented by `hang`. */
  lines(text: string, style: Style, x = MARGIN, hang = 0): Line[] {
    const [first, ...rest] = this.wrap(text, style, PAGE_W - MARGIN - x);
    const out: Line[] = [{ ...style, text: first, x }];
    if (rest.length) out.push(...this.wrap(rest.join(" "), style, PAGE_W - MARGIN - x - hang).map((t) => ({ ...style, text: t, x: x + hang })));
    return out;
  }

  height(lines: Line[]): number {
    return lines.reduce((h, l) => h + this.lineHeight(l), 0);
  }

  remaining(): number {
    return this.y - BOTTOM;
  }

  ensure(h: number): void {
    if (this.y - h < BOTTOM) this.newPage();
  }

  draw(lines: Line[]): void {
    for (const l of lines) {
      const lh = this.lineHeight(l);
      this.ensure(lh);
      this.y -= lh;
      if (l.panel) this.page.drawRectangle({ x: MARGIN, y: this.y, width: CONTENT_W, height: lh, color: PANEL });
      this.page.drawText(l.text, { x: l.x, y: this.y + (lh - l.size) / 2 + 1, size: l.size, font: this.font(l), color: l.color ?? BLACK });
    }
  }

  text(text: string, style: Style, x = MARGIN): void {
    this.draw(this.lines(text, style, x));
  }

  gap(h: number): void {
    this.y -= h;
  }

  heading(text: string): void {
    this.ensure(60); // keep a heading with at least a few lines of what follows
    this.gap(10);
    this.text(text, { size: 13, bold: true });
    this.page.drawLine({ start: { x: MARGIN, y: this.y - 3 }, end: { x: PAGE_W - MARGIN, y: this.y - 3 }, thickness: 0.6, color: LINE });
    this.gap(8);
  }

  /** A table with header; each cell wraps inside its column. `color` picks a cell's colour. */
  table(columns: { title: string; width: number; align?: "right" }[], rows: string[][], color?: (row: number, col: number) => RGB | undefined): void {
    const size = 9;
    const pad = 4;
    const head: Style = { size: 8, bold: true, color: MUTED };
    const drawHeader = () => {
      const h = this.lineHeight(head) + 2;
      this.ensure(h + this.lineHeight({ size }));
      this.page.drawRectangle({ x: MARGIN, y: this.y - h, width: CONTENT_W, height: h, color: PANEL });
      this.cells(columns, columns.map((c) => c.title.toUpperCase()), head, pad, () => undefined);
      this.gap(2);
    };
    drawHeader();
    rows.forEach((row, r) => {
      const style: Style = { size };
      const wrapped = row.map((cell, c) => this.wrap(cell, style, columns[c].width - 2 * pad));
      const h = Math.max(...wrapped.map((w) => w.length)) * this.lineHeight(style);
      if (this.y - h < BOTTOM) {
        this.newPage();
        drawHeader();
      }
      const top = this.y;
      wrapped.forEach((cellLines, c) => {
        this.y = top;
        const x0 = MARGIN + columns.slice(0, c).reduce((a, col) => a + col.width, 0);
        for (const t of cellLines) {
          const lh = this.lineHeight(style);
          this.y -= lh;
          const x = columns[c].align === "right" ? x0 + columns[c].width - pad - this.width(t, style) : x0 + pad;
          this.page.drawText(t, { x, y: this.y + (lh - size) / 2 + 1, size, font: this.font(style), color: color?.(r, c) ?? BLACK });
        }
      });
      this.y = top - h;
      this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE_W - MARGIN, y: this.y }, thickness: 0.4, color: LINE });
    });
  }

  private cells(columns: { width: number; align?: "right" }[], values: string[], style: Style, pad: number, color: (c: number) => RGB | undefined): void {
    const lh = this.lineHeight(style);
    this.y -= lh;
    let x0 = MARGIN;
    values.forEach((v, c) => {
      const t = this.clean(v);
      const x = columns[c].align === "right" ? x0 + columns[c].width - pad - this.width(t, style) : x0 + pad;
      this.page.drawText(t, { x, y: this.y + (lh - style.size) / 2 + 1, size: style.size, font: this.font(style), color: color(c) ?? style.color ?? BLACK });
      x0 += columns[c].width;
    });
  }
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
    `Controls: ${s.controls.total} (${s.controls.failed} failed, ${s.controls.passed} passed, ${s.controls.skipped} skipped)    Resources: ${s.resources.total} (${s.resources.failed} failed)`,
    { size: 10 },
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

  const resources = report.resources.filter((r) => r.findings.some((f) => f.status === "failed"));
  w.heading(`Failed resources (${resources.length})`);
  if (!resources.length) w.text("No resource failed a control.", { size: 10 });
  const ctlById = new Map(report.controls.map((c) => [c.id, c]));
  let shown = 0;
  for (const r of resources) {
    const block: Line[] = [];
    block.push(...w.lines(r.resourceID, { size: 10, bold: true }, MARGIN + 4).map((l) => ({ ...l, panel: true })));
    if (r.source) block.push(...w.lines(loc(r.source.file, r.source.line, r.source.column), { size: 8.5, color: MUTED }, MARGIN + 4).map((l) => ({ ...l, panel: true })));
    for (const f of r.findings) {
      const ctl = ctlById.get(f.controlID);
      if (f.status === "excepted") {
        block.push(...w.lines(`${f.controlID} ${ctl?.name ?? ""}: passed (excepted by ${f.exception ?? "an exception"})`, { size: 9, color: MUTED }, MARGIN + 10));
        continue;
      }
      block.push(
        ...w.lines(`${f.controlID} ${ctl?.name ?? ""} (${ctl?.severity ?? "unknown severity"})`, { size: 9, bold: true, color: ctl ? SEV_COLOR[ctl.severity] : BLACK }, MARGIN + 10),
      );
      if (f.message) block.push(...w.lines(f.message, { size: 8.5, color: MUTED }, MARGIN + 20, 12));
      for (const p of f.paths.slice(0, MAX_PATHS_PER_FINDING)) block.push(...w.lines(pathText(p, r.source?.file), { size: 8.5 }, MARGIN + 20, 12));
      if (f.paths.length > MAX_PATHS_PER_FINDING) block.push(...w.lines(`... ${f.paths.length - MAX_PATHS_PER_FINDING} more paths`, { size: 8.5, color: MUTED }, MARGIN + 20));
    }
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
  const pages = doc.getPages();
  const footStyle: Style = { size: 8, color: MUTED };
  const footFont = w.font(footStyle);
  pages.forEach((page, i) => {
    const left = w.clean(`${report.generator.name} ${report.generator.version} - ${target}`);
    const right = `page ${i + 1} of ${pages.length}`;
    const maxLeft = CONTENT_W - footFont.widthOfTextAtSize(right, 8) - 20;
    page.drawText(w.wrap(left, footStyle, maxLeft)[0], { x: MARGIN, y: MARGIN - 10, size: 8, font: footFont, color: MUTED });
    page.drawText(right, { x: PAGE_W - MARGIN - footFont.widthOfTextAtSize(right, 8), y: MARGIN - 10, size: 8, font: footFont, color: MUTED });
  });

  return doc.save();
}

function targetText(report: ScanReport): string {
  const cl = report.target.cluster;
  if (cl) return `cluster ${cl.context} (${cl.server})`;
  return `files ${report.target.paths.join(", ") || "(none)"}`;
}

function formatDate(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}


export const reporter: Reporter = { ext: "pdf", render: (report) => renderPdf(report) };
