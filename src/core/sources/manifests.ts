// Manifest parsing: a file's text → documents → Kubernetes objects. One parser path for every
// YAML file (js-yaml with the Kubernetes schema of yaml-k8s.ts), JSON through JSON.parse.
// Error messages say where and what went wrong, never the file's content: a `.json` link to
// a credentials file must not put the credential on stderr.
import jsyaml from "js-yaml";
import type { K8sObject, SkippedFile } from "../model.js";
import { shapeProblem } from "./validate.js";
import { K8S_LOAD_OPTIONS, MERGE_KEY, dropByteOrderMarks } from "./yaml-k8s.js";
import { parseFrames, type Frame } from "./positions.js";
import type { PathSegment } from "./field-path.js";

/** A key written twice in one map (kubectl keeps the last value; strict server-side decoding of YAML would refuse it). */
export interface DuplicateKey {
  /** the path of the map holding the key, from the document's root */
  path: PathSegment[];
  key: string;
  line: number;
}

export interface ParsedDoc {
  index: number;
  doc: unknown;
  duplicates?: DuplicateKey[];
}

/** Aliases may expand a document to at most this many nodes beyond 10× the nodes written. */
const ALIAS_EXPANSION_ALLOWANCE = 10_000;

class ManifestError extends Error {}

/** The text as it is parsed and located: byte-order marks dropped where a document starts. */
export const normalizeText = dropByteOrderMarks;

/** Parse a file's text into documents. One parse error makes the whole file skipped. */
export function parseManifests(file: string, text: string, isJson: boolean): { docs: ParsedDoc[]; error?: SkippedFile } {
  text = normalizeText(text);
  if (isJson || /^\s*[[{]/.test(text)) {
    try {
      return { docs: [{ index: 0, doc: JSON.parse(text) }] };
    } catch {
      if (isJson) {
        const at = lineColumn(text, jsonErrorOffset(text));
        return { docs: [], error: { file, line: at.line, reason: `invalid JSON at line ${at.line} column ${at.column}` } };
      }
      // not JSON after all: YAML (a flow mapping is YAML too)
    }
  }
  let docs: ParsedDoc[];
  try {
    docs = loadYaml(text, false);
  } catch (e) {
    if (e instanceof jsyaml.YAMLException && /^duplicated mapping key/.test(e.reason)) {
      // Read again with the last value winning, and find every duplicate with its place.
      try {
        docs = loadYaml(text, true);
        attachDuplicates(docs, text);
      } catch (e2) {
        return { docs: [], error: yamlError(file, e2) };
      }
    } else {
      return { docs: [], error: yamlError(file, e) };
    }
  }
  // An alias is the only way to reach a node twice, and `<<` the only way to merge: without
  // either character sequence in the text, the documents are plain trees.
  if (text.includes("*") || text.includes("<<")) {
    try {
      for (const d of docs) d.doc = resolveAliasesAndMerges(d.doc);
    } catch (e) {
      if (e instanceof ManifestError) return { docs: [], error: { file, reason: e.message } };
      if (e instanceof RangeError) return { docs: [], error: { file, reason: "invalid YAML: nested too deeply" } };
      throw e;
    }
  }
  return { docs };
}

function loadYaml(text: string, lastKeyWins: boolean): ParsedDoc[] {
  const docs: ParsedDoc[] = [];
  let i = 0;
  jsyaml.loadAll(text, (d) => docs.push({ index: i++, doc: d }), { ...K8S_LOAD_OPTIONS, json: lastKeyWins });
  return docs;
}

function yamlError(file: string, e: unknown): SkippedFile {
  if (e instanceof RangeError) return { file, reason: "invalid YAML: nested too deeply" };
  if (e instanceof jsyaml.YAMLException) {
    const line = e.mark ? e.mark.line + 1 : undefined;
    // an alias can only name an anchor of its own document: say so (not "unidentified")
    const why = /^unidentified alias/.test(e.reason ?? "") ? "an alias names an anchor not defined earlier in its document (anchors do not reach across ---)" : withoutSource(e.reason ?? "");
    return { file, line, reason: `invalid YAML${line ? ` at line ${line}` : ""}: ${why}` };
  }
  return { file, reason: `invalid YAML: ${withoutSource(String((e as Error)?.message ?? e))}` };
}

/**
 * The parser's reason without any text from the file: quoted names (aliases, tags, keys) and
 * tags are removed; only the parser's own words stay ("scalar", "mapping" are its words too).
 */
export function withoutSource(reason: string): string {
  return reason
    .split("\n")[0]
    .replace(/"([^"]*)"|'[^']*'|!<[^>]*>|![^\s,;]*/g, (m, inner: string | undefined) => (inner !== undefined && /^(scalar|sequence|mapping)$/.test(inner) ? m : ""))
    .replace(/\s+([,;:)])/g, "$1")
    .replace(/\s{2,}/g, " ")
    .trim()
    .slice(0, 160);
}

/**
 * js-yaml hands back one shared object for every alias of an anchor, and keeps a plain `<<`
 * as a key: here merges are applied as go-yaml v2 applies them (in source order, a later key
 * wins; in `<<: [*a, *b]` the earlier map wins), and the size the aliases expand to is
 * counted, node by node, whatever the anchors are called. A document that would expand
 * beyond ten times what is written (plus an allowance) is refused before anything walks it.
 */
export function resolveAliasesAndMerges(root: unknown): unknown {
  const done = new Map<object, unknown>();
  const active = new Set<object>();
  let written = 0;
  let budget = ALIAS_EXPANSION_ALLOWANCE;
  const spend = (n: number) => {
    budget -= n;
    if (budget < 0 && budget + 10 * written < 0) throw new ManifestError("YAML aliases expand too much (possible alias bomb), not read");
  };
  const resolve = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null) return v;
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (active.has(v)) throw new ManifestError("invalid YAML: an alias refers to the node that contains it");
    active.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      written += 1 + v.length;
      for (let i = 0; i < v.length; i++) v[i] = resolve(v[i]);
      out = v;
    } else {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      written += 1 + keys.length;
      if (!Object.prototype.hasOwnProperty.call(o, MERGE_KEY)) {
        for (const k of keys) o[k] = resolve(o[k]);
        out = o;
      } else {
        const merged: Record<string, unknown> = {};
        for (const k of keys) {
          const val = resolve(o[k]);
          if (k !== MERGE_KEY) {
            setOwn(merged, k, val);
            continue;
          }
          const sources = Array.isArray(val) ? [...val].reverse() : [val];
          for (const src of sources) {
            if (typeof src !== "object" || src === null || Array.isArray(src)) throw new ManifestError("invalid YAML: a merge (<<) needs a map or a list of maps");
            const srcKeys = Object.keys(src);
            spend(srcKeys.length);
            for (const sk of srcKeys) setOwn(merged, sk, (src as Record<string, unknown>)[sk]);
          }
        }
        out = merged;
      }
    }
    active.delete(v);
    done.set(v, out);
    return out;
  };
  const out = resolve(root);
  // Expanded size: each distinct node is counted once (memo), an alias counts its whole node.
  const sizes = new Map<object, number>();
  const size = (v: unknown): number => {
    if (typeof v !== "object" || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    let n = 1;
    for (const x of Array.isArray(v) ? v : Object.values(v)) n += size(x);
    sizes.set(v, n);
    return n;
  };
  spend(Math.max(0, size(out) - written));
  return out;
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown) {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Find every duplicate key, with its line, in a text known to hold at least one. */
function attachDuplicates(docs: ParsedDoc[], text: string) {
  const roots = parseFrames(text, true);
  if (!roots) return;
  roots.forEach((root, docIndex) => {
    const found: DuplicateKey[] = [];
    const visit = (f: Frame, path: PathSegment[]) => {
      if (f.kind === "mapping") {
        const seen = new Set<string>();
        for (let i = 0; i + 1 < f.children.length; i += 2) {
          const key = String(f.children[i].result);
          if (key !== MERGE_KEY && seen.has(key)) found.push({ path, key, line: f.children[i].line + 1 });
          seen.add(key);
          visit(f.children[i + 1], [...path, key]);
        }
      } else if (f.kind === "sequence") {
        f.children.forEach((c, i) => visit(c, [...path, i]));
      } else if (f.children.length === 1) {
        visit(f.children[0], path); // a wrapper frame around the same node
      }
    };
    visit(root, []);
    if (found.length && docs[docIndex]) docs[docIndex].duplicates = found;
  });
}

// ---- JSON errors: where, without the text --------------------------------------------

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The offset of the first JSON syntax error (JSON.parse's messages quote the text; this does not). */
export function jsonErrorOffset(s: string): number {
  const n = s.length;
  let i = 0;
  const stack: boolean[] = []; // true: object
  const skip = () => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const str = (): boolean => {
    i++; // opening quote
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const NUM = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
  let expectValue = true;
  for (;;) {
    skip();
    if (expectValue) {
      const c = s[i];
      if (c === "{" || c === "[") {
        i++;
        skip();
        if (s[i] === (c === "{" ? "}" : "]")) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(c === "{");
        if (c === "[") continue;
        // an object's first key
      } else if (c === '"') {
        if (!str()) return i;
        expectValue = false;
        continue;
      } else {
        NUM.lastIndex = i;
        if (NUM.test(s)) i = NUM.lastIndex;
        else if (s.startsWith("true", i) || s.startsWith("null", i)) i += 4;
        else if (s.startsWith("false", i)) i += 5;
        else return i;
        expectValue = false;
        continue;
      }
    } else {
      if (!stack.length) return i < n ? i : n;
      const obj = stack[stack.length - 1];
      if (s[i] === (obj ? "}" : "]")) {
        i++;
        stack.pop();
        continue;
      }
      if (s[i] !== ",") return i;
      i++;
      skip();
      if (!obj) {
        expectValue = true;
        continue;
      }
    }
    // a key and its colon, in an object
    if (s[i] !== '"' || !str()) return i;
    skip();
    if (s[i] !== ":") return i;
    i++;
    expectValue = true;
  }
}

// ---- documents → objects --------------------------------------------------------------

export interface Expanded {
  ok: { object: K8sObject; itemPath: (string | number)[] }[];
  ignored: number;
  /** why each ignored document is not a Kubernetes object (one line each, for -v) */
  ignoredWhy?: string[];
  problems: { itemPath: (string | number)[]; path: string; reason: string; line?: number }[];
}

const startsWith = (p: PathSegment[], prefix: PathSegment[]) => prefix.every((s, i) => p[i] === s);

/** One parsed document → Kubernetes objects (Lists expanded), ignored non-Kubernetes docs, and shape problems. */
export function expandDocument(doc: unknown, docIndex: number, duplicates: DuplicateKey[] = []): Expanded {
  const out: Expanded = { ok: [], ignored: 0, problems: [] };
  if (doc === null || doc === undefined) return out; // empty document
  // Not a Kubernetes object (an Ansible playbook is a list, a values file a map without kind):
  // ignored with the reason. Only what looks like an object (a map, or a list of maps, with
  // apiVersion and kind) and cannot be read is a problem.
  const ignore = (why: string) => {
    out.ignored++;
    (out.ignoredWhy ??= []).push(why);
  };
  const looksLikeObject = (x: unknown) => typeof x === "object" && x !== null && !Array.isArray(x) && "apiVersion" in x && "kind" in x;
  const visit = (d: unknown, itemPath: (string | number)[]) => {
    if (typeof d !== "object" || d === null) {
      const what = `document ${docIndex + 1} is a ${typeof d === "object" ? "null" : typeof d}, not a Kubernetes object`;
      if (itemPath.length) out.problems.push({ itemPath, path: "", reason: what });
      else ignore(what);
      return;
    }
    if (Array.isArray(d)) {
      const what = `document ${docIndex + 1} is a list, not a Kubernetes object`;
      if (itemPath.length || d.some(looksLikeObject)) out.problems.push({ itemPath, path: "", reason: what });
      else ignore(what);
      return;
    }
    const o = d as Record<string, unknown>;
    if (typeof o.kind !== "string" || o.apiVersion === undefined) {
      ignore(`document ${docIndex + 1} has no ${o.apiVersion === undefined ? "apiVersion" : "kind"}, not a Kubernetes object`);
      return;
    }
    const name = () => `${o.kind}/${typeof (o.metadata as Record<string, unknown> | undefined)?.name === "string" ? shortName((o.metadata as Record<string, string>).name) : "<unnamed>"}`;
    const isList = o.kind.endsWith("List") && Array.isArray(o.items);
    // A key written twice: kubectl converts YAML to JSON keeping the last value, so the object
    // is deployed (and scanned) with it; the duplicate is reported (a duplicate inside a
    // List's item belongs to that item).
    for (const dup of duplicates) {
      if (startsWith(dup.path, itemPath) && !(isList && dup.path[itemPath.length] === "items" && typeof dup.path[itemPath.length + 1] === "number")) {
        out.problems.push({ itemPath, path: "", line: dup.line, reason: `${name()}: duplicate key ${JSON.stringify(shortName(dup.key))}, scanned with its last value (as kubectl applies it)` });
      }
    }
    if (isList) {
      (o.items as unknown[]).forEach((item, i) => visit(item, [...itemPath, "items", i]));
      return;
    }
    const obj = o as K8sObject;
    const problem = shapeProblem(obj);
    if (problem) {
      out.problems.push({ itemPath, path: problem.path, reason: `${name()}: ${problem.reason}` });
      return;
    }
    out.ok.push({ object: obj, itemPath });
  };
  visit(doc, []);
  return out;
}

/** Names and keys in messages: at most 100 characters (a 15 MB name is not repeated). */
const shortName = (s: string) => (s.length > 100 ? s.slice(0, 100) + "…" : s);
