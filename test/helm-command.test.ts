// The pure parts of `kubescape helm`: command line → helm template arguments, helm's error
// line, and the Helm plugin manifest. The real helm runs in test/integration/helm.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Parser } from "@oclif/core";
import YAML from "yaml";
import Helm, { templateOptions } from "../src/commands/helm.js";
import { helmBinary, helmErrorLine, helmTemplateArgs } from "../src/core/sources/helm.js";
import { repoRoot, runCli } from "./support/cli.js";

/** argv of `kubescape helm …` → the arguments helm template gets */
async function helmArgs(argv: string[]) {
  const { args, flags } = await Parser.parse(argv, { flags: Helm.flags, args: Helm.args, strict: true });
  return { flags, helm: helmTemplateArgs(templateOptions(args.chart as string, flags)) };
}

describe("kubescape helm → helm template arguments", () => {
  it("a chart alone: helm's default release name, chart after --", async () => {
    expect((await helmArgs(["./charts/web"])).helm).toEqual(["template", "--", "release-name", "./charts/web"]);
  });

  it("-f is --values (repeatable, in order), --set repeats, -n and --release pass on", async () => {
    const { flags, helm } = await helmArgs(["-f", "a.yaml", "--set", "x=1", "./web", "--values", "b.yaml", "--set", "y.z=2,w=3", "-n", "prod", "--release", "r1"]);
    expect(helm).toEqual(["template", "--namespace=prod", "--values=a.yaml", "--values=b.yaml", "--set=x=1", "--set=y.z=2,w=3", "--", "r1", "./web"]);
    expect(flags.format).toBeUndefined();
  });

  it("a repeatable flag does not swallow the chart that follows it", async () => {
    expect((await helmArgs(["--set", "a=1", "./web"])).helm).toEqual(["template", "--set=a=1", "--", "release-name", "./web"]);
    expect((await helmArgs(["-f", "v.yaml", "./web"])).helm).toEqual(["template", "--values=v.yaml", "--", "release-name", "./web"]);
  });

  it("--format has no -f here, and the scan flags still parse", async () => {
    const { flags } = await helmArgs(["./web", "--format", "json", "--severity-threshold", "high", "--max-file-size", "3"]);
    expect(flags).toMatchObject({ format: "json", "severity-threshold": "high", "max-file-size": 3 });
    expect(Helm.flags.format.char).toBeUndefined();
    expect(Helm.flags.values.char).toBe("f");
    await expect(helmArgs(["./web", "--kubeconfig", "x"])).rejects.toThrow(/kubeconfig/);
  });

  it("-f json (a format name that is no file) says to use --format, before helm runs; a values file of that name is taken", () => {
    const noHelm = { HELM_BIN: path.join(repoRoot, "no-such-helm") };
    for (const args of [
      ["scan", "chart", "test/fixtures/charts/web", "-f", "json"],
      ["helm", "test/fixtures/charts/web", "-f", "values.yaml", "-f", "sarif"],
    ]) {
      const r = runCli(args, { env: noHelm });
      expect(r.code, args.join(" ")).toBe(2);
      const format = args.at(-1);
      expect(r.stderr).toBe(`error: -f takes a values file here, as in helm, and there is no file "${format}": for the report format use --format ${format}\n`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-values-"));
    fs.writeFileSync(path.join(dir, "json"), "replicas: 1\n");
    const taken = runCli(["scan", "chart", path.join(repoRoot, "test/fixtures/charts/web"), "-f", "json"], { cwd: dir, env: noHelm });
    expect(taken.stderr).toMatch(/^error: helm not found/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("values that look like helm flags stay values; a chart that looks like one comes after --", () => {
    const args = helmTemplateArgs({ chart: "--post-renderer=/bin/sh", values: ["--set=x"], set: ["--post-renderer=y"] });
    expect(args).toEqual(["template", "--values=--set=x", "--set=--post-renderer=y", "--", "release-name", "--post-renderer=/bin/sh"]);
    expect(args.indexOf("--")).toBe(args.length - 3);
  });

  it("helm is $HELM_BIN when set (as Helm sets it for plugins), else helm on PATH", () => {
    expect(helmBinary({ HELM_BIN: "/opt/helm/bin/helm" })).toBe("/opt/helm/bin/helm");
    expect(helmBinary({ HELM_BIN: "" })).toBe("helm");
    expect(helmBinary({})).toBe("helm");
  });
});

describe("helm's error line", () => {
  it("takes the Error: line, past warnings and hints", () => {
    const stderr =
      'WARNING: Kubernetes configuration file is group-readable. This is insecure.\nError: parse error at (web/templates/a.yaml:4): function "x" not defined\n\nUse --debug flag to render out invalid YAML\n';
    expect(helmErrorLine(stderr)).toBe('parse error at (web/templates/a.yaml:4): function "x" not defined');
  });

  it("else the first line that is not a warning; nothing for empty stderr", () => {
    expect(helmErrorLine("walk.go:75: found symbolic link in path\nsomething broke\n")).toBe("something broke");
    expect(helmErrorLine("\n \n")).toBeUndefined();
  });
});

describe("plugins/helm/plugin.yaml", () => {
  const dir = path.join(repoRoot, "plugins", "helm");
  const manifest = YAML.parse(fs.readFileSync(path.join(dir, "plugin.yaml"), "utf8"));
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

  it("is the kubescape plugin at package.json's version", () => {
    expect(manifest.name).toBe("kubescape");
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.usage.length).toBeGreaterThan(10);
    expect(manifest.usage).not.toContain("\n");
  });

  it("runs node on the launcher beside it, as `kubescape helm`, on linux and darwin", () => {
    // platformCommand only: with command too, Helm prints a warning on every run
    expect(manifest.command).toBeUndefined();
    expect(manifest.platformCommand.map((c: any) => c.os).sort()).toEqual(["darwin", "linux"]);
    for (const c of manifest.platformCommand) {
      expect(c).toEqual({ os: c.os, command: "node", args: ["$HELM_PLUGIN_DIR/kubescape.mjs", "helm"] });
    }
    expect(fs.existsSync(path.join(dir, "kubescape.mjs"))).toBe(true);
  });
});
