// The Helm plugin as users get it: the real helm (built by scripts/install-tools.sh helm)
// installs plugins/helm into temporary HELM_* directories, runs `helm kubescape` on the
// fixture charts (which runs the real `helm template`), then uninstalls it. PATH holds only
// node: the plugin must find helm through the HELM_BIN that Helm sets for it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const charts = path.join("test", "fixtures", "charts");
const web = path.join(charts, "web");
const broken = path.join(charts, "broken");
const PRIVILEGED = "spec.template.spec.containers[0].securityContext.privileged";
// what Helm itself adds on stderr whenever a plugin exits non-zero
const HELM_PLUGIN_ERROR = 'Error: plugin "kubescape" exited with error';

let work: string;
let helmBin: string;
let env: NodeJS.ProcessEnv;

const run = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, { env, cwd: repoRoot, input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const helm = (args: string[], input?: string) => run(helmBin, args, input);
/** `kubescape helm …` without Helm around it (node bin/run.js) */
const cli = (args: string[]) => run(process.execPath, [path.join(repoRoot, "bin", "run.js"), "helm", ...args]);
const stderrLines = (s: string) => s.split("\n").filter((l) => l && l !== HELM_PLUGIN_ERROR);

function deployment(report: any) {
  return report.resources.find((r: any) => r.kind === "Deployment");
}
function c0057(report: any) {
  return deployment(report)?.findings.find((f: any) => f.controlID === "C-0057");
}

beforeAll(() => {
  const bin = execFileSync("bash", [path.join(repoRoot, "scripts", "install-tools.sh"), "helm"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  helmBin = path.join(bin, "helm");
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ks-helm-"));
  const nodeDir = path.join(work, "node-bin");
  fs.mkdirSync(nodeDir);
  fs.symlinkSync(process.execPath, path.join(nodeDir, "node"));
  env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HELM_")));
  Object.assign(env, {
    HELM_PLUGINS: path.join(work, "plugins"),
    HELM_CONFIG_HOME: path.join(work, "config"),
    HELM_CACHE_HOME: path.join(work, "cache"),
    HELM_DATA_HOME: path.join(work, "data"),
    KUBECONFIG: path.join(work, "no-kubeconfig"),
    NO_COLOR: "1",
    PATH: nodeDir,
  });
  // vitest sets NODE_ENV=test, which makes oclif warn about development matters; users have none
  delete env.NODE_ENV;
}, 900_000);
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("helm plugin install, helm kubescape, helm plugin uninstall", () => {
  it("helm plugin install links plugins/helm, and helm plugin list shows kubescape at package.json's version", () => {
    const r = helm(["plugin", "install", path.join(repoRoot, "plugins", "helm")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Installed plugin: kubescape/);
    const link = path.join(env.HELM_PLUGINS!, "helm");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(path.join(repoRoot, "plugins", "helm")));
    const list = helm(["plugin", "list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^kubescape\\s+${pkg.version.replace(/\./g, "\\.")}\\s+\\S`, "m"));
  });

  it("without the toggle: C-0057 passes, no high-severity control fails, exit 0", () => {
    const r = helm(["kubescape", web, "--format", "json", "--severity-threshold", "high"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.target.paths).toEqual([`<helm template ${web}>`]);
    expect(report.controls.find((c: any) => c.id === "C-0057")).toMatchObject({ status: "passed", resources: { passed: 1, failed: 0 } });
    expect(report.summary.failedBySeverity.High).toBe(0);
    const d = deployment(report);
    expect(d).toMatchObject({ resourceID: "apps/v1/default/Deployment/release-name-web", source: { file: `<helm template ${web}>` } });
    expect(c0057(report)).toBeUndefined();
    expect(r.stderr.trim().split("\n").at(-1)).toBe("PASS: no failed control at or above High");
  });

  it("--set securityContext.privileged=true: C-0057 fails at the field's line in the rendered stream, exit 1", () => {
    const r = helm(["kubescape", web, "--set", "securityContext.privileged=true", "--format", "json", "--severity-threshold", "high"]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.controls.find((c: any) => c.id === "C-0057")).toMatchObject({ status: "failed", severity: "High", resources: { failed: 1 } });
    // C-0211 (security context) also fails on a privileged container
    expect(report.summary.failedBySeverity.High).toBe(2);
    const failed = c0057(report).paths.find((p: any) => p.type === "failed");
    expect(failed.path).toBe(PRIVILEGED);
    // the position is in what helm template renders for the same values
    const rendered = helm(["template", web, "--set", "securityContext.privileged=true"]);
    expect(rendered.code, rendered.stderr).toBe(0);
    const lines = rendered.stdout.split("\n");
    const at = lines.findIndex((l) => /^\s+privileged: true$/.test(l));
    expect(at).toBeGreaterThan(0);
    expect([failed.line, failed.column]).toEqual([at + 1, lines[at].indexOf("privileged") + 1]);
    expect(stderrLines(r.stderr).at(-1)).toBe("FAIL: 2 failed controls at or above High (--severity-threshold high): C-0057, C-0211");
    // the rendered stream is not a file: SARIF points at the template line that writes the field
    const sarif = JSON.parse(helm(["kubescape", web, "--set", "securityContext.privileged=true", "--format", "sarif"]).stdout);
    const result = sarif.runs[0].results.find((x: any) => x.ruleId === "C-0057");
    const tpl = fs.readFileSync(path.join(web, "templates", "deployment.yaml"), "utf8").split("\n");
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/templates\/deployment\.yaml$/);
    expect(result.locations[0].physicalLocation.region.startLine).toBe(tpl.findIndex((l) => l.includes("privileged:")) + 1);
    expect(result.locations[0].logicalLocations[0].fullyQualifiedName).toBe("apps/v1/default/Deployment/release-name-web");
  });

  it("-f values files and --set reach helm template in order; -f - reads values from stdin through Helm", () => {
    const values = path.join(work, "privileged.yaml");
    fs.writeFileSync(values, "securityContext:\n  privileged: true\n");
    const fromFile = helm(["kubescape", web, "-f", values, "--format", "json"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(c0057(JSON.parse(fromFile.stdout))).toBeDefined();
    // --set wins over -f, as in helm
    const overridden = helm(["kubescape", web, "-f", values, "--set", "securityContext.privileged=false", "--format", "json"]);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(c0057(JSON.parse(overridden.stdout))).toBeUndefined();
    const fromStdin = helm(["kubescape", web, "-f", "-", "--format", "json"], "securityContext:\n  privileged: true\n");
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(c0057(JSON.parse(fromStdin.stdout))).toBeDefined();
  });

  it("Helm's own -n and our --release name the rendered objects", () => {
    const r = helm(["kubescape", web, "-n", "payments", "--release", "shop", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(deployment(report).resourceID).toBe("apps/v1/payments/Deployment/shop-web");
    // out of the default namespace, the Service fails no control (C-0212 flagged it there)
    expect(report.resources.map((x: any) => x.resourceID)).toEqual(["apps/v1/payments/Deployment/shop-web"]);
    expect(report.controls.find((c: any) => c.id === "C-0212")).toMatchObject({ status: "passed", resources: { passed: 2 } });
  });

  it("a chart that does not render: exit 2 and one line with helm's reason", () => {
    const r = helm(["kubescape", broken, "--format", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = stderrLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: helm template failed: parse error at \(broken\/templates\/configmap\.yaml:4\): function "nosuchfunction" not defined$/);
  });

  it("rendered output over --max-file-size stops helm: exit 2, one line", () => {
    const big = path.join(work, "big.yaml");
    fs.writeFileSync(big, `podAnnotations:\n  filler: "${"x".repeat(1200 * 1024)}"\n`);
    const r = helm(["kubescape", web, "-f", big, "--max-file-size", "1"]);
    expect(r.code).toBe(2);
    expect(stderrLines(r.stderr)).toEqual(["error: helm template output is larger than 1 MB (see --max-file-size)"]);
    // the same values scan when the limit allows them
    const ok = helm(["kubescape", web, "-f", big, "--max-file-size", "3", "--format", "json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(deployment(JSON.parse(ok.stdout))).toBeDefined();
  });

  it("kubescape helm with no helm on PATH and no HELM_BIN: one line, exit 2", () => {
    const r = cli([web]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: helm not found (set HELM_BIN or put helm on PATH)\n");
  });

  it("helm plugin uninstall kubescape removes it", () => {
    const r = helm(["plugin", "uninstall", "kubescape"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Uninstalled plugin: kubescape/);
    expect(fs.existsSync(path.join(env.HELM_PLUGINS!, "helm"))).toBe(false);
    expect(helm(["plugin", "list"]).stdout).not.toMatch(/^kubescape\s/m);
    expect(helm(["kubescape", web]).code).not.toBe(0);
  });
});
