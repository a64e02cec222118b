// The json format: the ScanReport model as is (schemas/report.schema.json). Streamed in
// pieces: a scan of 40,000 Pods is a 500 MB document, about the longest string V8 can hold,
// so it is never built as one string; the pieces are byte for byte JSON.stringify(report, null, 2).
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";

/** Arrays longer than this are written element by element. */
const STREAM_ITEMS = 64;

/**
 * An array whose items are made one at a time as they are written (a format's per-finding
 * entries), so that they are never all in memory: jsonChunks writes it as the array.
 */
export class StreamedArray {
  constructor(readonly items: () => Iterable<unknown>) {}
}

/** The value as JSON.stringify(value, null, 2) would write it at `indent` levels, in pieces. */
export function* jsonChunks(value: unknown, indent = 0): Generator<string> {
  if (value instanceof StreamedArray) {
    const pad = "  ".repeat(indent + 1);
    let first = true;
    for (const item of value.items()) {
      yield first ? `[\n${pad}` : `,\n${pad}`;
      first = false;
      if (item === undefined || typeof item === "function" || typeof item === "symbol") yield "null";
      else yield* jsonChunks(item, indent + 1);
    }
    yield first ? "[]" : `\n${"  ".repeat(indent)}]`;
    return;
  }
  if (Array.isArray(value) && value.length > STREAM_ITEMS) {
    const pad = "  ".repeat(indent + 1);
    yield "[\n";
    for (let i = 0; i < value.length; i++) {
      yield pad;
      // as JSON.stringify does: undefined, functions and symbols in an array are null
      const item = value[i];
      if (item === undefined || typeof item === "function" || typeof item === "symbol") yield "null";
      else yield* jsonChunks(item, indent + 1);
      yield i < value.length - 1 ? ",\n" : "\n";
    }
    yield `${"  ".repeat(indent)}]`;
    return;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== "function") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function" && typeof v !== "symbol");
    if (entries.length === 0) {
      yield "{}";
      return;
    }
    const pad = "  ".repeat(indent + 1);
    yield "{\n";
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i];
      yield `${pad}${JSON.stringify(k)}: `;
      yield* jsonChunks(v, indent + 1);
      yield i < entries.length - 1 ? ",\n" : "\n";
    }
    yield `${"  ".repeat(indent)}}`;
    return;
  }
  const text = JSON.stringify(value, null, 2);
  // nested lines take the indentation of where the value stands (JSON strings hold no raw newline)
  yield indent ? text.replace(/\n/g, `\n${"  ".repeat(indent)}`) : text;
}

/** Reports with more resources than this are written in pieces; smaller ones as one string (faster). */
const STREAM_RESOURCES = 2000;

export function* renderJsonChunks(report: ScanReport): Generator<string> {
  if (report.resources.length <= STREAM_RESOURCES) {
    yield renderJson(report);
    return;
  }
  yield* jsonChunks(report);
  yield "\n";
}

export function renderJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

export const reporter: Reporter = { ext: "json", render: renderJson, chunks: renderJsonChunks };
