// A packaged chart (.tgz) read in memory, so that findings can be mapped back into it:
// nothing is written to disk (no path in the archive can escape anywhere), the archive and
// what it unpacks to are size-capped, and only regular files with plain relative names are
// kept. Names are `ARCHIVE:name/in/archive`, e.g. `web-0.1.0.tgz:web/templates/x.yaml`.
import fs from "node:fs";
import zlib from "node:zlib";

/** What the chart mapper reads a chart's files through: a folder on disk, or files held in memory. */
export interface ChartFiles {
  read(file: string): string | undefined;
  /** the files under a folder, recursively, in name order */
  list(dir: string): string[];
}

export const MAX_ARCHIVE_FILES = 10_000;

/** The regular files of a gzipped tar, by `prefix + name`; undefined when it is not one or too large. */
export function readChartArchive(file: string, prefix: string, maxBytes: number): Map<string, string> | undefined {
  let gz: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    gz = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  let tar: Buffer;
  try {
    // maxOutputLength: a small archive that unpacks to gigabytes stops here
    tar = zlib.gunzipSync(gz, { maxOutputLength: maxBytes });
  } catch {
    return undefined;
  }
  return parseTar(tar, prefix);
}

const text = (b: Buffer) => {
  const z = b.indexOf(0);
  return (z < 0 ? b : b.subarray(0, z)).toString("utf8");
};
const octal = (b: Buffer) => parseInt(text(b).trim() || "0", 8);

/** A plain relative name (no absolute path, no `..`, no NUL), without a leading `./`; else undefined. */
export function safeName(name: string): string | undefined {
  const n = name.replace(/^(\.\/)+/, "");
  if (!n || n.startsWith("/") || n.includes("\0") || n.includes("\\")) return undefined;
  const parts = n.split("/").filter((p) => p && p !== ".");
  if (parts.some((p) => p === "..")) return undefined;
  return parts.join("/");
}

export function parseTar(tar: Buffer, prefix: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h.subarray(124, 136));
    if (!Number.isFinite(size) || size < 0) return undefined;
    const type = String.fromCharCode(h[156] || 48);
    const ustar = text(h.subarray(257, 263)).startsWith("ustar");
    let name = text(h.subarray(0, 100));
    if (ustar && h[345]) name = `${text(h.subarray(345, 500))}/${name}`;
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      // a pax header: its `path` names the next entry
      for (const rec of body.toString("utf8").split("\n")) {
        const m = /^\d+ path=(.*)$/.exec(rec);
        if (m) longName = m[1];
      }
      continue;
    }
    if (type === "L") {
      longName = text(body);
      continue;
    }
    if (type === "g") continue;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    if (type !== "0" && type !== "7") continue; // links, folders, devices: not chart files
    const safe = safeName(name);
    if (safe === undefined) continue;
    if (out.size >= MAX_ARCHIVE_FILES) return undefined;
    out.set(prefix + safe, body.toString("utf8"));
  }
  return out;
}

/** The chart files of a folder on disk. */
export const diskFiles: ChartFiles = {
  read(f) {
    try {
      return fs.readFileSync(f, "utf8");
    } catch {
      return undefined;
    }
  },
  list(dir) {
    const out: string[] = [];
    const walk = (d: string, depth: number) => {
      let ents: fs.Dirent[];
      try {
        ents = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = `${d}/${e.name}`;
        if (e.isDirectory() && depth < 5) walk(p, depth + 1);
        else if (e.isFile()) out.push(p);
      }
    };
    walk(dir, 0);
    return out;
  },
};

/** Chart files held in memory (a packaged chart, an installed release's templates). */
export function memoryFiles(files: Map<string, string>): ChartFiles {
  return {
    read: (f) => files.get(f),
    list: (dir) => [...files.keys()].filter((k) => k.startsWith(dir + "/")).sort(),
  };
}
