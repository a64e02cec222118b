// `kubescape helm release NAME`: the real helm installs a chart written here into the real
// test API server (no controllers: helm install without --wait), and the scan of its stored
// manifest names the release's template lines (from the `# Source:` markers and the templates
// helm keeps in the release) and the values the user installed it with (helm get values).
import fs from "node:fs";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/cli.js";
import { startCluster, type TestCluster } from "./support.js";

let c: TestCluster;
let env: Record<string, string>;
let chart: string;
let helmBin: string;

const write = (rel: string, text: string) => {
  const f = path.join(chart, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
};
const helm = (args: string[]) => spawnSync(helmBin, args, { env: { ...process.env, ...env }, encoding: "utf8" });

beforeAll(() => {
  const bin = execFileSync("bash", [path.join(repoRoot, "scripts", "install-tools.sh"), "helm"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  helmBin = path.join(bin, "helm");
  c = startCluster("helm-release");
  const home = path.join(c.dir, "helm-home");
  env = {
    HELM_BIN: helmBin,
    KUBECONFIG: c.kubeconfig,
    HELM_CONFIG_HOME: path.join(home, "config"),
    HELM_CACHE_HOME: path.join(home, "cache"),
    HELM_DATA_HOME: path.join(home, "data"),
    NO_COLOR: "1",
  };
  chart = path.join(c.dir, "web");
  write("Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n");
  write("values.yaml", "securityContext:\n  privileged: false\nimage: nginx:1.27\n");
  write("templates/_helpers.tpl", '{{- define "web.securityContext" -}}\nprivileged: {{ .Values.securityContext.privileged }}\n{{- end }}\n');
  write(
    "templates/pod.yaml",
    [
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: {{ .Release.Name }}-pod",
      "spec:",
      "  hostNetwork: {{ .Values.hostNetwork | default false }}",
      "  containers:",
      "    - name: main",
      "      image: {{ .Values.image }}",
      "      securityContext:",
      '        {{- include "web.securityContext" . | nindent 8 }}',
      "",
    ].join("\n"),
  );
  expect(c.kubectl(["create", "namespace", "shop"]).code).toBe(0);
  const values = path.join(c.dir, "prod.yaml");
  fs.writeFileSync(values, "image: nginx:1.27\nsecurityContext:\n  privileged: true\n");
  const r = helm(["install", "web1", chart, "-n", "shop", "-f", values]);
  expect(r.status, r.stderr).toBe(0);
}, 600_000);
afterAll(() => c?.stop());

type Path = { path: string; template?: { file: string; line: number }; values?: { file: string; line?: number; key: string }; origin?: string };

describe("helm release", () => {
  it("scans the installed release's manifest, its findings in the release's templates and values", () => {
    const r = runCli(["helm", "release", "web1", "-n", "shop", "--format", "json", "--severity-threshold", "high"], { env });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.resources.map((x: { kind: string; name: string }) => `${x.kind}/${x.name}`)).toEqual(["Pod/web1-pod"]);
    const pod = report.resources[0];
    expect(pod.source.file).toBe("<helm release web1>");
    const priv = pod.findings.find((f: { controlID: string }) => f.controlID === "C-0057").paths.find((p: Path) => p.path.endsWith("privileged")) as Path;
    // the field is written inside the named template the Pod includes
    expect(priv.template).toEqual({ file: "<helm release web1>:web/templates/_helpers.tpl", line: 2 });
    // the value came from the user's values at install time: line 3 of what helm get values prints
    const userValues = helm(["get", "values", "web1", "-n", "shop", "-o", "yaml"]).stdout.split("\n");
    expect(priv.values).toEqual({ file: "<helm get values web1>", line: userValues.indexOf("  privileged: true") + 1, key: "securityContext.privileged" });
    expect(priv.values!.line).toBeGreaterThan(0);
    // a field written in the Pod's own template
    const img = pod.findings.find((f: { controlID: string }) => f.controlID === "C-0078").paths.find((p: Path) => p.path === "spec.containers[0].image") as Path;
    expect(img.template).toEqual({ file: "<helm release web1>:web/templates/pod.yaml", line: 9 });
    expect(img.values).toMatchObject({ file: "<helm get values web1>", line: 1, key: "image" });
  });

  it("the pretty report names the template line; a missing release is one line, exit 2", () => {
    // wide enough that a field's line (position, path, fix, chart origin) stays on one line
    const r = runCli(["helm", "release", "web1", "-n", "shop"], { env: { ...env, COLUMNS: "400" } });
    expect(r.stdout).toContain("← <helm release web1>:web/templates/_helpers.tpl:2, <helm get values web1>:");
    const missing = runCli(["helm", "release", "nope", "-n", "shop"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/release: not found/);
  });
});
