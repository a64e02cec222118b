// File and stdin source: paths → Kubernetes objects, each with its file and document.
// Every problem with one file becomes one SkippedFile line; the rest of the scan goes on.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { parseAllDocuments } from "yaml";
import type { K8sObject, ScanObject, SkippedFile, SourceResult } from "../model.js";
import { PositionIndex } from "./positions.js";
import { shapeProblem } from "./validate.js";
import { UserError } from "../errors.js";

export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;
const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set([".git", "node_modules"]);

export interface FileSourceOptions {
  maxFileBytes?: number;
  /** read stdin for "-" (injectable for tests) */
  readStdin?: () => Promise<string>;
  /** the source name reports give "-" (default "<stdin>"; the helm command names its chart) */
  stdinName?: string;
}

export class InputPathError extends UserError {}

/** Expand the user's paths into the list of files to read ("-" stays "-"). Throws InputPathError for a missing path. */
export function collectFiles(paths: string[], skipped: SkippedFile[]): string[] {
  const files: string[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string, ancestors: string[]) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (e) {
      skipped.push({ file: dir, reason: errReason(e) });
      return;
    }
    if (ancestors.includes(real)) {
      skipped.push({ file: dir, reason: "symbolic link loop (points back to a parent directory), not followed" });
      return;
    }
    if (seenDirs.has(real)) return; // the same directory reached through another link: scanned once
    ancestors = [...ancestors, real];
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      skipped.push({ file: dir, reason: errReason(e) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = path.join(dir, ent.name);
      let isDir = ent.isDirectory();
      if (ent.isSymbolicLink()) {
        try {
          isDir = fs.statSync(p).isDirectory();
        } catch {
          if (MANIFEST_EXT.test(ent.name)) files.push(p); // dangling link: reported when read
          continue;
        }
      }
      if (isDir) {
        if (!SKIP_DIRS.has(ent.name)) walk(p, ancestors);
      } else if (MANIFEST_EXT.test(ent.name)) {
        files.push(p);
      }
    }
  };
  for (const p of paths) {
    if (p === "-") {
      files.push("-");
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InputPathError(`${p}: no such file or directory`);
      throw new InputPathError(`${p}: ${errReason(e)}`);
    }
    if (st.isDirectory()) walk(p, []);
    else files.push(p);
  }
  return files;
}

export async function readFileSources(paths: string[], opts: FileSourceOptions = {}): Promise<{ result: SourceResult; positions: PositionIndex }> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const skippedFiles: SkippedFile[] = [];
  const positions = new PositionIndex();
  const files = collectFiles(paths, skippedFiles);
  const objects: ScanObject[] = [];
  let ignoredDocuments = 0;
  let filesRead = 0;
  for (const file of files) {
    let text: string;
    const display = file === "-" ? (opts.stdinName ?? "<stdin>") : file;
    if (file === "-") {
      text = await (opts.readStdin ?? readStdin)();
    } else {
      const r = readText(file, maxBytes);
      if ("reason" in r) {
        skippedFiles.push({ file, reason: r.reason });
        continue;
      }
      text = r.text;
    }
    filesRead++;
    const parsed = parseManifests(display, text, /\.json$/i.test(file));
    if (parsed.error) {
      skippedFiles.push(parsed.error);
      continue;
    }
    positions.addText(display, text);
    for (const d of parsed.docs) {
      const { ok, ignored, problems } = expandDocument(d.doc, d.index);
      ignoredDocuments += ignored;
      for (const p of problems) {
        const pos = positions.resolve({ file: display, docIndex: d.index, itemPath: p.itemPath }, p.path);
        skippedFiles.push({ file: display, line: pos?.line, reason: p.reason });
      }
      for (const o of ok) {
        objects.push({ id: objects.length, object: o.object, source: { file: display, docIndex: d.index, itemPath: o.itemPath } });
      }
    }
  }
  return { result: { objects, skippedFiles, ignoredDocuments, filesRead }, positions };
}

function readText(file: string, maxBytes: number): { text: string } | { reason: string } {
  let fd: number | undefined;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { reason: "not a regular file" };
    if (st.size > maxBytes) return { reason: `file too large (${mb(st.size)} MB, limit ${mb(maxBytes)} MB; see --max-file-size)` };
    fd = fs.openSync(file, "r");
    const buf = fs.readFileSync(fd);
    if (buf.subarray(0, 8192).includes(0)) return { reason: "binary file, not YAML or JSON" };
    let text = buf.toString("utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch (e) {
    return { reason: errReason(e) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1).replace(/\.0$/, "");

function errReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOENT":
      return "no such file (dangling link?)";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EISDIR":
      return "is a directory";
    default:
      return err.message ?? String(e);
  }
}

interface ParsedDoc {
  index: number;
  doc: unknown;
}

/** Parse a file's text into documents. One parse error makes the whole file skipped. */
export function parseManifests(file: string, text: string, isJson: boolean): { docs: ParsedDoc[]; error?: SkippedFile } {
  if (isJson || /^\s*[[{]/.test(text)) {
    try {
      return { docs: [{ index: 0, doc: JSON.parse(text) }] };
    } catch (e) {
      if (isJson) return { docs: [], error: { file, line: jsonErrorLine(text, e), reason: `invalid JSON: ${(e as Error).message}` } };
      // not JSON after all: fall through to YAML
    }
  }
  // Anchors and aliases go through the `yaml` parser, which caps alias expansion (alias bombs).
  if (/(^|[\s[{,:-])[&*][A-Za-z0-9_.-]+(\s|$|[,\]}])/m.test(text)) {
    try {
      const docs = parseAllDocuments(text, { uniqueKeys: false });
      const list = Array.isArray(docs) ? docs : [docs];
      const out: ParsedDoc[] = [];
      for (let i = 0; i < list.length; i++) {
        const d = list[i];
        if (d.errors.length) {
          const err = d.errors[0];
          return { docs: [], error: { file, line: err.linePos?.[0]?.line, reason: `invalid YAML: ${firstLine(err.message)}` } };
        }
        out.push({ index: i, doc: d.toJS({ maxAliasCount: 100 }) });
      }
      return { docs: out };
    } catch (e) {
      const msg = (e as Error).message;
      return { docs: [], error: { file, reason: /alias/i.test(msg) ? "YAML alias expansion too large (possible alias bomb)" : `invalid YAML: ${firstLine(msg)}` } };
    }
  }
  try {
    const docs: ParsedDoc[] = [];
    let i = 0;
    yaml.loadAll(text, (d) => docs.push({ index: i++, doc: d }), { filename: file, json: true });
    return { docs };
  } catch (e) {
    const ye = e as yaml.YAMLException;
    return { docs: [], error: { file, line: ye.mark ? ye.mark.line + 1 : undefined, reason: `invalid YAML: ${ye.reason ?? firstLine(ye.message)}` } };
  }
}

const firstLine = (s: string) => s.split("\n")[0];

function jsonErrorLine(text: string, e: unknown): number | undefined {
  const m = /position (\d+)/.exec((e as Error).message);
  if (!m) return undefined;
  return text.slice(0, Number(m[1])).split("\n").length;
}

interface Expanded {
  ok: { object: K8sObject; itemPath: (string | number)[] }[];
  ignored: number;
  problems: { itemPath: (string | number)[]; path: string; reason: string }[];
}

/** One parsed document → Kubernetes objects (Lists expanded), ignored non-Kubernetes docs, and shape problems. */
export function expandDocument(doc: unknown, docIndex: number): Expanded {
  const out: Expanded = { ok: [], ignored: 0, problems: [] };
  if (doc === null || doc === undefined) return out; // empty document
  const visit = (d: unknown, itemPath: (string | number)[]) => {
    if (typeof d !== "object" || d === null) {
      out.problems.push({ itemPath, path: "", reason: `document ${docIndex + 1} is a ${typeof d === "object" ? "null" : typeof d}, not a Kubernetes object` });
      return;
    }
    if (Array.isArray(d)) {
      out.problems.push({ itemPath, path: "", reason: `document ${docIndex + 1} is a list, not a Kubernetes object` });
      return;
    }
    const o = d as Record<string, unknown>;
    if (typeof o.kind !== "string" || o.apiVersion === undefined) {
      out.ignored++;
      return;
    }
    if (o.kind.endsWith("List") && Array.isArray(o.items)) {
      o.items.forEach((item, i) => visit(item, [...itemPath, "items", i]));
      return;
    }
    const obj = o as K8sObject;
    const problem = shapeProblem(obj);
    if (problem) {
      const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : "<unnamed>";
      out.problems.push({ itemPath, path: problem.path, reason: `${obj.kind}/${name}: ${problem.reason}` });
      return;
    }
    out.ok.push({ object: obj, itemPath });
  };
  visit(doc, []);
  return out;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}
