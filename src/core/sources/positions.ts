// Lazy source positions: files are parsed fast (without positions) for scanning; only the
// files with findings are parsed again, once each, to turn field paths into line:column.
// The fast path uses js-yaml's parse events with the same Kubernetes schema the manifests are
// read with (yaml-k8s.ts), so keys like `on:` or `0x1F:` are named as in the objects; every
// position it gives is checked against the text, and a file where any check fails is
// resolved with the `yaml` parser (YAML 1.1) instead. A field that came from a merge (`<<`)
// is placed where it is written: in the map it was merged from.
import jsyaml from "js-yaml";
import { K8S_LOAD_OPTIONS, MERGE_KEY } from "./yaml-k8s.js";
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Node } from "yaml";
import type { ObjectSource, Origin, Position } from "../model.js";
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

/** Adds to a resolved position where the field comes from (a chart's template and values). */
export type OriginMapper = (source: ObjectSource, segments: PathSegment[], pos: Position | undefined) => Origin | undefined;

export class PositionIndex {
  private texts = new Map<string, string>();
  private mappers = new Map<string, OriginMapper>();

  /** Map the positions in a rendered stream back to the files it was rendered from. */
  addMapper(file: string, mapper: OriginMapper): void {
    this.mappers.set(file, mapper);
  }

  /** Remember a file's text so positions in it can be resolved later. */
  addText(file: string, text: string): void {
    this.texts.set(file, text);
  }

  /** Resolve one path (parses the file; use resolveAll for many). */
  resolve(source: ObjectSource, fieldPath: string): Position | undefined {
    let out: Position | undefined;
    this.resolveAll([{ source, path: fieldPath, done: (p) => (out = p && { line: p.line, column: p.column, exact: p.exact, ...(p.origin ? { origin: p.origin } : {}) }) }]);
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
    for (const [file, list] of byFile) this.resolveFile(file, list);
  }

  /**
   * Resolve paths in one file, parsing it once. The requests are taken one at a time and
   * answered at once (`done` before the next is taken), so an iterable may make them as it
   * goes, even one object again and again: a scan of 100,000 Pods places millions of paths.
   */
  resolveFile(file: string, requests: Iterable<PositionRequest>): void {
    const text = this.texts.get(file);
    if (text === undefined) {
      for (const r of requests) r.done(undefined);
      return;
    }
    // the fast locator's answer when the text confirms it, else the yaml parser's (parsed
    // once per file, only when first needed)
    const mapper = this.mappers.get(file);
    const fast = fastLocator(text);
    const lineStarts = fast ? lineStartsOf(text) : [];
    let slow: Locator | undefined | null = null;
    // the same few paths repeat across thousands of objects: parse each once and share it
    const parsedPaths = new Map<string, PathSegment[]>();
    for (const r of requests) {
      let parsed = parsedPaths.get(r.path);
      if (parsed === undefined) parsedPaths.set(r.path, (parsed = parseFieldPath(r.path)));
      const seg = r.source.itemPath.length ? [...r.source.itemPath, ...parsed] : parsed;
      let p = fast?.locate(r.source.docIndex, seg);
      if (p === undefined || !verify(text, lineStarts, p, seg)) {
        if (slow === null) slow = slowLocator(text);
        p = slow?.locate(r.source.docIndex, seg);
      }
      if (mapper && p) {
        const origin = mapper(r.source, parsed, p);
        if (origin) p = { ...p, origin };
      }
      r.done(p);
    }
  }
}

// ---- fast path: js-yaml parse events -------------------------------------------------

export interface Frame {
  line: number; // 0-based
  col: number; // 0-based
  pos: number;
  kind?: string;
  result?: unknown;
  children: Frame[];
  /** a large mapping's keys → index of the last key frame written with that name (built on first use) */
  keys?: Map<string, number>;
}

/** Maps larger than this get an index, so that many lookups in one map stay linear overall. */
const INDEX_FROM = 16;

/** The node tree of each document, from js-yaml's parse events (undefined if the text does not parse). */
export function parseFrames(text: string, lastKeyWins = true): Frame[] | undefined {
  const roots: Frame[] = [];
  const stack: Frame[] = [];
  try {
    jsyaml.loadAll(text, () => undefined, {
      ...K8S_LOAD_OPTIONS,
      json: lastKeyWins,
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
  return roots;
}

export function fastLocator(text: string): Locator | undefined {
  const roots = parseFrames(text);
  if (!roots) return undefined;
  let anchors: Map<unknown, Frame> | undefined;
  // An alias's frame holds the anchored value, not its children: the anchor's own frame does.
  const definition = (f: Frame): Frame => {
    if (f.children.length || typeof f.result !== "object" || f.result === null) return f;
    if (!anchors) {
      anchors = new Map();
      const index = (x: Frame) => {
        if (x.children.length && typeof x.result === "object" && x.result !== null && !anchors!.has(x.result)) anchors!.set(x.result, x);
        x.children.forEach(index);
      };
      roots.forEach(index);
    }
    return anchors.get(f.result) ?? f;
  };
  return {
    locate(docIndex, segments) {
      const root = roots[docIndex];
      if (!root) return undefined;
      const { at, depth } = walk(root, root, segments, (node, seg) => fastStep(unwrap(definition(node)), seg, definition));
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

function fastStep(node: Frame, seg: PathSegment, definition: (f: Frame) => Frame, depth = 0): { at: Frame; node: Frame } | undefined {
  if (node.kind === "mapping") {
    const ch = node.children;
    const name = String(seg);
    if (ch.length > INDEX_FROM * 2) {
      if (!node.keys) {
        node.keys = new Map();
        for (let i = 0; i + 1 < ch.length; i += 2) if (ch[i].kind === "scalar") node.keys.set(String(ch[i].result), i);
      }
      const i = node.keys.get(name);
      // a key written after the last merge wins over anything merged
      const lastMerge = node.keys.get(MERGE_KEY) ?? -1;
      if (i !== undefined && i > lastMerge) return { at: ch[i], node: ch[i + 1] };
      if (lastMerge < 0) return undefined;
    }
    // the last one written wins (a later key, or a later merge), as when the objects were read
    let found: { at: Frame; node: Frame } | undefined;
    for (let i = 0; i + 1 < ch.length; i += 2) {
      if (ch[i].kind !== "scalar") continue;
      const key = String(ch[i].result);
      if (key === name) found = { at: ch[i], node: ch[i + 1] };
      else if (key === MERGE_KEY && depth < 50) {
        const v = unwrap(definition(ch[i + 1]));
        // in `<<: [*a, *b]` the earlier map wins
        const sources = v.kind === "sequence" ? v.children.map((c) => unwrap(definition(c))) : [v];
        for (const src of sources) {
          const inSrc = fastStep(src, seg, definition, depth + 1);
          if (inSrc) {
            found = inSrc;
            break;
          }
        }
      }
    }
    return found;
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
    const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, version: "1.1" });
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

const slowIndex = new WeakMap<object, Map<string, number>>();

function slowStep(node: Node | null, seg: PathSegment): { node: Node | null; at: number } | undefined {
  if (isMap(node)) {
    let items = node.items;
    if (items.length > INDEX_FROM) {
      let index = slowIndex.get(node);
      if (!index) {
        index = new Map();
        for (let i = 0; i < items.length; i++) {
          const k = isPair(items[i]) && isScalar(items[i].key) ? (items[i].key as { value: unknown }).value : items[i].key;
          index.set(String(k), i);
        }
        slowIndex.set(node, index);
      }
      const i = index.get(String(seg));
      if (i === undefined) return undefined;
      items = [items[i]];
    }
    // the last one written wins, as when the objects were read
    for (let j = items.length - 1; j >= 0; j--) {
      const pair = items[j];
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
