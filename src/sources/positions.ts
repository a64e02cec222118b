// Lazy source positions: files are parsed fast (without positions) for scanning; only when a
// report needs the line of a failed field is that file parsed again with positions kept.
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Node } from "yaml";
import type { ObjectSource, Position } from "../model.js";
import { parseFieldPath, type PathSegment } from "./paths.js";

interface ParsedFile {
  docs: (Node | null)[];
  lines: LineCounter;
}

export class PositionIndex {
  private texts = new Map<string, string>();
  private parsed = new Map<string, ParsedFile | null>();

  /** Remember a file's text so positions in it can be resolved later. */
  addText(file: string, text: string): void {
    this.texts.set(file, text);
  }

  private parse(file: string): ParsedFile | null {
    if (this.parsed.has(file)) return this.parsed.get(file)!;
    const text = this.texts.get(file);
    let result: ParsedFile | null = null;
    if (text !== undefined) {
      try {
        const lines = new LineCounter();
        const docs = parseAllDocuments(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: false });
        const list = Array.isArray(docs) ? docs : [docs];
        result = { docs: list.map((d) => (d.contents as Node | null) ?? null), lines };
      } catch {
        result = null;
      }
    }
    this.parsed.set(file, result);
    return result;
  }

  /** Position of a field path ("" for the object itself) inside an object from a file. */
  resolve(source: ObjectSource, fieldPath: string): Position | undefined {
    const pf = this.parse(source.file);
    if (!pf) return undefined;
    const root = pf.docs[source.docIndex];
    if (!root) return undefined;
    const segments: PathSegment[] = [...source.itemPath, ...parseFieldPath(fieldPath)];
    let node: Node | null = root;
    let offset = root.range?.[0] ?? 0;
    let exact = true;
    for (const seg of segments) {
      const next = step(node, seg);
      if (!next) {
        exact = false;
        break;
      }
      node = next.node;
      offset = next.offset;
    }
    const { line, col } = pf.lines.linePos(offset);
    return { line, column: col, exact };
  }
}

function step(node: Node | null, seg: PathSegment): { node: Node | null; offset: number } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(seg)) {
        const keyNode = pair.key as Node | null;
        const offset = keyNode?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0;
        return { node: (pair.value as Node | null) ?? null, offset };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg] as Node | undefined;
    if (!item) return undefined;
    return { node: item, offset: item.range?.[0] ?? 0 };
  }
  return undefined;
}
