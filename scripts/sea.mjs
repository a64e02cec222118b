// Builds the single executable (a Node SEA) for a platform from the bundle of scripts/bundle.mjs:
// a release Node binary of the running Node version, from the npm registry's node-<os>-<arch>
// package (cached outside the repo), with a SEA blob injected by postject. The blob holds the
// bundle, its V8 code cache, and the data files as assets (src/core/data-files.ts reads them).
//
// The code cache is only valid for the Node binary that made it, so the blob is made by the
// target's own binary: directly when it runs here, under qemu-user (qemu-aarch64-static) for
// linux-arm64 on an amd64 machine; without either, the blob has no code cache (it starts
// slower, and works the same). When the executable can run here it is checked with `version`.
//
// Usage: node scripts/sea.mjs [--targets linux-x64,linux-arm64] [--out dist-bin]   (after scripts/bundle.mjs)
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { BUNDLE_NAME, CLIENT_NODE_FILE, PDF_FILE, TUI_FILE, ROOT, bundleAssets, packageFacts } from "./bundle.mjs";

/** src/core/data-files.ts ASSET_INDEX */
const ASSET_INDEX = "asset-index.json";

/** What can be built. The darwin and windows packages need signing and a machine to check them on; not built here. */
export const TARGETS = {
  "linux-x64": { os: "linux", arch: "x64", krew: { os: "linux", arch: "amd64" }, qemu: "qemu-x86_64-static", sysroot: "/usr/x86_64-linux-gnu" },
  "linux-arm64": { os: "linux", arch: "arm64", krew: { os: "linux", arch: "arm64" }, qemu: "qemu-aarch64-static", sysroot: "/usr/aarch64-linux-gnu" },
};
export const EXE_NAME = "kubectl-kubescape";
const SENTINEL_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

export const hostTarget = () => `${process.platform}-${process.arch}`;
const cacheDir = () => process.env.KUBESCAPE_DEV_CACHE ?? path.join(os.homedir(), ".cache", "kubescape-dev");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${(r.stderr || r.stdout || "").trim().slice(-2000)}`);
  return r.stdout;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const f = path.join(dir, name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return f;
    } catch {
      // not there or not executable: try the next PATH entry
    }
  }
  return undefined;
}

/** The release Node binary for a target, from the npm package node-<os>-<arch>@<version>, cached. */
export function nodeBinary(target, version = process.versions.node) {
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target ${target} (targets: ${Object.keys(TARGETS).join(", ")})`);
  const pkg = `node-${t.os}-${t.arch}`;
  const dir = path.join(cacheDir(), "node", `${pkg}-${version}`);
  const bin = path.join(dir, "bin", "node");
  if (fs.existsSync(bin)) return bin;
  console.error(`fetching ${pkg}@${version} from the npm registry (first time only)…`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubescape-node-"));
  try {
    const tgz = run("npm", ["pack", `${pkg}@${version}`, "--pack-destination", tmp, "--silent"], { cwd: tmp })
      .trim()
      .split("\n")
      .pop();
    run("tar", ["-xzf", path.join(tmp, tgz), "-C", tmp, "package/bin/node"]);
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    fs.renameSync(path.join(tmp, "package", "bin", "node"), `${bin}.tmp`);
    fs.chmodSync(`${bin}.tmp`, 0o755);
    fs.renameSync(`${bin}.tmp`, bin);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/**
 * How to run a target's programs here (probed with its node binary): {qemu (undefined:
 * directly), env}, or undefined. Another architecture runs under qemu-user with its C library from Debian's
 * cross packages (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross).
 */
export function runner(target, probe) {
  if (target === hostTarget()) return { qemu: undefined, env: process.env };
  const t = TARGETS[target];
  const q = t.os === process.platform ? onPath(t.qemu) : undefined;
  if (!q) return undefined;
  const env = { ...process.env };
  if (!env.QEMU_LD_PREFIX && fs.existsSync(t.sysroot)) env.QEMU_LD_PREFIX = t.sysroot;
  const r = spawnSync(q, [probe, "-p", "process.arch"], { env, encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() === t.arch ? { qemu: q, env } : undefined;
}

/** Run one of a target's programs with `runner`'s result; its stdout. */
const runOn = (how, file, args, opts = {}) => (how.qemu ? run(how.qemu, [file, ...args], { ...opts, env: how.env }) : run(file, args, { ...opts, env: how.env }));

/** Build dist-bin/<target>/kubectl-kubescape from dist-bin/kubescape.cjs. */
export async function buildExecutable(target, { root = ROOT, out = path.join(root, "dist-bin"), bundleFile = path.join(out, BUNDLE_NAME) } = {}) {
  if (!fs.existsSync(bundleFile)) throw new Error(`${bundleFile} is missing: run scripts/bundle.mjs first`);
  const node = nodeBinary(target);
  const exec = runner(target, node);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `kubescape-sea-${target}-`));
  try {
    // package.json as the CLI reads it (src/version.ts), without the rest of the package's facts
    fs.writeFileSync(path.join(work, "package.json"), JSON.stringify(packageFacts(root)));
    const data = bundleAssets(root);
    // the executable's list of its data files: src/core/data-files.ts listData reads folders from it
    fs.writeFileSync(path.join(work, ASSET_INDEX), JSON.stringify(Object.keys(data).sort()));
    const assets = {
      ...data,
      [ASSET_INDEX]: path.join(work, ASSET_INDEX),
      "package.json": path.join(work, "package.json"),
      [CLIENT_NODE_FILE]: path.join(path.dirname(bundleFile), CLIENT_NODE_FILE),
      [TUI_FILE]: path.join(path.dirname(bundleFile), TUI_FILE),
      [PDF_FILE]: path.join(path.dirname(bundleFile), PDF_FILE),
    };
    const blob = path.join(work, "sea.blob");
    const config = { main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useCodeCache: Boolean(exec), useSnapshot: false, assets };
    fs.writeFileSync(path.join(work, "sea-config.json"), JSON.stringify(config, null, 2));
    // without the target's binary the running node makes the blob: only valid for the same version
    runOn(exec ?? { env: process.env }, exec ? node : process.execPath, ["--experimental-sea-config", path.join(work, "sea-config.json")], { cwd: work });

    const dir = path.join(out, target);
    fs.mkdirSync(dir, { recursive: true });
    const exe = path.join(dir, EXE_NAME);
    const tmpExe = path.join(work, EXE_NAME);
    fs.copyFileSync(node, tmpExe);
    fs.chmodSync(tmpExe, 0o755);
    const { inject } = createRequire(import.meta.url)("postject");
    // postject's ELF reader warns about note sections of every Node binary; harmless, and noise
    const warn = console.warn;
    console.warn = (...a) => void (/^warning: Can't find string offset for section name/.test(String(a[0])) || warn(...a));
    try {
      await inject(tmpExe, "NODE_SEA_BLOB", fs.readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
    } finally {
      console.warn = warn;
    }
    fs.copyFileSync(tmpExe, `${exe}.tmp`);
    fs.chmodSync(`${exe}.tmp`, 0o755);
    fs.renameSync(`${exe}.tmp`, exe);

    let checked = false;
    if (exec) {
      const v = runOn(exec, exe, ["version"]).trim();
      const want = `v${packageFacts(root).version}`;
      if (!v.endsWith(want)) throw new Error(`${exe} version printed "${v}", expected it to end with ${want}`);
      checked = true;
    }
    return { target, file: exe, bytes: fs.statSync(exe).size, codeCache: config.useCodeCache, checked };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { targets: { type: "string" }, out: { type: "string" } } });
  const targets = values.targets ? values.targets.split(",") : [hostTarget()];
  for (const t of targets) {
    const r = await buildExecutable(t, { out: values.out && path.resolve(values.out) });
    console.log(`${path.relative(process.cwd(), r.file)}: ${(r.bytes / 1048576).toFixed(1)} MiB, code cache: ${r.codeCache ? "yes" : "no"}, checked: ${r.checked ? "yes" : "no (cannot run here)"}`);
  }
}
