// Input encoding: the JSON text of wasm calls, made of any value an object may hold into
// text OPA's wasm JSON parser accepts.
import type { ScanObject } from "../model.js";
import type { RuleMeta } from "./registry.js";

/** Objects and arrays nested deeper than this (the object itself is level 1) are cut. */
export const MAX_DEPTH = 200;
export const CUT_MARKER = `<cut: deeper than ${MAX_DEPTH} levels>`;
export const CYCLE_MARKER = "<cut: circular reference>";

/** A part of an object the rules did not see as it is: replaced in the encoding. */
export interface Cut {
  objectId: number;
  /** where the (first) cut is, as in failedPaths (shortened in the middle when long) */
  path: string;
  reason: string;
}

const encoder = new TextEncoder();
const OBJECTS_OPEN = encoder.encode('{"objects":[');
// JSON.stringify writes a lone surrogate as a \udXXX escape, which opa-wasm rejects ("illegal
// string escape character"). A literal backslash followed by "ud8.." matches too: that only
// sends the object down the careful path, which gives the same text for it.
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * Builds the JSON input of wasm calls as bytes (the SDK takes an ArrayBuffer as-is). Each
 * object is serialised and UTF-8 encoded once, with its __ksid, however many calls it goes
 * into (the context objects of cross-object rules go into a call per chunk). Objects
 * JSON.stringify cannot write, or writes in a way OPA rejects (lone surrogates, nesting
 * deep enough to overflow a stack), are written by a careful writer that replaces lone
 * surrogates with U+FFFD and cuts nesting deeper than MAX_DEPTH, noting the cut in `cuts`.
 */
export class InputEncoder {
  private json = new Map<number, Uint8Array>();
  readonly cuts: Cut[] = [];

  /** The object's JSON text, UTF-8 encoded. */
  objectJson(o: ScanObject): Uint8Array {
    let s = this.json.get(o.id);
    if (s === undefined) {
      // the object's own __ksid, if any, gives way to ours (undefined: neither writer writes it)
      const obj: object = Object.hasOwn(o.object, "__ksid") ? { ...o.object, __ksid: undefined } : o.object;
      let fast: string | undefined;
      try {
        fast = JSON.stringify(obj);
      } catch {
        // too deep for the stack, a BigInt, a cycle: the careful writer handles each
      }
      const body = fast !== undefined && !LONE_SURROGATE_ESCAPE.test(fast) && !deeperThan(fast, MAX_DEPTH) ? fast : this.careful(o.id, obj);
      s = encoder.encode(`{"__ksid":${o.id}${body.length > 2 ? "," : ""}${body.slice(1)}`);
      this.json.set(o.id, s);
    }
    return s;
  }

  /** `{"objects":[…],"rules":{name: true, …}}` in a buffer of its own (it is handed over to a worker). */
  encode(objs: ScanObject[], rules: RuleMeta[]): ArrayBuffer {
    const head = OBJECTS_OPEN;
    const tail = encoder.encode(`],"rules":${JSON.stringify(Object.fromEntries(rules.map((r) => [r.name, true])))}}`);
    const parts = objs.map((o) => this.objectJson(o));
    let size = head.length + tail.length + Math.max(0, parts.length - 1);
    for (const p of parts) size += p.length;
    const out = new Uint8Array(size);
    out.set(head, 0);
    let at = head.length;
    parts.forEach((p, i) => {
      if (i) out[at++] = 0x2c; // ","
      out.set(p, at);
      at += p.length;
    });
    out.set(tail, at);
    return out.buffer;
  }

  private careful(id: number, obj: object): string {
    const cut: CutState = { count: 0, ancestors: new Set() };
    const text = writeValue(obj, 1, [], cut) ?? "{}";
    if (cut.count) {
      const more = cut.count > 1 ? ` (and ${cut.count - 1} more place${cut.count > 2 ? "s" : ""})` : "";
      const why = cut.marker === CYCLE_MARKER ? "a circular reference" : `nested deeper than ${MAX_DEPTH} levels`;
      this.cuts.push({ objectId: id, path: cut.first!, reason: `${why}${more}: the rules saw "${cut.marker}" there` });
    }
    return text;
  }
}

/** Whether JSON text nests objects/arrays deeper than `max` (brackets inside strings do not count). */
export function deeperThan(s: string, max: number): boolean {
  let depth = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      // skip the string: the next quote not escaped by an odd run of backslashes
      let j = i;
      for (;;) {
        j = s.indexOf('"', j + 1);
        if (j < 0) return false;
        let b = j - 1;
        while (s.charCodeAt(b) === 92) b--;
        if ((j - 1 - b) % 2 === 0) break;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

const str = (s: string) => JSON.stringify(s.replace(LONE_SURROGATE, "\uFFFD"));

/** JSON text of v as JSON.stringify writes it (undefined where it writes nothing), made safe for OPA. */
interface CutState {
  count: number;
  first?: string;
  marker?: string;
  /** the objects being written (a cycle would otherwise be written 2^MAX_DEPTH times over) */
  ancestors: Set<object>;
}

function writeValue(v: unknown, level: number, path: (string | number)[], cut: CutState): string | undefined {
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") v = (v as { toJSON(): unknown }).toJSON();
  switch (typeof v) {
    case "string":
      return str(v);
    case "number":
    case "boolean":
      return JSON.stringify(v);
    case "bigint":
      return v.toString();
    case "object":
      break;
    default:
      return undefined; // undefined, functions, symbols
  }
  if (v === null) return "null";
  const marker = level > MAX_DEPTH ? CUT_MARKER : cut.ancestors.has(v) ? CYCLE_MARKER : undefined;
  if (marker) {
    if (cut.count++ === 0) {
      cut.first = pathText(path);
      cut.marker = marker;
    }
    return str(marker);
  }
  cut.ancestors.add(v);
  const parts: string[] = [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      parts.push(writeValue(v[i], level + 1, path, cut) ?? "null");
      path.pop();
    }
  } else {
    for (const k of Object.keys(v)) {
      path.push(k);
      const x = writeValue((v as Record<string, unknown>)[k], level + 1, path, cut);
      path.pop();
      if (x !== undefined) parts.push(`${str(k)}:${x}`);
    }
  }
  cut.ancestors.delete(v);
  return Array.isArray(v) ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
}

/** a.b[0]["odd key"], with the middle left out of very long paths. */
function pathText(path: (string | number)[]): string {
  const seg = (p: string | number, i: number) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `${i ? "." : ""}${p}` : `[${JSON.stringify(p)}]`);
  const show = path.length > 16 ? [...path.slice(0, 8).map(seg), `…(${path.length - 14} levels)…`, ...path.slice(-6).map((p, i) => seg(p, i + 1))] : path.map(seg);
  return show.join("");
}
