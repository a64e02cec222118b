// The K9s plugin file and `kubescape k9s install/uninstall`: our entries merged into a user's
// plugins.yaml keep their plugins and comments, uninstall removes only ours, and K9s' own
// config-folder lookup.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { k9sConfigDir, k9sPlugins, mergeK9sPlugins, removeK9sPlugins, K9S_SHORTCUT } from "../src/cli/k9s.js";
import { parseWorkload } from "../src/core/index.js";
import { repoRoot, runCli } from "./support/cli.js";

const USER_FILE = `# my plugins
plugins:
  # tail logs with stern
  stern:
    shortCut: Ctrl-L
    description: Logs (stern)
    scopes: [pods]
    command: stern
    args: [--tail, "50", $FILTER, -n, $NAMESPACE]
`;

describe("K9s plugin", () => {
  it("plugins/k9s/plugins.yaml is the table `k9s install` merges", () => {
    const file = YAML.parse(fs.readFileSync(path.join(repoRoot, "plugins", "k9s", "plugins.yaml"), "utf8"));
    expect(file.plugins).toEqual(k9sPlugins());
    const scopes = Object.values(k9sPlugins()).flatMap((p) => p.scopes);
    expect(scopes.sort()).toEqual(["contexts", "cronjobs", "daemonsets", "deployments", "jobs", "namespaces", "pods", "statefulsets"]);
    for (const p of Object.values(k9sPlugins())) {
      expect(p.shortCut).toBe(K9S_SHORTCUT);
      expect(p.background).toBe(false);
    }
    expect(k9sPlugins()["kubescape-deployment"].args).toEqual(["tui", "--resource", "Deployment/$NAME", "-n", "$NAMESPACE", "--context", "$CONTEXT", "--kubeconfig=$KUBECONFIG"]);
  });

  it("merging keeps the user's plugins and comments; uninstall removes only ours", () => {
    const merged = mergeK9sPlugins(USER_FILE, k9sPlugins());
    expect(merged).toContain("# my plugins");
    expect(merged).toContain("# tail logs with stern");
    const parsed = YAML.parse(merged);
    expect(Object.keys(parsed.plugins)).toEqual(["stern", ...Object.keys(k9sPlugins())]);
    // installing twice replaces, never duplicates
    expect(mergeK9sPlugins(merged, k9sPlugins())).toBe(merged);
    const { text, removed } = removeK9sPlugins(merged, Object.keys(k9sPlugins()));
    expect(removed).toBe(8);
    expect(YAML.parse(text)).toEqual(YAML.parse(USER_FILE));
    expect(text).toContain("# tail logs with stern");
  });

  it("an empty or missing file gets a plugins map; a broken one is refused, untouched", () => {
    expect(YAML.parse(mergeK9sPlugins("", k9sPlugins())).plugins).toEqual(k9sPlugins());
    expect(() => mergeK9sPlugins("plugins: [1, 2\n", k9sPlugins(), "p.yaml")).toThrow(/p\.yaml: not valid YAML/);
    expect(() => mergeK9sPlugins("- a\n", k9sPlugins())).toThrow(/not a YAML mapping/);
  });

  it("finds K9s' folder as K9s does: $K9S_CONFIG_DIR, else $XDG_CONFIG_HOME/k9s, else ~/.config/k9s", () => {
    expect(k9sConfigDir({ K9S_CONFIG_DIR: "/a", XDG_CONFIG_HOME: "/b" }, "linux", "/h")).toBe("/a");
    expect(k9sConfigDir({ XDG_CONFIG_HOME: "/b" }, "linux", "/h")).toBe(path.join("/b", "k9s"));
    expect(k9sConfigDir({}, "linux", "/h")).toBe(path.join("/h", ".config", "k9s"));
    expect(k9sConfigDir({}, "darwin", "/h")).toBe(path.join("/h", "Library", "Application Support", "k9s"));
  });

  it("kubescape k9s install / uninstall on a user's file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-k9s-cli-"));
    fs.writeFileSync(path.join(dir, "plugins.yaml"), USER_FILE);
    const env = { K9S_CONFIG_DIR: dir };
    const i = runCli(["k9s", "install"], { env });
    expect(i.code, i.stderr).toBe(0);
    expect(i.stdout).toContain(`added 8 K9s plugins`);
    expect(Object.keys(YAML.parse(fs.readFileSync(path.join(dir, "plugins.yaml"), "utf8")).plugins)).toContain("kubescape-pod");
    const u = runCli(["k9s", "uninstall"], { env });
    expect(u.stdout).toContain("removed 8 K9s plugins");
    const after = fs.readFileSync(path.join(dir, "plugins.yaml"), "utf8");
    expect(YAML.parse(after)).toEqual(YAML.parse(USER_FILE));
    expect(after).toContain("# tail logs with stern");
    expect(runCli(["k9s", "uninstall"], { env }).stdout).toContain("no Kubescape plugins");
  });
});

describe("scan workload arguments", () => {
  it("takes Kind/name in kubectl's spellings; anything else is a usage error", () => {
    expect(parseWorkload("deploy/web", "shop")).toEqual({ kind: "Deployment", name: "web", namespace: "shop" });
    expect(parseWorkload("Pod/debug-shell", undefined)).toEqual({ kind: "Pod", name: "debug-shell", namespace: "default" });
    expect(parseWorkload("cronjobs/nightly", "x").kind).toBe("CronJob");
    expect(() => parseWorkload("Service/web", "x")).toThrow(/not a workload/);
    expect(() => parseWorkload("web", "x")).toThrow(/not a workload/);
    expect(() => parseWorkload("Pod/../etc", "x")).toThrow(/not a workload/);
    const r = runCli(["scan", "workload", "Secret/x", "-n", "a"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: "Secret\/x" is not a workload/);
  });

  it("tui refuses to run without a terminal, in one line", () => {
    const r = runCli(["tui", "examples/"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: kubescape tui needs a terminal");
  });
});
