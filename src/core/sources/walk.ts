// The walk: the paths a user named → the files to read. Directories are walked recursively in
// name order (.git and node_modules skipped); a symbolic link found in the walk is followed
// only when it stays inside the directory the user named (a `rootfs -> /` link is not walked)
// unless followSymlinks is set; loops are reported once and not followed.
import fs from "node:fs";
import path from "node:path";
import type { SkippedFile } from "../model.js";
import { UserError } from "../errors.js";
import { IGNORE_FILE, IgnoreRules } from "./ignore.js";

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set([".git", "node_modules"]);

export class InputPathError extends UserError {}

export interface WalkOptions {
  /** follow symbolic links that lead out of the scanned directory (default: report and skip them) */
  followSymlinks?: boolean;
  /** gitignore-like globs of paths to leave out (relative to each scanned directory, or as given) */
  exclude?: string[];
  /**
   * Given, directories holding a chart (Chart.yaml) or a kustomization are listed here to be
   * rendered, and their files are not read as loose manifests. Absent: every file is read raw.
   */
  units?: RenderUnit[];
}

/** A directory a tool renders: a Helm chart, or a Kustomize kustomization. */
export interface RenderUnit {
  kind: "chart" | "kustomize";
  /** as walked (reports name it so) */
  dir: string;
  /** its real path */
  real: string;
}

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** One file to read: "-" is stdin. */
export interface FileToRead {
  /** the name reports give the file (as walked, not the link's target) */
  file: string;
  /** the path to open: the resolved target for a link that was checked, else `file` */
  open: string;
  /** the final component may be a symbolic link (the user named it, or the link was checked) */
  followLink: boolean;
}

export const OUT_OF_TREE = "symbolic link out of the scanned tree (use --follow-symlinks)";

/** Expand the user's paths into the files to read. Throws InputPathError for a missing path. */
export function collectFiles(paths: string[], skipped: SkippedFile[], opts: WalkOptions = {}): FileToRead[] {
  const files: FileToRead[] = [];
  const seenDirs = new Set<string>();
  const inside = (real: string, root: string) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

  const base = new IgnoreRules(opts.exclude ?? []);
  const units = opts.units;
  const walk = (dir: string, real: string, root: string, ancestors: string[], rel: string, rules: IgnoreRules, inKustomization: boolean) => {
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
    if (units) {
      const names = new Set(entries.map((e) => e.name));
      if (!inKustomization && names.has("Chart.yaml")) {
        // helm renders the whole folder (templates, subcharts in charts/): nothing in it is loose
        units.push({ kind: "chart", dir, real });
        return;
      }
      if (KUSTOMIZATION_FILES.some((k) => names.has(k))) {
        units.push({ kind: "kustomize", dir, real });
        inKustomization = true; // its files are its parts; a kustomization below is still found
      }
    }
    for (const ent of entries) {
      const p = path.join(dir, ent.name);
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isSymbolicLink()) {
        let target: string;
        let isDir: boolean;
        try {
          target = fs.realpathSync(p);
          isDir = fs.statSync(target).isDirectory();
        } catch (e) {
          if (MANIFEST_EXT.test(ent.name)) skipped.push({ file: p, reason: errReason(e) }); // dangling, or a loop of links
          continue;
        }
        if (!isDir && !MANIFEST_EXT.test(ent.name)) continue;
        if (isDir && SKIP_DIRS.has(ent.name)) continue;
        if (rules.ignores(r, isDir)) continue;
        if (!opts.followSymlinks && !inside(target, root) && !(isDir && ancestors.includes(target))) {
          skipped.push({ file: p, reason: OUT_OF_TREE });
          continue;
        }
        if (isDir) walk(p, target, root, ancestors, r, rules, inKustomization);
        else if (!inKustomization) files.push({ file: p, open: target, followLink: false });
      } else if (ent.isDirectory()) {
        if (!SKIP_DIRS.has(ent.name) && !rules.ignores(r, true)) walk(p, path.join(real, ent.name), root, ancestors, r, rules, inKustomization);
      } else if (MANIFEST_EXT.test(ent.name) && !inKustomization && !rules.ignores(r, false)) {
        // opened without following a link: a file swapped for a link after this walk is refused
        files.push({ file: p, open: p, followLink: false });
      }
    }
  };

  for (const p of paths) {
    if (p === "-") {
      files.push({ file: "-", open: "-", followLink: true });
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InputPathError(`${p}: no such file or directory`);
      throw new InputPathError(`${p}: ${errReason(e)}`);
    }
    if (st.isDirectory()) {
      let real: string;
      try {
        real = fs.realpathSync(p);
      } catch (e) {
        throw new InputPathError(`${p}: ${errReason(e)}`);
      }
      walk(p, real, real, [], "", base.with(readIgnoreFile(path.join(real, IGNORE_FILE))), false);
    } else if (!base.ignores(p, false)) files.push({ file: p, open: p, followLink: true }); // named by the user: a link is followed
  }
  return files;
}

export function errReason(e: unknown): string {
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
    case "ENXIO":
    case "EOPNOTSUPP":
      return "not a regular file";
    default:
      return err.message ?? String(e);
  }
}

/** The lines of a root's ignore file (none when there is no such file). */
function readIgnoreFile(file: string): string[] {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 1024 * 1024) return [];
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text.split(/\r?\n/);
}
