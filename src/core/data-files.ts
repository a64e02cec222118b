// Where the package's own data lives (controls, rules bundle, config defaults, package.json).
// Read it through readData/readDataText/dataExists: from the files of the package, or, in the
// single executable (scripts/sea.mjs), from the SEA assets embedded in it, so the executable
// never looks for files beside itself.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

type SeaApi = { isSea(): boolean; getAsset(key: string): ArrayBuffer };

/** The package's folder: the nearest parent with a package.json (dist/core/ when built, dist-bin/ when bundled). */
export const packageRoot = ((): string => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = path.dirname(here); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(here);
  }
})();
export const dataPath = (...parts: string[]) => path.join(packageRoot, ...parts);

// node:sea exists from Node 20.12; on older versions and outside an executable: files.
const sea: SeaApi | undefined = (() => {
  try {
    const api = createRequire(import.meta.url)("node:sea") as SeaApi;
    return api.isSea() ? api : undefined;
  } catch {
    return undefined;
  }
})();

/** True inside the single executable. */
export const inExecutable = sea !== undefined;

/** Asset key of a data file: its path in the package, with forward slashes (scripts/sea.mjs uses the same). */
export const assetKey = (...parts: string[]) =>
  parts
    .join("/")
    .split(/[\\/]+/)
    .join("/");

/** The bytes of one of the package's data files; throws ENOENT like fs when there is none. */
export function readData(...parts: string[]): Buffer<ArrayBuffer> {
  if (!sea) return fs.readFileSync(dataPath(...parts));
  try {
    return Buffer.from(sea.getAsset(assetKey(...parts)));
  } catch {
    throw Object.assign(new Error(`ENOENT: no such embedded file, '${assetKey(...parts)}'`), { code: "ENOENT" });
  }
}

export const readDataText = (...parts: string[]): string => readData(...parts).toString("utf8");

export function dataExists(...parts: string[]): boolean {
  if (!sea) return fs.existsSync(dataPath(...parts));
  try {
    sea.getAsset(assetKey(...parts));
    return true;
  } catch {
    return false;
  }
}

/** Asset key of the executable's list of its assets (scripts/sea.mjs writes it). */
export const ASSET_INDEX = "asset-index.json";
let assetIndex: string[] | undefined;

/** The names of the files (not folders) in a folder. */
export const filesIn = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);

/** The names of the files in one of the package's data folders (in the executable, from its list of assets). */
export function listData(...dir: string[]): string[] {
  if (!sea) return filesIn(dataPath(...dir));
  assetIndex ??= JSON.parse(readDataText(ASSET_INDEX)) as string[];
  const prefix = `${assetKey(...dir)}/`;
  return assetIndex.filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes("/")).map((k) => k.slice(prefix.length));
}
