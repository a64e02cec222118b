// Text layout for the terminal (the pretty report and `list`): a column layout that fits a
// terminal of any width by eliding or wrapping its flexible columns, never by running past
// the right edge, and word wrapping that keeps paths whole.

/** The narrowest terminal the layout tries to fit; below it lines may run over. */
export const MIN_WIDTH = 40;

/** Columns a string takes, counted in code points (wide CJK characters count as one). */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The string cut to `width` columns, with "…" when something was cut. */
export function elide(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  if (width <= 1) return width === 1 ? "…" : "";
  return [...s].slice(0, width - 1).join("") + "…";
}

/**
 * The text as lines of at most `width` columns, broken at spaces. A word longer than a line
 * (a path, an image name) stays whole on its own line unless `hard` is set, when it is cut.
 */
export function wrap(s: string, width: number, opts: { hard?: boolean } = {}): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = "";
  // split at single spaces, so a run of spaces inside a name is kept as it is
  for (const word of s.split(" ")) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate) <= w) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    if (opts.hard && textWidth(word) > w) {
      const cp = [...word];
      while (cp.length > w) lines.push(cp.splice(0, w).join(""));
      line = cp.join("");
    } else line = word;
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

/**
 * Items of a list on as few lines as fit the width, each item whole (a count and its kind
 * stay together); `sep` comes before each item but the first and ends a line that continues.
 */
export function wrapItems(items: { text: string; sep: string }[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const [i, it] of items.entries()) {
    if (i === 0) line = it.text;
    // room for the separator that ends the line when the next item does not fit on it
    else if (textWidth(line) + textWidth(it.sep) + textWidth(it.text) + textWidth(items[i + 1]?.sep.trimEnd() ?? "") <= width) line += it.sep + it.text;
    else {
      lines.push(line + it.sep.trimEnd());
      line = it.text;
    }
  }
  lines.push(line);
  return lines;
}

/** Lines of text under a first-line prefix, continued at `indent` spaces, within `width`. */
export function wrapIndented(prefix: string, text: string, indent: number, width: number): string[] {
  const first = wrap(text, width - indent);
  return first.map((l, i) => (i === 0 ? prefix.padEnd(indent) : " ".repeat(indent)) + l);
}

/** A piece of a line, and the style of each of its words (so a wrapped line carries its own colours). */
export interface Piece {
  text: string;
  style?: (word: string, index: number) => string;
  /** never broken, even when longer than a line (a resource ID, a position) */
  whole?: boolean;
}

/**
 * Pieces of one line (a position, a field path, a fix) after `first`, two spaces apart. A
 * piece that does not fit goes whole onto a next line indented by `indent`; one longer than
 * such a line is wrapped at its spaces. A word longer than a line (a long field path) is
 * never cut.
 */
export function joinPieces(first: string, pieces: Piece[], indent: number, width: number): string[] {
  const lines: string[] = [];
  let plain = first;
  let styled = first;
  let fresh = true;
  const newLine = () => {
    lines.push(styled);
    plain = styled = " ".repeat(indent);
    fresh = true;
  };
  for (const p of pieces) {
    // split at single spaces, so a run of spaces inside a name is kept as it is
    const words = p.whole ? [p.text] : p.text.split(" ");
    if (!fresh && textWidth(plain) + 2 + textWidth(p.text) > width) newLine();
    words.forEach((word, i) => {
      const sep = fresh ? "" : i === 0 ? "  " : " ";
      if (!fresh && textWidth(plain) + sep.length + textWidth(word) > width) return void (newLine(), add(word, i, ""));
      add(word, i, sep);
    });
    function add(word: string, i: number, sep: string) {
      plain += sep + word;
      styled += sep + (p.style ? p.style(word, i) : word);
      fresh = false;
    }
  }
  lines.push(styled);
  return lines;
}

export interface Column {
  header: string;
  align?: "left" | "right";
  /** may be narrowed below its content to fit the width (elided or wrapped) */
  flex?: boolean;
  /** the narrowest a flexible column gets */
  min?: number;
  /** what a flexible column does with a cell wider than it: cut with "…" (default) or wrap */
  overflow?: "elide" | "wrap";
}

/** A cell: its text, and the style (colour) drawn over the text, never over the padding. */
export type Cell = string | { text: string; style?: (s: string) => string };

/**
 * Rows laid out in columns two spaces apart, within `width` columns: each column as wide as
 * its widest cell, and when that is too wide, the widest flexible column narrowed first.
 */
export function columns(cols: Column[], rows: Cell[][], opts: { width: number; indent?: number; header?: (s: string) => string }): string[] {
  const indent = opts.indent ?? 0;
  const gap = 2;
  const text = (c: Cell | undefined) => (c === undefined ? "" : typeof c === "string" ? c : c.text);
  const widths = cols.map((col, i) => Math.max(textWidth(col.header), ...rows.map((r) => textWidth(text(r[i])))));
  const room = Math.max(MIN_WIDTH, opts.width) - indent - gap * (cols.length - 1);
  const mins = cols.map((col, i) => (col.flex ? Math.min(widths[i], Math.max(col.min ?? 8, textWidth(col.header))) : widths[i]));
  let excess = widths.reduce((a, b) => a + b, 0) - room;
  // down to each flexible column's own minimum first, then, on a very narrow terminal, further
  for (const floor of [mins, cols.map(() => 4)]) {
    while (excess > 0) {
      let widest = -1;
      for (let i = 0; i < cols.length; i++) if (cols[i].flex && widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest])) widest = i;
      if (widest < 0) break;
      widths[widest]--;
      excess--;
    }
  }
  const pad = (s: string, i: number) => {
    const fill = " ".repeat(Math.max(0, widths[i] - textWidth(s)));
    return cols[i].align === "right" ? [fill, s] : [s, fill];
  };
  const line = (cells: string[][], styles: ((s: string) => string)[]) =>
    (
      " ".repeat(indent) +
      cells
        .map((lines, i) => {
          const [a, b] = pad(lines[0] ?? "", i);
          const style = styles[i];
          return cols[i].align === "right" ? a + style(b) : style(a) + b;
        })
        .join(" ".repeat(gap))
    ).trimEnd();
  const id = (s: string) => s;
  const out: string[] = [];
  const hstyle = opts.header ?? id;
  out.push(
    line(
      cols.map((c) => [elide(c.header, widths[cols.indexOf(c)])]),
      cols.map(() => hstyle),
    ),
  );
  for (const row of rows) {
    const cells = cols.map((col, i) => {
      const t = text(row[i]);
      if (textWidth(t) <= widths[i]) return [t];
      return col.overflow === "wrap" ? wrap(t, widths[i], { hard: true }) : [elide(t, widths[i])];
    });
    const styles = cols.map((_, i) => {
      const c = row[i];
      return (typeof c === "object" && c.style) || id;
    });
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++)
      out.push(
        line(
          cells.map((c) => [c[k] ?? ""]),
          styles,
        ),
      );
  }
  return out;
}
