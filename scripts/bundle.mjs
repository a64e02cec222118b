// Bundles the whole CLI into one CommonJS file, dist-bin/kubescape.cjs, for the single
// executable (scripts/sea.mjs). Run after `npm run build` (npm run bundle does both): it
// bundles the compiled dist/ and describes the commands by loading them from there.
//
// What is compiled into the bundle: package.json's facts and the command manifest (so oclif
// reads no file to start), the evaluation worker as source text (a worker needs code to run
// and the executable has no worker.js beside it), and every report format but pdf (the dynamic
// imports of src/report/index.ts are inlined; they still run only when asked for; pdf, like
// client-node and the TUI, is a file of its own beside the bundle, see latePdf). The data
// files (rules, controls, config) are not: `node dist-bin/kubescape.cjs` reads them from the
// package, and the executable embeds them as assets (bundleAssets below).
//
// Usage: node scripts/bundle.mjs [--out dist-bin] [--no-minify] [--metafile]
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BUNDLE_NAME = "kubescape.cjs";

/** Data files the CLI reads at run time (src/core/data-files.ts readData), by asset key (path in the package). */
export function bundleAssets(root = ROOT) {
  const out = {};
  const add = (rel) => (out[rel.split(path.sep).join("/")] = path.join(root, rel));
  add(path.join("rules", "bundle", "policy.wasm"));
  add(path.join("rules", "bundle", "index.json"));
  const files = (dir, keep) => {
    for (const e of fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile() && keep(e.name)) add(path.relative(root, path.join(e.parentPath ?? e.path, e.name)));
    }
  };
  for (const dir of ["controls", "config"]) files(dir, (name) => /\.(json|ya?ml)$/.test(name));
  // the operator's chart, every file of it: `operator install` renders it, `operator run` installs its CRDs
  files(path.join("charts", "kubescape-operator"), () => true);
  return out;
}

/** The package.json facts oclif and `version` need, nothing else. */
export function packageFacts(root = ROOT) {
  const p = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  return { name: p.name, version: p.version, description: p.description, license: p.license, homepage: p.homepage, type: p.type, engines: p.engines, oclif: p.oclif };
}

// typescript: only oclif's ts-node support asks for it (in a try), never on our command path
// oclif checks the Node version against its own package.json, read with require() at run
// time: the executable is its own Node, and its require() loads built-in modules only.
const dropOclifNodeCheck = {
  name: "drop-oclif-node-check",
  setup(build) {
    build.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]index\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, "utf8");
      const call = "\ncheckNodeVersion();\n";
      if (!text.includes(call)) throw new Error(`${args.path}: no checkNodeVersion() call to drop; see scripts/bundle.mjs`);
      return { contents: text.replace(call, "\n"), loader: "js" };
    });
  },
};

// @kubernetes/client-node is 3.5 MB of code only cluster scans use. Bundled in place, every
// start parses it (`version` from the bundle: 146 → 216 ms). So it is bundled on its own, into
// CLIENT_NODE_FILE beside the bundle (and an asset of the single executable), and read and
// compiled when a cluster scan first imports it.
const CLIENT_NODE = "@kubernetes/client-node";
export const CLIENT_NODE_FILE = "client-node.cjs";
const lateClientNode = {
  name: "late-client-node",
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: CLIENT_NODE, namespace: "late-client-node" }));
    build.onLoad({ filter: /.*/, namespace: "late-client-node" }, () => ({
      loader: "js",
      contents: [
        `const vm = require("node:vm");`,
        `let src;`,
        `try { const sea = require("node:sea"); if (sea.isSea()) src = Buffer.from(sea.getAsset(${JSON.stringify(CLIENT_NODE_FILE)})).toString("utf8"); } catch {}`,
        `if (src === undefined) src = require("node:fs").readFileSync(require("node:path").join(__dirname, ${JSON.stringify(CLIENT_NODE_FILE)}), "utf8");`,
        `const m = { exports: {} };`,
        `vm.runInThisContext("(function (exports, require, module) {" + src + "\\n})", { filename: ${JSON.stringify(CLIENT_NODE_FILE)} })(m.exports, require, m);`,
        `module.exports = m.exports;`,
      ].join("\n"),
    }));
  },
};

// The TUI (Ink, React, Yoga: about 1 MB) is used by `kubescape tui` only, so it is bundled on
// its own too, into TUI_FILE beside the bundle (an asset of the executable), and compiled when
// the tui command first imports dist/tui/render.js. Ink and Yoga use top-level await, which a
// CommonJS bundle cannot hold: Ink's is only for React devtools (DEV=true), and Yoga's waits
// for its wasm, which the TUI now awaits itself (globalThis.__kubescapeYogaReady, see
// src/tui/render.tsx). react-devtools-core is Ink's optional peer: left out.
export const TUI_FILE = "tui.cjs";
const lateTui = {
  name: "late-tui",
  setup(build) {
    build.onResolve({ filter: /[\\/]tui[\\/]render\.js$/ }, () => ({ path: "tui-render", namespace: "late-tui" }));
    build.onLoad({ filter: /.*/, namespace: "late-tui" }, () => ({ loader: "js", contents: lateLoader(TUI_FILE) }));
  },
};

// The pdf report (pdf-lib, its fonts and pako: about 500 KB) is used by `--format pdf` only:
// bundled on its own as well, into PDF_FILE beside the bundle (an asset of the executable).
// Bundled in place, every start parsed it (`version` from the bundle: 163 ms).
export const PDF_FILE = "report-pdf.cjs";
const latePdf = {
  name: "late-pdf",
  setup(build) {
    build.onResolve({ filter: /^\.\/pdf\.js$/ }, (args) => (/[\\/]report$/.test(args.resolveDir) ? { path: "report-pdf", namespace: "late-pdf" } : undefined));
    build.onLoad({ filter: /.*/, namespace: "late-pdf" }, () => ({ loader: "js", contents: lateLoader(PDF_FILE) }));
  },
};

function lateLoader(file) {
  return [
    `const vm = require("node:vm");`,
    `let src;`,
    `try { const sea = require("node:sea"); if (sea.isSea()) src = Buffer.from(sea.getAsset(${JSON.stringify(file)})).toString("utf8"); } catch {}`,
    `if (src === undefined) src = require("node:fs").readFileSync(require("node:path").join(__dirname, ${JSON.stringify(file)}), "utf8");`,
    `const m = { exports: {} };`,
    `vm.runInThisContext("(function (exports, require, module, __filename, __dirname) {" + src + "\\n})", { filename: ${JSON.stringify(file)} })(m.exports, require, m, __filename, __dirname);`,
    `module.exports = m.exports;`,
  ].join("\n");
}

const noTopLevelAwait = {
  name: "no-top-level-await",
  setup(build) {
    const patch = (file, pairs) => {
      let text = fs.readFileSync(file, "utf8");
      for (const [from, to] of pairs) {
        if (!text.includes(from)) throw new Error(`${file}: "${from}" not found; see scripts/bundle.mjs (no-top-level-await)`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: "js" };
    };
    build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) =>
      patch(args.path, [
        ["await import('./devtools.js');", "void 0;"],
        ["? await loadPackageJson()", "? { name: undefined, version: undefined }"],
      ]),
    );
    build.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (args) =>
      patch(args.path, [
        [
          "const Yoga = wrapAssembly(await loadYoga());\nexport default Yoga;",
          "let Yoga;\nglobalThis.__kubescapeYogaReady = loadYoga().then((m) => { Yoga = wrapAssembly(m); });\nexport { Yoga as default };",
        ],
      ]),
    );
  },
};

async function tuiSource(root, minify) {
  const r = await esbuild.build({
    ...common,
    plugins: [noTopLevelAwait],
    external: ["typescript", "react-devtools-core"],
    entryPoints: [path.join(root, "dist", "tui", "render.js")],
    write: false,
    minify,
    define: { "import.meta.url": "__kubescape_tui_meta_url", "process.env.DEV": '"false"' },
    banner: { js: `var __kubescape_tui_meta_url=require("node:url").pathToFileURL(__filename).href;` },
  });
  return r.outputFiles[0].text;
}

/** What every piece of the bundle is built for: one CommonJS file for Node 20. */
const target = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "warning", legalComments: "none" };

async function clientNodeSource(minify) {
  const r = await esbuild.build({
    ...target,
    entryPoints: [createRequire(import.meta.url).resolve(CLIENT_NODE)],
    write: false,
    minify,
  });
  return r.outputFiles[0].text;
}

const common = {
  ...target,
  external: ["typescript"],
  plugins: [dropOclifNodeCheck, lateClientNode, lateTui, latePdf],
};

export async function bundle({ root = ROOT, out = path.join(root, "dist-bin"), minify = true, metafile = false } = {}) {
  const dist = path.join(root, "dist");
  if (!fs.existsSync(path.join(dist, "cli", "main.js"))) throw new Error("dist/cli/main.js is missing: run `npm run build` first");
  const { commandManifest } = await import(path.join(dist, "cli", "main.js"));
  const manifest = await commandManifest(root);
  const pjson = packageFacts(root);

  const worker = await esbuild.build({ ...common, entryPoints: [path.join(dist, "core", "engine", "worker.js")], write: false, minify });
  const workerSource = worker.outputFiles[0].text;
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, CLIENT_NODE_FILE), await clientNodeSource(minify));
  fs.writeFileSync(path.join(out, TUI_FILE), await tuiSource(root, minify));
  const pdf = await esbuild.build({ ...target, external: ["typescript"], entryPoints: [path.join(dist, "report", "pdf.js")], write: false, minify });
  fs.writeFileSync(path.join(out, PDF_FILE), pdf.outputFiles[0].text);

  // import.meta.url of the ESM sources: the bundle's own file (the executable, inside it)
  const metaUrl = "__kubescape_import_meta_url";
  const entry = [
    `import { main } from "./dist/cli/main.js";`,
    `import { packageRoot } from "./dist/core/data-files.js";`,
    `main(process.argv.slice(2), { root: packageRoot, pjson: ${JSON.stringify(pjson)}, manifest: ${JSON.stringify(manifest)} });`,
  ].join("\n");
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, BUNDLE_NAME);
  const result = await esbuild.build({
    ...common,
    stdin: { contents: entry, resolveDir: root, sourcefile: "bundle-entry.js", loader: "js" },
    outfile: file,
    minify,
    keepNames: true,
    metafile,
    banner: { js: `"use strict";var ${metaUrl}=require("node:url").pathToFileURL(__filename).href;` },
    define: { "import.meta.url": metaUrl, __KUBESCAPE_WORKER_SOURCE__: JSON.stringify(workerSource) },
  });
  if (metafile) fs.writeFileSync(path.join(out, "bundle-meta.json"), JSON.stringify(result.metafile));
  return { file, bytes: fs.statSync(file).size, workerBytes: workerSource.length, commands: Object.keys(manifest.commands) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string" }, "no-minify": { type: "boolean" }, metafile: { type: "boolean" } } });
  const r = await bundle({ out: values.out && path.resolve(values.out), minify: !values["no-minify"], metafile: values.metafile });
  console.log(`${path.relative(process.cwd(), r.file)}: ${(r.bytes / 1024).toFixed(0)} KiB (worker ${(r.workerBytes / 1024).toFixed(0)} KiB), commands: ${r.commands.join(", ")}`);
}
