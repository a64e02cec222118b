// Lazy source positions: files are parsed fast (without positions) for scanning; only the
// files with findings are parsed again, once each, to turn field paths into line:column.
// The fast path uses js-yaml's parse events; every position it gives is checked against the
// text, and a file where any check fails is resolved with the `yaml` parser instead.
import jsyaml from "js-yaml";
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Node } from "yaml";
import type { ObjectSource, Position } from "../model.js";
import { parseFieldPath, type PathSegment } from "./field-path.js";

export interface PositionRequest {
  source: ObjectSource;
  path: string;
  done: (pos: Position | undefined) => void;
}

/** A parsed file that can locate a path inside one of its documents. */
interface Locator {
  /** depth: how many segments were found (the rest of the path does not exist yet) */
  locate(docIndex: number, segments: PathSegment[]): (Position & { depth?: number }) | undefined;
}

export class PositionIndex {
  private texts = new Map<string, string>();

  /** Remember a file's text so positions in it can be resolved later. */
  addText(file: string, text: string): void {
    this.texts.set(file, text);
  }

  /** Resolve one path (parses the file; use resolveAll for many). */
  resolve(source: ObjectSource, fieldPath: string): Position | undefined {
    let out: Position | undefined;
    this.resolveAll([{ source, path: fieldPath, done: (p) => (out = p) }]);
    return out;
  }

  /** Resolve many paths, parsing each file once and keeping nothing afterwards. */
  resolveAll(requests: PositionRequest[]): void {
    const byFile = new Map<string, PositionRequest[]>();
    for (const r of requests) {
      const list = byFile.get(r.source.file);
      if (list) list.push(r);
      else byFile.set(r.source.file, [r]);
    }
    for (const [file, list] of byFile) {
      const text = this.texts.get(file);
      if (text === undefined) {
        list.forEach((r) => r.done(undefined));
        continue;
      }
      const seg = list.map((r) => [...r.source.itemPath, ...parseFieldPath(r.path)]);
      let loc: Locator | undefined = fastLocator(text);
      let results = loc ? list.map((r, i) => loc!.locate(r.source.docIndex, seg[i])) : undefined;
      const lineStarts = lineStartsOf(text);
      if (!results || results.some((p, i) => p === undefined || !verify(text, lineStarts, p, seg[i]))) {
        loc = slowLocator(text);
        results = list.map((r, i) => loc?.locate(r.source.docIndex, seg[i]));
      }
      list.forEach((r, i) => {
        const p = results![i];
        r.done(p && { line: p.line, column: p.column, exact: p.exact });
      });
    }
  }
}

// ---- fast path: js-yaml parse events -------------------------------------------------

interface Frame {
  line: number; // 0-based
  col: number; // 0-based
  pos: number;
  kind?: string;
  result?: unknown;
  children: Frame[];
}

export function fastLocator(text: string): Locator | undefined {
  const roots: Frame[] = [];
  const stack: Frame[] = [];
  try {
    jsyaml.loadAll(text, () => undefined, {
      json: true,
      listener(type, state) {
        if (type === "open") {
          stack.push({ line: state.line, col: state.position - state.lineStart, pos: state.position, children: [] });
        } else {
          const f = stack.pop();
          if (!f) return;
          f.kind = state.kind ?? undefined;
          f.result = state.result;
          if (stack.length) stack[stack.length - 1].children.push(f);
          else roots.push(f);
        }
      },
    });
  } catch {
    return undefined;
  }
  return {
    locate(docIndex, segments) {
      const root = roots[docIndex];
      if (!root) return undefined;
      const { at, depth } = walk(root, root, segments, (node, seg) => fastStep(unwrap(node), seg));
      return { line: at.line + 1, column: at.col + 1, exact: depth === segments.length, depth };
    },
  };
}

/**
 * Follow a path from a root node: `step` finds the child for one segment and the place to
 * point at for it (a key, an item). Stops at the first segment that does not exist.
 */
function walk<N, A>(root: N, rootAt: A, segments: PathSegment[], step: (node: N, seg: PathSegment) => { node: N; at: A } | undefined): { at: A; depth: number } {
  let node = root;
  let at = rootAt;
  let depth = 0;
  for (const seg of segments) {
    const next = step(node, seg);
    if (!next) break;
    ({ node, at } = next);
    depth++;
  }
  return { at, depth };
}

/** js-yaml may report a node twice (a wrapper frame around the same value). */
function unwrap(f: Frame): Frame {
  while (f.children.length === 1 && f.children[0].result === f.result && typeof f.result === "object" && f.result !== null) f = f.children[0];
  return f;
}

function fastStep(node: Frame, seg: PathSegment): { at: Frame; node: Frame } | undefined {
  if (node.kind === "mapping") {
    const ch = node.children;
    for (let i = 0; i + 1 < ch.length; i += 2) {
      if (ch[i].kind === "scalar" && String(ch[i].result) === String(seg)) return { at: ch[i], node: ch[i + 1] };
    }
    return undefined;
  }
  if (node.kind === "sequence" && typeof seg === "number") {
    const item = node.children[seg];
    return item ? { at: item, node: item } : undefined;
  }
  return undefined;
}

/** The text at a position must be the deepest key (or item) of the path that was found. */
function verify(text: string, lineStarts: number[], p: Position & { depth?: number }, segments: PathSegment[]): boolean {
  const depth = p.depth ?? segments.length;
  if (depth === 0) return p.line >= 1;
  const last = segments[depth - 1];
  const lineStart = lineStarts[p.line - 1];
  if (lineStart === undefined) return false;
  const rest = text.slice(lineStart + p.column - 1, lineStart + p.column - 1 + String(last).length + 2);
  if (typeof last === "number") return rest.length > 0 && !/^\s/.test(rest);
  return rest.startsWith(String(last)) || rest.startsWith(`"${last}`) || rest.startsWith(`'${last}`);
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

// ---- slow path: the `yaml` parser's node ranges --------------------------------------

export function slowLocator(text: string): Locator | undefined {
  let docs: (Node | null)[];
  const lines = new LineCounter();
  try {
    const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
    docs = (Array.isArray(parsed) ? parsed : [parsed]).map((d) => (d.contents as Node | null) ?? null);
  } catch {
    return undefined;
  }
  return {
    locate(docIndex, segments) {
      const root = docs[docIndex];
      if (!root) return undefined;
      const { at, depth } = walk<Node | null, number>(root, root.range?.[0] ?? 0, segments, slowStep);
      const { line, col } = lines.linePos(at);
      return { line, column: col, exact: depth === segments.length };
    },
  };
}

function slowStep(node: Node | null, seg: PathSegment): { node: Node | null; at: number } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(seg)) {
        const keyNode = pair.key as Node | null;
        const at = keyNode?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0;
        return { node: (pair.value as Node | null) ?? null, at };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg] as Node | undefined;
    if (!item) return undefined;
    return { node: item, at: item.range?.[0] ?? 0 };
  }
  return undefined;
}
