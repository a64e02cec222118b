// The walk: the paths a user named → the files to read. Directories are walked recursively in
// name order (.git and node_modules skipped); a symbolic link found in the walk is followed
// only when it stays inside the directory the user named (a `rootfs -> /` link is not walked)
// unless followSymlinks is set; loops are reported once and not followed.
import fs from "node:fs";
import path from "node:path";
import type { SkippedFile } from "../model.js";
import { UserError } from "../errors.js";

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set([".git", "node_modules"]);

export class InputPathError extends UserError {}

export interface WalkOptions {
  /** follow symbolic links that lead out of the scanned directory (default: report and skip them) */
  followSymlinks?: boolean;
}

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

  const walk = (dir: string, real: string, root: string, ancestors: string[]) => {
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
        if (!opts.followSymlinks && !inside(target, root) && !(isDir && ancestors.includes(target))) {
          skipped.push({ file: p, reason: OUT_OF_TREE });
          continue;
        }
        if (isDir) walk(p, target, root, ancestors);
        else files.push({ file: p, open: target, followLink: false });
      } else if (ent.isDirectory()) {
        if (!SKIP_DIRS.has(ent.name)) walk(p, path.join(real, ent.name), root, ancestors);
      } else if (MANIFEST_EXT.test(ent.name)) {
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
      walk(p, real, real, []);
    } else files.push({ file: p, open: p, followLink: true }); // named by the user: a link is followed
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
