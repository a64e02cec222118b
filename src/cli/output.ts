// Writing a report file safely: never through a symbolic link planted at the path, never onto
// a FIFO or device, never over a file the scan read, and never half-written (a temporary file
// in the same folder, renamed into place).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../core/errors.js";

export class OutputError extends UserError {}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/**
 * Whether writing `file` would overwrite an input of the scan: a file the user named, or a
 * manifest inside a folder the user named (the walk read it).
 */
export function isScannedInput(file: string, inputs: string[]): boolean {
  const target = realish(file);
  for (const p of inputs) {
    if (p === "-") continue;
    let st: fs.Stats;
    let real: string;
    try {
      st = fs.statSync(p);
      real = fs.realpathSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory() ? MANIFEST_EXT.test(target) && (target + path.sep).startsWith(real + path.sep) && target !== real : target === real) return true;
  }
  return false;
}

/** The path with its folder's links resolved (the file itself need not exist). */
function realish(file: string): string {
  const abs = path.resolve(file);
  try {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

/** mkdir -p one level at a time: fs.mkdirSync's recursive mode can spin forever where a parent refuses children (under /proc). */
function makeDirs(dir: string): void {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) makeDirs(parent);
  fs.mkdirSync(dir);
}

/** A report as it is written: a string or bytes as they are, pieces of text in batches of about 1 MB. */
export function* batched(data: string | Uint8Array | Iterable<string>): Generator<string | Uint8Array> {
  if (typeof data === "string" || data instanceof Uint8Array) {
    yield data;
    return;
  }
  let batch = "";
  for (const piece of data) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      yield batch;
      batch = "";
    }
  }
  if (batch) yield batch;
}

const why = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Write a report to `file`; throws OutputError (one line) when it must not or cannot. */
export function writeOutput(file: string, data: string | Uint8Array | Iterable<string>, opts: { inputs?: string[] } = {}): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new OutputError(`cannot write ${file} (${why(e)})`);
  }
  if (st?.isSymbolicLink()) throw new OutputError(`${file} is a symbolic link; not writing through it (remove it or choose another --output)`);
  if (st && !st.isFile()) throw new OutputError(`${file} is not a regular file (${st.isFIFO() ? "a FIFO" : st.isDirectory() ? "a directory" : "a device or socket"}); not writing to it`);
  if (opts.inputs && isScannedInput(file, opts.inputs)) throw new OutputError(`${file} is one of the files this scan read; not overwriting it (choose another --output)`);
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file).slice(0, 100)}.${crypto.randomBytes(6).toString("hex")}.tmp`);
  try {
    makeDirs(dir);
    // wx: create only, never through something already at the temporary name
    const fd = fs.openSync(tmp, "wx", st ? st.mode & 0o777 : 0o644);
    try {
      for (const b of batched(data)) fs.writeFileSync(fd, b);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new OutputError(`cannot write ${file} (${why(e)})`);
  }
}
