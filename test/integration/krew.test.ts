// The kubectl plugin as users get it: the release archive and krew manifest of `npm run dist`
// installed by the real krew (built by scripts/install-tools.sh krew) into a temporary
// KREW_ROOT, then run through the real kubectl, then uninstalled. No network: krew installs
// from --manifest/--archive. Release files that are missing or older than dist/ are built
// first (the host platform only).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { repoRoot, runCli } from "../support/cli.js";
// @ts-expect-error plain JS generator
import { generate } from "../../bench/generate.mjs";
import { PARALLEL_MIN_OBJECTS } from "../../src/core/engine/runtime.js";
import { FORMATS } from "../../src/report/index.js";

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const release = path.join(repoRoot, "release");
const manifestFile = path.join(release, "krew-manifest.yaml");
const krewArch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch];
const archive = path.join(release, `kubectl-kubescape_v${pkg.version}_${process.platform}_${krewArch}.tar.gz`);
const fixture = path.join(repoRoot, "examples", "risky", "debug-pod.yaml");

let work: string;
let krewRoot: string;
let env: NodeJS.ProcessEnv;
/** True when dist/ (npm run build) has a file newer than `file`: the release files are out of date. */
function olderThanBuild(file: string): boolean {
  const built = fs.statSync(file).mtimeMs;
  const dist = path.join(repoRoot, "dist");
  return fs.readdirSync(dist, { recursive: true, withFileTypes: true }).some((e) => e.isFile() && fs.statSync(path.join(e.parentPath, e.name)).mtimeMs > built);
}
const run = (cmd: string, args: string[], opts: { cwd?: string } = {}) => {
  const r = spawnSync(cmd, args, { env, cwd: opts.cwd ?? work, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
};
const kubectl = (args: string[]) => run("kubectl", args);

beforeAll(() => {
  const bin = execFileSync("bash", [path.join(repoRoot, "scripts", "install-tools.sh"), "krew", "helm"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  if (!fs.existsSync(manifestFile) || !fs.existsSync(archive) || olderThanBuild(manifestFile)) {
    execFileSync(process.execPath, [path.join(repoRoot, "scripts", "dist.mjs"), "--targets", `${process.platform}-${process.arch}`], { cwd: repoRoot, stdio: "inherit" });
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ks-krew-"));
  krewRoot = path.join(work, "krew");
  // krew's list/uninstall want a local index that is a git checkout; install --manifest does not
  fs.mkdirSync(path.join(krewRoot, "index", "default", ".git"), { recursive: true });
  env = {
    ...process.env,
    KREW_ROOT: krewRoot,
    KREW_NO_UPGRADE_CHECK: "1",
    // vitest sets NODE_ENV=test, which makes oclif warn about development matters; users have none
    NODE_ENV: undefined,
    KUBECONFIG: path.join(work, "no-kubeconfig"),
    NO_COLOR: "1",
    PATH: [path.join(krewRoot, "bin"), bin, process.env.PATH].join(path.delimiter),
  };
}, 600_000);
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("release archive and krew manifest", () => {
  it("the manifest is a krew v1alpha2 Plugin for this version, whose sha256 is the archive's", () => {
    const m = YAML.parse(fs.readFileSync(manifestFile, "utf8"));
    expect(m.apiVersion).toBe("krew.googlecontainertools.github.com/v1alpha2");
    expect(m.kind).toBe("Plugin");
    expect(m.metadata.name).toBe("kubescape");
    expect(m.spec.version).toBe(`v${pkg.version}`);
    expect(m.spec.shortDescription.length).toBeGreaterThan(10);
    expect(m.spec.shortDescription).not.toContain("\n");
    expect(m.spec.description.length).toBeGreaterThan(m.spec.shortDescription.length);
    expect(m.spec.homepage).toMatch(/^https:\/\//);
    const platform = m.spec.platforms.find((p: any) => p.selector.matchLabels.os === process.platform && p.selector.matchLabels.arch === krewArch);
    expect(platform, "a platform entry for this machine").toBeDefined();
    expect(platform.bin).toBe("kubectl-kubescape");
    expect(platform.uri.endsWith(path.basename(archive))).toBe(true);
    const sha = crypto.createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
    expect(platform.sha256).toBe(sha);
  });

  it("the archive holds the executable and LICENSE as regular files, no symlinks", () => {
    const list = run("tar", ["-tvzf", archive]);
    expect(list.code, list.stderr).toBe(0);
    const entries = list.stdout
      .trim()
      .split("\n")
      .map((l) => ({ type: l[0], mode: l.slice(0, 10), name: l.split(/\s+/).pop() }));
    expect(entries.map((e) => e.name).sort()).toEqual(["LICENSE", "kubectl-kubescape"]);
    expect(entries.every((e) => e.type === "-")).toBe(true);
    expect(entries.find((e) => e.name === "kubectl-kubescape")!.mode).toBe("-rwxr-xr-x");
  });
});

describe("kubectl krew install, kubectl kubescape, kubectl krew uninstall", () => {
  it("krew installs the plugin from the manifest and archive, offline", () => {
    const r = kubectl(["krew", "install", `--manifest=${manifestFile}`, `--archive=${archive}`]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Installed plugin: kubescape/);
    const link = path.join(krewRoot, "bin", "kubectl-kubescape");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link).startsWith(fs.realpathSync(path.join(krewRoot, "store", "kubescape")))).toBe(true);
    const list = kubectl(["krew", "list"]);
    expect(list.code, list.stderr).toBe(0);
    // installed from a manifest file, not from an index: krew lists it as detached
    expect(list.stdout).toMatch(/^detached\/kubescape$/m);
  });

  it("kubectl kubescape version runs the installed executable", () => {
    const r = kubectl(["kubescape", "version"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`kubescape-ts v${pkg.version}`);
    expect(r.stderr).toBe("");
  });

  it("kubectl kubescape scan reports a fixture's findings at their line and column", () => {
    const r = kubectl(["kubescape", "scan", fixture, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.generator.version).toBe(pkg.version);
    const pod = report.resources.find((x: any) => x.kind === "Pod" && x.name === "debug-shell");
    const hostPort = pod.findings.find((f: any) => f.controlID === "C-0044").paths.find((p: any) => p.type === "failed");
    const lines = fs.readFileSync(fixture, "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes("hostPort:"));
    expect(hostPort.path).toBe("spec.containers[0].ports[0].hostPort");
    expect([hostPort.line, hostPort.column]).toEqual([line + 1, lines[line].indexOf("hostPort") + 1]);
    // the control's text comes from the executable's embedded docs
    const explain = kubectl(["kubescape", "explain", "C-0044"]);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/^C-0044 /);
    expect(explain.stdout).toContain("How to fix");
  });

  it("renders every report format, each from the module bundled into the executable", () => {
    const formats = FORMATS.join(",");
    // from the same directory: SARIF's and others' file URIs are relative to it
    const plugin = run("kubectl", ["kubescape", "scan", fixture, "--format", formats, "--output", path.join(work, "plugin-reports", "report")], { cwd: repoRoot });
    expect(plugin.code, plugin.stderr).toBe(0);
    const node = runCli(["scan", fixture, "--format", formats, "--output", path.join(work, "node-reports", "report")]);
    expect(node.code, node.stderr).toBe(0);
    const files = fs.readdirSync(path.join(work, "node-reports")).sort();
    expect(files.length).toBe(FORMATS.length);
    expect(fs.readdirSync(path.join(work, "plugin-reports")).sort()).toEqual(files);
    for (const f of files) expect(fs.statSync(path.join(work, "plugin-reports", f)).size, f).toBeGreaterThan(100);
    const sarif = (dir: string) => JSON.parse(fs.readFileSync(path.join(work, dir, "report.sarif"), "utf8")).runs[0].results;
    expect(sarif("plugin-reports")).toEqual(sarif("node-reports"));
  });

  it("operator install --dry-run renders the operator's chart embedded in the executable, with helm and without, as node bin/run.js does", () => {
    for (const renderer of ["builtin", "helm"]) {
      const plugin = kubectl(["kubescape", "operator", "install", "--dry-run", "--renderer", renderer]);
      expect(plugin.code, plugin.stderr).toBe(0);
      const node = runCli(["operator", "install", "--dry-run", "--renderer", renderer], { env: { PATH: env.PATH! } });
      expect(node.code, node.stderr).toBe(0);
      expect(plugin.stdout, renderer).toBe(node.stdout);
      const kinds = YAML.parseAllDocuments(plugin.stdout).map((d) => d.toJS()?.kind);
      expect(kinds, renderer).toEqual(expect.arrayContaining(["CustomResourceDefinition", "ClusterRole", "Deployment"]));
    }
    // helm's copy of the chart is gone once rendered
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("kubescape-chart-"))).toEqual([]);
  });

  it("a scan large enough for the worker threads gives what node bin/run.js gives", async () => {
    const dir = path.join(work, "many");
    const objects = await generate(dir, PARALLEL_MIN_OBJECTS + 500);
    expect(objects).toBeGreaterThan(PARALLEL_MIN_OBJECTS);
    const viaPlugin = kubectl(["kubescape", "scan", dir, "--format", "json", "--output", path.join(work, "plugin.json")]);
    expect(viaPlugin.code, viaPlugin.stderr).toBe(0);
    const viaNode = runCli(["scan", dir, "--format", "json", "--output", path.join(work, "node.json")]);
    expect(viaNode.code, viaNode.stderr).toBe(0);
    const a = JSON.parse(fs.readFileSync(path.join(work, "plugin.json"), "utf8"));
    const b = JSON.parse(fs.readFileSync(path.join(work, "node.json"), "utf8"));
    // a worker that could not start would show here (its work then done on the main thread)
    expect(a.warnings).toEqual([]);
    expect(a.summary.resources.total).toBeGreaterThan(PARALLEL_MIN_OBJECTS);
    expect(a.summary.resources.failed).toBeGreaterThan(0);
    expect({ summary: a.summary, controls: a.controls, resources: a.resources }).toEqual({ summary: b.summary, controls: b.controls, resources: b.resources });
  });

  it("krew uninstalls it, and kubectl no longer finds it", () => {
    const r = kubectl(["krew", "uninstall", "kubescape"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(fs.existsSync(path.join(krewRoot, "bin", "kubectl-kubescape"))).toBe(false);
    expect(fs.existsSync(path.join(krewRoot, "store", "kubescape"))).toBe(false);
    const gone = kubectl(["kubescape", "version"]);
    expect(gone.code).not.toBe(0);
  });
});
