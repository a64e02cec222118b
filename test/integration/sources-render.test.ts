// Directory scans that understand what they meet, with the real helm (scripts/install-tools.sh
// helm) and the real `kubectl kustomize`: a chart is rendered and its findings are mapped to
// template lines and values keys; an overlay is built once (its base, patches and components
// are not loose manifests); non-Kubernetes files are ignored with a reason; --exclude and
// .kubescapeignore leave paths out.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/cli.js";

let dir: string;
let env: Record<string, string>;

const write = (rel: string, text: string) => {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
};
/** the 1-based line of the first line of a file containing `needle` */
const lineOf = (rel: string, needle: string) =>
  fs
    .readFileSync(path.join(dir, rel), "utf8")
    .split("\n")
    .findIndex((l) => l.includes(needle)) + 1;

beforeAll(() => {
  const bin = execFileSync("bash", [path.join(repoRoot, "scripts", "install-tools.sh"), "helm"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  // wide enough that each field's line (position, path, fix, chart origin) stays on one line
  env = { HELM_BIN: path.join(bin, "helm"), COLUMNS: "400" };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-render-"));
  // a chart: nested values, range, a named template with include, toYaml blocks, a subchart
  write("app/Chart.yaml", 'apiVersion: v2\nname: app\nversion: 0.1.0\nkubeVersion: ">=1.30.0-0"\n');
  write(
    "app/values.yaml",
    [
      "image:",
      "  repository: nginx",
      "  tag: '1.27'",
      "pod:",
      "  security:",
      "    privileged: true",
      "extraContainers:",
      "  - name: side",
      "    image: busybox",
      "containerSecurity:",
      "  allowPrivilegeEscalation: true",
      "db:",
      "  hostNetwork: true",
      "",
    ].join("\n"),
  );
  write("app/templates/_helpers.tpl", ['{{- define "app.labels" -}}', "app.kubernetes.io/name: {{ .Chart.Name }}", "tier: {{ .Values.image.repository }}", "{{- end }}", ""].join("\n"));
  write(
    "app/templates/deployment.yaml",
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: {{ .Release.Name }}-app",
      "  labels:",
      '    {{- include "app.labels" . | nindent 4 }}',
      "spec:",
      "  selector:",
      "    matchLabels: {app: x}",
      "  template:",
      "    metadata:",
      "      labels: {app: x}",
      "    spec:",
      "      containers:",
      "        - name: main",
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      "          securityContext:",
      "            privileged: {{ .Values.pod.security.privileged }}",
      "            {{- with .Values.containerSecurity }}",
      "            {{- toYaml . | nindent 12 }}",
      "            {{- end }}",
      "        {{- range .Values.extraContainers }}",
      "        - name: {{ .name }}",
      "          image: {{ .image }}",
      "        {{- end }}",
      "",
    ].join("\n"),
  );
  write("app/charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 0.1.0\n");
  write("app/charts/db/values.yaml", "hostNetwork: false\n");
  write(
    "app/charts/db/templates/pod.yaml",
    ["apiVersion: v1", "kind: Pod", "metadata:", "  name: db", "spec:", "  hostNetwork: {{ .Values.hostNetwork }}", "  containers:", "    - name: db", "      image: postgres:16", ""].join("\n"),
  );
  // a chart that refuses to render
  write("failing/Chart.yaml", "apiVersion: v2\nname: failing\nversion: 0.1.0\n");
  write("failing/templates/x.yaml", '{{ fail "set .Values.password" }}\n');
  // an overlay with a patch and a component over a base
  write("kustomize/base/kustomization.yaml", "resources: [deploy.yaml]\n");
  write(
    "kustomize/base/deploy.yaml",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: 'api:1'}]\n",
  );
  write("kustomize/components/hostpid/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: pid.yaml\n");
  write("kustomize/components/hostpid/pid.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      hostPID: true\n");
  write(
    "kustomize/overlays/prod/kustomization.yaml",
    "resources: [../../base]\ncomponents: [../../components/hostpid]\nnamePrefix: prod-\npatches:\n  - path: delete-nothing.yaml\n  - path: priv.yaml\n",
  );
  write(
    "kustomize/overlays/prod/priv.yaml",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          securityContext:\n            privileged: true\n",
  );
  write("kustomize/overlays/prod/delete-nothing.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 3\n");
  // loose manifests, one with a merge key that hides privileged: true
  write(
    "loose/pod.yaml",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: merged}\nspec:\n  containers:\n    - &base {name: a, image: 'x:1', securityContext: {privileged: true}}\n    - <<: *base\n      name: merged\n",
  );
  // not Kubernetes objects
  write("ansible/playbook.yml", "- hosts: all\n  tasks:\n    - name: ping\n      ping: {}\n");
  write("mkdocs.yml", "site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n");
  write("tsconfig.json", '{\n  // comments are not JSON\n  "compilerOptions": {}\n}\n');
  write("empty.json", "");
  write("skipme/bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n");
  write("vendor/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: vendored}\nspec: {containers: [{name: v, image: v}]}\n");
  write(".kubescapeignore", "# paths this repository keeps out of scans\nvendor/\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Report = {
  resources: {
    kind: string;
    name: string;
    source: { file: string };
    findings: { controlID: string; paths: { type: string; path: string; template?: { file: string; line: number }; values?: { file: string; line?: number; key: string }; origin?: string }[] }[];
  }[];
  skippedFiles: { file: string; reason: string }[];
  ignored?: { file: string; reason: string }[];
  summary: { resources: { total: number } };
};
const scan = (args: string[]) => {
  const r = runCli(["scan", ...args, "--format", "json"], { env });
  return { ...r, report: JSON.parse(r.stdout) as Report };
};
const finding = (rep: Report, kind: string, name: string, control: string) => rep.resources.find((r) => r.kind === kind && r.name === name)?.findings.find((f) => f.controlID === control);

describe("a folder holding a chart, an overlay and loose manifests", () => {
  it("renders each once, ignores non-Kubernetes files with a reason, and only the failing chart and the broken manifest are errors", () => {
    const { code, report, stderr } = scan([dir, "--exclude", "skipme/**", "-v"]);
    const names = report.resources.map((r) => `${r.kind}/${r.name}`).sort();
    // every object once: the overlay's Deployment (not the base's, not the patch files), the chart's two, the loose Pod
    const all = runCli(["scan", dir, "--exclude", "skipme", "--format", "json", "--severity-threshold", "critical"], { env });
    expect(JSON.parse(all.stdout).summary.resources.total).toBe(4);
    expect(names.filter((n) => n.startsWith("Deployment/"))).toEqual(["Deployment/prod-api", "Deployment/release-name-app"]);
    expect(names).not.toContain("Pod/vendored");
    // the failing chart is the only input error (its fail message), so the scan exits 2
    expect(report.skippedFiles.map((s) => [path.relative(dir, s.file), s.reason])).toEqual([["failing", expect.stringMatching(/set \.Values\.password/)]]);
    expect(code).toBe(2);
    const ignored = Object.fromEntries((report.ignored ?? []).map((i) => [path.relative(dir, i.file), i.reason]));
    expect(ignored["ansible/playbook.yml"]).toBe("document 1 is a list, not a Kubernetes object");
    expect(ignored["mkdocs.yml"]).toBe("document 1 has no apiVersion, not a Kubernetes object");
    expect(ignored["tsconfig.json"]).toMatch(/^not a Kubernetes object \(invalid JSON at line 2/);
    expect(ignored["empty.json"]).toBe("empty file");
    expect(stderr).toContain(`ignored ${path.join(dir, "empty.json")}: empty file\n`);
    // the merge key's privileged: true is scanned as the API server sees it
    expect(finding(report, "Pod", "merged", "C-0057")!.paths.map((p) => p.path)).toContain("spec.containers[1].securityContext.privileged");
    // the component's hostPID reached the built overlay
    expect(finding(report, "Deployment", "prod-api", "C-0038")).toBeDefined();
  });

  it("without the failing chart the scan exits 0 or 1, and --no-render reads the files raw", () => {
    fs.writeFileSync(path.join(dir, ".kubescapeignore"), "vendor/\nfailing/\nskipme\n");
    const r = scan([dir]);
    expect([0, 1]).toContain(r.code);
    expect(r.report.skippedFiles).toEqual([]);
    const raw = scan([dir, "--no-render"]);
    expect(raw.code).toBe(2); // templates read as YAML fail, as before
    expect(raw.report.resources.map((x) => x.name)).toContain("api"); // the base, loose
  });
});

describe("chart findings name the template line and the values key", () => {
  it("scalar values, toYaml blocks under with, include, range, subcharts", () => {
    const { report } = scan([path.join(dir, "app")]);
    const dep = "app/templates/deployment.yaml";
    const priv = finding(report, "Deployment", "release-name-app", "C-0057")!.paths.find((p) => p.path.endsWith("privileged"))!;
    expect(priv.template).toEqual({ file: path.join(dir, dep), line: lineOf(dep, "privileged:") });
    expect(priv.values).toEqual({ file: path.join(dir, "app/values.yaml"), line: lineOf("app/values.yaml", "privileged"), key: "pod.security.privileged" });
    // allowPrivilegeEscalation comes from `with .Values.containerSecurity` + toYaml .
    const ape = finding(report, "Deployment", "release-name-app", "C-0016")!.paths.find((p) => p.path === "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation")!;
    expect(ape.template?.line).toBe(lineOf(dep, "toYaml ."));
    expect(ape.values).toMatchObject({ key: "containerSecurity.allowPrivilegeEscalation", line: lineOf("app/values.yaml", "allowPrivilegeEscalation") });
    // the image of the item written in range: the template line, values read through .image are not claimed
    const img = finding(report, "Deployment", "release-name-app", "C-0078")!.paths.find((p) => p.path === "spec.template.spec.containers[1].image")!;
    expect(img.template?.line).toBe(lineOf(dep, "image: {{ .image }}"));
    // two values make one field: said, not guessed
    const img0 = finding(report, "Deployment", "release-name-app", "C-0078")!.paths.find((p) => p.path === "spec.template.spec.containers[0].image")!;
    expect(img0.origin).toMatch(/ambiguous.*image\.repository, image\.tag/);
    expect(img0.values).toBeUndefined();
    // the subchart's hostNetwork is set in the parent's values under db
    const hn = finding(report, "Pod", "db", "C-0041")!.paths.find((p) => p.path === "spec.hostNetwork")!;
    expect(hn.template).toEqual({ file: path.join(dir, "app/charts/db/templates/pod.yaml"), line: 6 });
    expect(hn.values).toEqual({ file: path.join(dir, "app/values.yaml"), line: lineOf("app/values.yaml", "hostNetwork"), key: "db.hostNetwork" });
  });

  it("a field not in the template points at where to add it; a fix through values is a --set", () => {
    const r = runCli(["helm", path.join(dir, "app"), "--kube-version", "1.33.0"], { env });
    expect([0, 1]).toContain(r.code);
    const dep = path.join(dir, "app/templates/deployment.yaml");
    expect(r.stdout).toContain(
      `← ${dep}:${lineOf("app/templates/deployment.yaml", "privileged:")}, ${path.join(dir, "app/values.yaml")}:${lineOf("app/values.yaml", "privileged")} (pod.security.privileged)`,
    );
    expect(r.stdout).toContain("(or --set containerSecurity.allowPrivilegeEscalation=false)");
    // the values.yaml lines that make the same fix, under the field's line
    expect(r.stdout).toContain("(or --set containerSecurity.allowPrivilegeEscalation=false)  ← ");
    expect(r.stdout).toContain("\n             in values.yaml:\n               containerSecurity:\n                 allowPrivilegeEscalation: false\n");
    const json = JSON.parse(runCli(["helm", path.join(dir, "app"), "--format", "json"], { env }).stdout) as { resources: { findings: { paths: { path: string; valuesFix?: unknown }[] }[] }[] };
    const fixes = json.resources.flatMap((x) => x.findings.flatMap((f) => f.paths)).filter((p) => p.path.endsWith("allowPrivilegeEscalation") && p.valuesFix);
    expect(fixes[0].valuesFix).toEqual({ set: "--set containerSecurity.allowPrivilegeEscalation=false", snippet: "containerSecurity:\n  allowPrivilegeEscalation: false" });
    const sarif = runCli(["helm", path.join(dir, "app"), "--format", "sarif"], { env }).stdout;
    expect(sarif).toContain("(or --set containerSecurity.allowPrivilegeEscalation=false; in values.yaml:\\ncontainerSecurity:\\n  allowPrivilegeEscalation: false)");
    expect(r.stdout).toMatch(/not written in the template: add it under deployment\.yaml:\d+/);
    // --set wins over the values files, and is named as the origin
    const set = runCli(["helm", path.join(dir, "app"), "--set", "pod.security.privileged=true", "--format", "json"], { env });
    const rep = JSON.parse(set.stdout) as Report;
    expect(finding(rep, "Deployment", "release-name-app", "C-0057")!.paths.find((p) => p.path.endsWith("privileged"))!.values).toEqual({ file: "--set", key: "pod.security.privileged" });
  });

  it("the helm built by install-tools reports its version and Kubernetes 1.36; --kube-version below the chart's constraint fails", () => {
    expect(execFileSync(env.HELM_BIN, ["version", "--short"], { encoding: "utf8" })).toMatch(/^v3\.21\.4/);
    const caps = execFileSync(env.HELM_BIN, ["template", path.join(dir, "app"), "--show-only", "templates/deployment.yaml"], { encoding: "utf8" });
    expect(caps).toContain("kind: Deployment");
    const old = runCli(["scan", "chart", path.join(dir, "app"), "--kube-version", "1.20.0"], { env });
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/kubeVersion/);
    // other helm template flags after --
    const only = runCli(["scan", "chart", path.join(dir, "app"), "--format", "json", "--", "--show-only", "charts/db/templates/pod.yaml"], { env });
    expect((JSON.parse(only.stdout) as Report).resources.map((x) => x.name)).toEqual(["db"]);
  });
});

describe("kustomize findings name the base or patch file", () => {
  it("a strategic-merge patch's field: the patch file:line; a component's: its patch; the base's: the base file:line; origin annotations are not scanned", () => {
    const { report } = scan([path.join(dir, "kustomize/overlays/prod")]);
    expect(report.resources.map((r) => `${r.kind}/${r.name}`)).toEqual(["Deployment/prod-api"]);
    const priv = finding(report, "Deployment", "prod-api", "C-0057")!.paths.find((p) => p.path === "spec.template.spec.containers[0].securityContext.privileged")!;
    expect(priv.template).toEqual({ file: path.join(dir, "kustomize/overlays/prod/priv.yaml"), line: 11 });
    const pid = finding(report, "Deployment", "prod-api", "C-0038")!.paths.find((p) => p.path === "spec.template.spec.hostPID")!;
    expect(pid.template).toEqual({ file: path.join(dir, "kustomize/components/hostpid/pid.yaml"), line: 7 });
    // the image is written only in the base (line 9: containers: [{name: api, image: 'api:1'}])
    const img = finding(report, "Deployment", "prod-api", "C-0078")!.paths.find((p) => p.path === "spec.template.spec.containers[0].image")!;
    expect(img.template).toEqual({ file: path.join(dir, "kustomize/base/deploy.yaml"), line: 9 });
    // kustomize's origin annotations were taken out: no rule about annotations sees them, the stream has none
    expect(JSON.stringify(report)).not.toContain("config.kubernetes.io");
    const pretty = runCli(["scan", path.join(dir, "kustomize/overlays/prod")], { env });
    expect(pretty.stdout).toContain(`securityContext.privileged  fix: remove  ← ${path.join(dir, "kustomize/overlays/prod/priv.yaml")}:11`);
  });
});

describe("named templates and packaged charts", () => {
  let cdir: string;
  const wr = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(cdir, rel)), { recursive: true });
    fs.writeFileSync(path.join(cdir, rel), text);
  };
  const cline = (rel: string, needle: string) =>
    fs
      .readFileSync(path.join(cdir, rel), "utf8")
      .split("\n")
      .findIndex((l) => l.includes(needle)) + 1;
  beforeAll(() => {
    cdir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-named-"));
    wr("named/Chart.yaml", "apiVersion: v2\nname: named\nversion: 0.2.0\n");
    wr("named/values.yaml", "image: nginx:1.27\nsecurity:\n  escalate: false\n  privileged: true\n");
    wr(
      "named/templates/_helpers.tpl",
      [
        "{{/* the container securityContext, shared */}}",
        '{{- define "named.securityContext" -}}',
        "allowPrivilegeEscalation: {{ .Values.security.escalate }}",
        "privileged: {{ .Values.security.privileged }}",
        "{{- end }}",
        "",
      ].join("\n"),
    );
    wr(
      "named/templates/pod.yaml",
      [
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        "  name: named",
        "spec:",
        "  containers:",
        "    - name: main",
        "      image: {{ .Values.image }}",
        "      securityContext:",
        '        {{- include "named.securityContext" . | nindent 8 }}',
        "",
      ].join("\n"),
    );
    execFileSync(env.HELM_BIN, ["package", path.join(cdir, "named"), "--destination", cdir], { encoding: "utf8" });
  });
  afterAll(() => fs.rmSync(cdir, { recursive: true, force: true }));
  const privileged = (rep: Report) => finding(rep, "Pod", "named", "C-0057")!.paths.find((p) => p.path === "spec.containers[0].securityContext.privileged")!;

  it("a field written inside a define used by include: the define's line and the values key", () => {
    const { report } = scan([path.join(cdir, "named")]);
    const priv = privileged(report);
    expect(priv.template).toEqual({ file: path.join(cdir, "named/templates/_helpers.tpl"), line: cline("named/templates/_helpers.tpl", "privileged:") });
    expect(priv.template!.line).toBe(4);
    expect(priv.values).toEqual({ file: path.join(cdir, "named/values.yaml"), line: 4, key: "security.privileged" });
  });

  it("a packaged chart (helm package): findings name ARCHIVE:chart/templates/… lines, read from the archive", () => {
    const tgz = path.join(cdir, "named-0.2.0.tgz");
    // the folder is gone: what is mapped can only come from inside the archive
    fs.renameSync(path.join(cdir, "named"), path.join(cdir, "named-src"));
    try {
      const r = runCli(["scan", "chart", tgz, "--format", "json"], { env });
      expect([0, 1]).toContain(r.code);
      const priv = privileged(JSON.parse(r.stdout) as Report);
      expect(priv.template).toEqual({ file: `${tgz}:named/templates/_helpers.tpl`, line: 4 });
      expect(priv.values).toEqual({ file: `${tgz}:named/values.yaml`, line: 4, key: "security.privileged" });
      const img = finding(JSON.parse(r.stdout) as Report, "Pod", "named", "C-0078")!.paths.find((p) => p.path === "spec.containers[0].image")!;
      expect(img.template).toEqual({ file: `${tgz}:named/templates/pod.yaml`, line: 8 });
      // the pretty report, through the helm command
      const pretty = runCli(["helm", tgz], { env });
      expect(pretty.stdout).toContain(`← ${tgz}:named/templates/_helpers.tpl:4, ${tgz}:named/values.yaml:4 (security.privileged)`);
    } finally {
      fs.renameSync(path.join(cdir, "named-src"), path.join(cdir, "named"));
    }
  });
});

describe("this repository's own checkout", () => {
  it("kubescape scan . exits 0 or 1 (its .kubescapeignore keeps the deliberately broken test inputs out)", () => {
    const r = runCli(["scan", ".", "--format", "json", "--output", path.join(dir, "self.json")], { env, cwd: repoRoot });
    expect(r.stderr).not.toMatch(/could not be scanned/);
    expect([0, 1]).toContain(r.code);
  });
});
