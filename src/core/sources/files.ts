// File and stdin source: paths → Kubernetes objects, each with its file and document.
// walk.ts lists the files, this module reads each one (opened once, bounded), manifests.ts
// turns text into objects. Every problem with one file becomes one SkippedFile line; the rest
// of the scan goes on.
import fs from "node:fs";
import type { ScanObject, SkippedFile, SourceResult } from "../model.js";
import { PositionIndex, type PositionRequest } from "./positions.js";
import { collectFiles, errReason, type FileToRead, type RenderUnit } from "./walk.js";
import { buildKustomization, buildWithOrigins, planKustomizations, type KustomizeOrigin } from "./kustomize.js";
import { kustomizeMapper } from "./kustomize-map.js";
import { chartMapper, type ChartMapOptions } from "./chart-map.js";
import { expandDocument, normalizeText, parseManifests } from "./manifests.js";
import { UserError } from "../errors.js";

export { collectFiles, InputPathError, OUT_OF_TREE, type FileToRead } from "./walk.js";
import { InputPathError } from "./walk.js";
export { parseManifests, expandDocument } from "./manifests.js";

export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface FileSourceOptions {
  maxFileBytes?: number;
  /** read stdin for "-" (injectable for tests); given the byte limit, it must not return more */
  readStdin?: (maxBytes: number) => Promise<string>;
  /** the source name reports give "-" (default "<stdin>"; the helm command names its chart) */
  stdinName?: string;
  /** follow symbolic links that lead out of a scanned directory (default: skipped and reported) */
  followSymlinks?: boolean;
  /** false: read a chart's or a kustomization's files as they are (default: render them with helm / kustomize) */
  render?: boolean;
  /** gitignore-like globs of paths to leave out (a scanned directory's .kubescapeignore adds its own) */
  exclude?: string[];
  signal?: AbortSignal;
  /** "-" is a rendered chart: map its positions back to the chart's templates and values */
  chartMap?: ChartMapOptions;
}

export class StdinTooLargeError extends UserError {}

export async function readFileSources(paths: string[], opts: FileSourceOptions = {}): Promise<{ result: SourceResult; positions: PositionIndex }> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const skippedFiles: SkippedFile[] = [];
  const ignored: SkippedFile[] = [];
  const positions = new PositionIndex();
  const units: RenderUnit[] | undefined = opts.render === false ? undefined : [];
  let files = collectFiles(paths, skippedFiles, { followSymlinks: opts.followSymlinks, exclude: opts.exclude, units });
  const objects: ScanObject[] = [];
  let ignoredDocuments = 0;
  let filesRead = 0;

  /** One text (a file, or a tool's rendered stream) → objects, problems, ignored documents. */
  const addText = (display: string, text: string, isJson: boolean) => {
    text = normalizeText(text);
    const parsed = parseManifests(display, text, isJson);
    if (parsed.error) {
      // only what looks like a Kubernetes object is an error when it cannot be read
      if (looksLikeObject(text)) skippedFiles.push(parsed.error);
      else {
        ignoredDocuments++;
        const empty = !text.trim();
        ignored.push({ file: display, ...(parsed.error.line && !empty ? { line: parsed.error.line } : {}), reason: empty ? "empty file" : `not a Kubernetes object (${parsed.error.reason})` });
      }
      return;
    }
    positions.addText(display, text);
    // a file's problems are located together: one parse of the file for all of them
    const located: { problem: SkippedFile; request?: PositionRequest }[] = [];
    for (const d of parsed.docs) {
      const { ok, ignored: n, ignoredWhy, problems } = expandDocument(d.doc, d.index, d.duplicates);
      ignoredDocuments += n;
      for (const why of ignoredWhy ?? []) ignored.push({ file: display, reason: why });
      for (const p of problems) {
        const problem: SkippedFile = { file: display, line: p.line, reason: p.reason };
        located.push({
          problem,
          request: p.line === undefined ? { source: { file: display, docIndex: d.index, itemPath: p.itemPath }, path: p.path, done: (pos) => (problem.line = pos?.line) } : undefined,
        });
      }
      for (const o of ok) {
        objects.push({ id: objects.length, object: o.object, source: { file: display, docIndex: d.index, itemPath: o.itemPath } });
      }
    }
    if (located.length) {
      positions.resolveAll(located.flatMap((l) => (l.request ? [l.request] : [])));
      for (const l of located) skippedFiles.push(l.problem.line === undefined ? { file: l.problem.file, reason: l.problem.reason } : l.problem);
    }
  };

  let rendered: Rendered[] = [];
  if (units?.length) {
    const kustomizations = planKustomizations(units.filter((u) => u.kind === "kustomize"));
    // a file a kustomization names (a patch in ../common) is its part, not a loose manifest
    if (kustomizations.parts.size) files = files.filter((f) => f.file === "-" || !kustomizations.parts.has(realOrSelf(f.open)));
    const todo = [...units.filter((u) => u.kind === "chart"), ...kustomizations.build].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
    rendered = await renderUnits(todo, { maxBytes, signal: opts.signal, skippedFiles });
  }

  for (const f of files) {
    let text: string;
    const display = f.file === "-" ? (opts.stdinName ?? "<stdin>") : f.file;
    if (f.file === "-") {
      // the library never reads the process's stdin itself: its holder hands a reader over
      if (!opts.readStdin) throw new InputPathError("-: no standard input to read here");
      text = await opts.readStdin(maxBytes);
      if (Buffer.byteLength(text) > maxBytes) throw new StdinTooLargeError(`${opts.stdinName ?? "stdin"} is larger than ${mb(maxBytes)} MB (see --max-file-size)`);
    } else {
      const r = readBounded(f, maxBytes);
      if ("reason" in r) {
        skippedFiles.push({ file: f.file, reason: r.reason });
        continue;
      }
      text = r.text;
    }
    filesRead++;
    addText(display, text, /\.json$/i.test(f.file));
    if (f.file === "-" && opts.chartMap) positions.addMapper(display, chartMapper(opts.chartMap, normalizeText(text)));
  }
  for (const r of rendered) {
    filesRead++;
    addText(r.name, r.text, false);
    if (r.chart) positions.addMapper(r.name, chartMapper({ chart: r.chart }, r.text));
    if (r.origins) positions.addMapper(r.name, kustomizeMapper(r.text, r.origins));
  }
  return { result: { objects, skippedFiles, ignoredDocuments, filesRead, ...(ignored.length ? { ignored } : {}) }, positions };
}

/** Render charts (helm template) and build kustomizations; one that fails is one skipped input. */
type Rendered = { name: string; text: string; chart?: string; origins?: (KustomizeOrigin | undefined)[] };

async function renderUnits(units: RenderUnit[], o: { maxBytes: number; signal?: AbortSignal; skippedFiles: SkippedFile[] }): Promise<Rendered[]> {
  const out: Rendered[] = [];
  for (const u of units) {
    o.signal?.throwIfAborted();
    try {
      if (u.kind === "chart") {
        const { renderChart } = await import("./helm.js");
        out.push({ name: `<helm template ${u.dir}>`, text: await renderChart({ chart: u.dir }, { maxBytes: o.maxBytes, signal: o.signal }), chart: u.dir });
      } else {
        // built with origin annotations when kustomize can (findings then name the base or patch file)
        const withOrigins = await buildWithOrigins(u.dir, { maxBytes: o.maxBytes, signal: o.signal });
        if (withOrigins) out.push({ name: `<kustomize ${u.dir}>`, text: withOrigins.text, origins: withOrigins.origins });
        else out.push({ name: `<kustomize ${u.dir}>`, text: await buildKustomization(u.dir, { maxBytes: o.maxBytes, signal: o.signal }) });
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      o.skippedFiles.push({ file: u.dir, reason: `${e.message}${u.kind === "chart" ? " (--no-render reads the chart's files as they are)" : ""}` });
    }
  }
  return out;
}

const realOrSelf = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * Text that means to be a Kubernetes object: an apiVersion and a kind key, in YAML (block or
 * flow style) or JSON, anywhere in the file. Generous on purpose: a file it matches that cannot
 * be read fails the scan instead of being ignored, so a broken manifest never passes unseen.
 */
export function looksLikeObject(text: string): boolean {
  // keys may be spelled with escapes (JSON "\u0061piVersion", YAML "\x61piVersion"), which the API server's decoder reads as the key
  const plain = /\\[uxU]/.test(text) ? text.replace(/\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|U([0-9a-fA-F]{8}))/g, (m, u, x, U) => safeChar(parseInt(u ?? x ?? U, 16)) ?? m) : text;
  const key = (k: string) => new RegExp(`(?:^|[^A-Za-z0-9_$])['"]?${k}['"]?[ \\t]*:`, "m").test(plain);
  return key("apiVersion") && key("kind");
}

const safeChar = (code: number): string | undefined => (code <= 0x10ffff ? String.fromCodePoint(code) : undefined);

// Filesystems whose "regular files" are the kernel's, not data (/proc/kmsg blocks, sysfs files
// change while read): never read. Magic numbers from statfs(2).
const KERNEL_FS = new Set([
  0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x73636673 /* securityfs */, 0xcafe4a11 /* bpf */, 0x27e0eb /* cgroup */, 0x63677270 /* cgroup2 */,
]);

/**
 * Read one file, opened once: the descriptor is checked (a regular file, not on a kernel
 * filesystem, within the size limit) and the read itself stops at the limit, so a file that
 * grows or is swapped after the check can't be read past it. Nothing that is not a regular
 * file is read (O_NONBLOCK: opening a FIFO does not wait for a writer).
 */
export function readBounded(f: Pick<FileToRead, "open" | "followLink">, maxBytes: number): { text: string } | { reason: string } {
  let fd: number | undefined;
  try {
    const flags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (f.followLink ? 0 : fs.constants.O_NOFOLLOW);
    try {
      fd = fs.openSync(f.open, flags);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ELOOP" && !f.followLink) return { reason: "symbolic link (appeared while scanning), not followed" };
      throw e;
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { reason: "not a regular file" };
    if (onKernelFs(fd)) return { reason: "not a regular file (a kernel file system)" };
    if (st.size > maxBytes) return { reason: tooLarge(st.size, maxBytes) };
    // read up to one byte past the limit: that byte says the file grew beyond it
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 * 1024)));
    let len = 0;
    let cur = buf;
    for (;;) {
      if (len === cur.length) {
        if (len > maxBytes) break;
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, cur.length * 2));
        cur.copy(bigger, 0, 0, len);
        cur = bigger;
      }
      const n = fs.readSync(fd, cur, len, cur.length - len, null);
      if (n === 0) break;
      len += n;
    }
    if (len > maxBytes) return { reason: tooLarge(len, maxBytes, true) };
    const data = cur.subarray(0, len);
    if (data.subarray(0, 8192).includes(0)) return { reason: "binary file, not YAML or JSON" };
    return { text: data.toString("utf8") };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EAGAIN") return { reason: "not a regular file" };
    return { reason: errReason(e) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function onKernelFs(fd: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    return KERNEL_FS.has(fs.statfsSync(`/proc/self/fd/${fd}`).type);
  } catch {
    return false;
  }
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1).replace(/\.0$/, "");
const tooLarge = (size: number, max: number, grew = false) => `file too large (${grew ? "more than " : ""}${mb(grew ? max : size)} MB, limit ${mb(max)} MB; see --max-file-size)`;

/** stdin up to maxBytes: reading stops one byte past the limit (an endless stream does not grow memory). */
export function readStdin(maxBytes: number, stream: NodeJS.ReadableStream & { destroy?: () => void }): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const onData = (c: Buffer) => {
      len += c.length;
      if (len > maxBytes) {
        stream.off("data", onData);
        stream.pause();
        stream.destroy?.();
        reject(new StdinTooLargeError(`stdin is larger than ${mb(maxBytes)} MB (see --max-file-size)`));
        return;
      }
      chunks.push(c);
    };
    stream.on("data", onData);
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}
