// The pdf layout writer: A4 pages, pdf-lib's standard fonts (Helvetica, which need no font
// files at run time and keep the text plain WinAnsi for any PDF text tool), and text flowing
// top to bottom with wrapping, headings, tables and page footers. What goes on the pages is
// report/pdf.ts; this module knows nothing of scans.
import { PageSizes, rgb, type PDFDocument, type PDFFont, type PDFPage, type RGB } from "pdf-lib";

export const [PAGE_W, PAGE_H] = PageSizes.A4;
export const MARGIN = 48;
export const BOTTOM = MARGIN + 18; // room for the footer
export const CONTENT_W = PAGE_W - 2 * MARGIN;

export const BLACK = rgb(0.12, 0.14, 0.16);
export const MUTED = rgb(0.35, 0.39, 0.43);
const LINE = rgb(0.82, 0.85, 0.88);
const PANEL = rgb(0.965, 0.973, 0.98);

export interface Style {
  size: number;
  bold?: boolean;
  color?: RGB;
}

export interface Line extends Style {
  text: string;
  x: number;
  /** drawn on a shaded band across the page (a resource's title) */
  panel?: boolean;
}

/** Lays text out top to bottom, starting a page when the next line does not fit. */
export class Writer {
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
      this.cells(
        columns,
        columns.map((c) => c.title.toUpperCase()),
        head,
        pad,
        () => undefined,
      );
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

  /** The footer of every page, once the page count is known: `left` cut to fit, "page i of n" on the right. */
  footers(left: string): void {
    const pages = this.doc.getPages();
    const style: Style = { size: 8, color: MUTED };
    const font = this.font(style);
    pages.forEach((page, i) => {
      const right = `page ${i + 1} of ${pages.length}`;
      const maxLeft = CONTENT_W - font.widthOfTextAtSize(right, 8) - 20;
      page.drawText(this.wrap(left, style, maxLeft)[0], { x: MARGIN, y: MARGIN - 10, size: 8, font, color: MUTED });
      page.drawText(right, { x: PAGE_W - MARGIN - font.widthOfTextAtSize(right, 8), y: MARGIN - 10, size: 8, font, color: MUTED });
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
