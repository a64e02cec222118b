// npm run dist: the release files of the kubectl plugin, in release/:
//   kubectl-kubescape_vX.Y.Z_<os>_<arch>.tar.gz   the single executable + LICENSE, per platform
//   krew-manifest.yaml                            the krew Plugin manifest (from plugins/krew/kubescape.yaml.tmpl)
//   SHA256SUMS
// It bundles the CLI (scripts/bundle.mjs) and builds each executable (scripts/sea.mjs) first;
// run after `npm run build` (npm run dist does both). An archive's bytes depend on its two
// files only (fixed owner, mode and time); the executable itself differs slightly from build
// to build (V8's code cache), so each build has its own sha256.
//
// Usage: node scripts/dist.mjs [--targets linux-x64,linux-arm64] [--uri-base URL] [--homepage URL]
//   --uri-base: where the archives will be downloaded from (the release's download URL);
//               default $KREW_URI_BASE, else file:// URLs of release/ (enough for
//               `kubectl krew install --manifest=... --archive=...`, not for publishing)
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { parseArgs } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import YAML from "yaml";
import { ROOT, bundle, packageFacts } from "./bundle.mjs";
import { EXE_NAME, TARGETS, buildExecutable } from "./sea.mjs";

export const TEMPLATE = path.join(ROOT, "plugins", "krew", "kubescape.yaml.tmpl");
export const archiveName = (version, target) => `${EXE_NAME}_v${version}_${TARGETS[target].krew.os}_${TARGETS[target].krew.arch}.tar.gz`;

/** A tar.gz of the executable and LICENSE at its top level: fixed owner, mode and time, no symlinks. */
export function makeArchive(exe, license, file) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "kubescape-archive-"));
  try {
    fs.copyFileSync(exe, path.join(stage, EXE_NAME));
    fs.chmodSync(path.join(stage, EXE_NAME), 0o755);
    fs.copyFileSync(license, path.join(stage, "LICENSE"));
    fs.chmodSync(path.join(stage, "LICENSE"), 0o644);
    const args = ["--create", "--file=-", "--format=ustar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", stage, EXE_NAME, "LICENSE"];
    const r = spawnSync("tar", args, { maxBuffer: 1024 * 1024 * 1024 });
    if (r.error || r.status !== 0) throw new Error(`tar failed: ${r.error?.message ?? String(r.stderr)}`);
    // zlib writes no name and a zero time into the gzip header, so the bytes depend on the contents only
    fs.writeFileSync(file, zlib.gzipSync(r.stdout, { level: 9 }));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The krew manifest from the template: one platform entry per archive. */
export function renderManifest(template, { version, homepage, platforms }) {
  const m = /^[ \t]*# \{\{#platforms\}\}\n([\s\S]*?)^[ \t]*# \{\{\/platforms\}\}\n/m.exec(template);
  if (!m) throw new Error("template: no {{#platforms}} … {{/platforms}} block");
  const fill = (text, values) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, k) => {
      if (!(k in values)) throw new Error(`template: no value for {{${k}}}`);
      return values[k];
    });
  const body = template.replace(m[0], platforms.map((p) => fill(m[1], p)).join(""));
  const text = fill(body.replace(/^#.*\n/gm, ""), { version: `v${version}`, homepage });
  YAML.parse(text); // a template edit that breaks the YAML fails here, not in krew
  return text;
}

export async function dist({ targets = Object.keys(TARGETS), uriBase = process.env.KREW_URI_BASE, homepage, out = path.join(ROOT, "release") } = {}) {
  const facts = packageFacts(ROOT);
  const b = await bundle();
  console.log(`bundle: ${path.relative(ROOT, b.file)} (${(b.bytes / 1024).toFixed(0)} KiB)`);
  fs.mkdirSync(out, { recursive: true });
  const license = path.join(ROOT, "LICENSE");
  const platforms = [];
  const sums = [];
  for (const target of targets) {
    const exe = await buildExecutable(target);
    const name = archiveName(facts.version, target);
    const sha256 = makeArchive(exe.file, license, path.join(out, name));
    const uri = uriBase ? `${uriBase.replace(/\/+$/, "")}/${name}` : pathToFileURL(path.join(out, name)).href;
    platforms.push({ ...TARGETS[target].krew, uri, sha256 });
    sums.push(`${sha256}  ${name}`);
    const size = (n) => `${(n / 1048576).toFixed(1)} MiB`;
    console.log(
      `${target}: executable ${size(exe.bytes)} (code cache: ${exe.codeCache ? "yes" : "no"}, ran here: ${exe.checked ? "yes" : "no"}), ${name} ${size(fs.statSync(path.join(out, name)).size)}`,
    );
  }
  const manifest = renderManifest(fs.readFileSync(TEMPLATE, "utf8"), { version: facts.version, homepage: homepage ?? facts.homepage ?? "https://kubescape.io", platforms });
  fs.writeFileSync(path.join(out, "krew-manifest.yaml"), manifest);
  fs.writeFileSync(path.join(out, "SHA256SUMS"), sums.join("\n") + "\n");
  console.log(
    `${path.relative(process.cwd(), path.join(out, "krew-manifest.yaml"))}: kubescape v${facts.version}, ${platforms.length} platform(s)${uriBase ? "" : " (file:// URIs: pass --uri-base to publish)"}`,
  );
  return { out, manifest: path.join(out, "krew-manifest.yaml"), archives: sums };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { targets: { type: "string" }, "uri-base": { type: "string" }, homepage: { type: "string" }, out: { type: "string" } } });
  await dist({
    targets: values.targets
      ?.split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    uriBase: values["uri-base"],
    homepage: values.homepage,
    out: values.out && path.resolve(values.out),
  });
}
