// Cluster scans against a real kube-apiserver + etcd (test/cluster/cluster.sh), seeded with
// good and bad objects. No mocks: every fault here is produced by the real server.
import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import YAML from "yaml";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { runCli, repoRoot } from "../support/cli.js";
import { startCluster, writeKubeconfig, type TestCluster } from "./support.js";
import { readCluster } from "../../src/core/sources/cluster/index.js";

let c: TestCluster;
beforeAll(() => {
  c = startCluster("scan", { seed: true });
});
afterAll(() => c?.stop());

const scanJson = (args: string[]) => {
  const r = runCli(["scan", "--kubeconfig", c.kubeconfig, "--format", "json", ...args]);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
};
const finding = (report: any, id: string, control: string) => report.resources.find((r: any) => r.resourceID === id)?.findings.find((f: any) => f.controlID === control);

describe("cluster scan", () => {
  it("scans the current context's cluster with Kubescape resource IDs and a cluster summary", () => {
    const { code, report, stderr } = scanJson([]);
    expect(code, stderr).toBe(0);
    expect(report.target.kind).toBe("cluster");
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, "schemas", "report.schema.json"), "utf8")));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.target.cluster.unavailable).toEqual({});
    expect(report.target.cluster.version).toMatch(/^v1\.\d+/);
    expect(report.target.cluster.context).toBe("admin");
    expect(report.target.cluster.counts.Deployment).toBeGreaterThanOrEqual(2);
    expect(report.target.cluster.counts.Namespace).toBeGreaterThanOrEqual(3);
    const priv = finding(report, "apps/v1/ks-bad/Deployment/web-insecure", "C-0057");
    expect(priv.status).toBe("failed");
    expect(priv.paths.some((p: any) => p.type === "failed" && p.path === "spec.template.spec.containers[0].securityContext.privileged")).toBe(true);
    expect(finding(report, "apps/v1/ks-good/Deployment/web-hardened", "C-0057")).toBeUndefined();
    expect(report.controls.find((x: any) => x.id === "C-0057").status).toBe("failed");
    const pretty = runCli(["scan", "--kubeconfig", c.kubeconfig]).stdout;
    expect(pretty).toMatch(/Kubescape scan · cluster admin \(https:\/\/127\.0\.0\.1:\d+, v1\.\d+/);
    expect(pretty).toMatch(/listed .*\d+ Deployment/);
  });

  it("-n, -l and --exclude-namespaces narrow what is read, like kubectl", () => {
    const ns = scanJson(["-n", "ks-good"]).report;
    expect(ns.resources.every((r: any) => r.namespace === "" || r.namespace === "ks-good")).toBe(true);
    expect(ns.target.cluster.counts.Deployment).toBe(1);
    const sel = scanJson(["-l", "ks-seed=bad"]).report;
    expect(sel.resources.some((r: any) => r.name === "web-insecure")).toBe(true);
    expect(sel.resources.some((r: any) => r.name === "web-hardened")).toBe(false);
    const ex = scanJson(["--exclude-namespaces", "ks-bad,kube-system"]).report;
    expect(ex.resources.some((r: any) => r.namespace === "ks-bad")).toBe(false);
    expect(ex.target.cluster.counts.Namespace).toBe(scanJson([]).report.target.cluster.counts.Namespace - 2);
  });

  it("never lets a Secret value reach the scan, the report or the logs", async () => {
    const value = "ks-probe-value-7f3a9c41";
    const apply = c.kubectl(["apply", "-f", "-"], `apiVersion: v1\nkind: Secret\nmetadata: {name: probe, namespace: ks-good}\nstringData: {api-key: ${value}}\n`);
    expect(apply.code, apply.stderr).toBe(0);
    expect(c.kubectl(["get", "secret", "probe", "-n", "ks-good", "-o", "yaml"]).stdout).toMatch(/last-applied-configuration/); // the value is in there twice
    const { objects } = await readCluster({ kubeconfig: c.kubeconfig, kinds: new Set(["Secret"]) });
    const probe = objects.find((o) => o.object.metadata?.name === "probe")!;
    expect(probe.object.data).toEqual({ "api-key": "" });
    expect(JSON.stringify(objects)).not.toContain(Buffer.from(value).toString("base64"));
    expect(JSON.stringify(objects)).not.toContain(value);
    for (const format of ["json", "pretty"]) {
      const r = runCli(["scan", "--kubeconfig", c.kubeconfig, "--format", format, "-n", "ks-good"]);
      expect(r.stdout + r.stderr).not.toContain(value);
      expect(r.stdout + r.stderr).not.toContain(Buffer.from(value).toString("base64"));
    }
  });
});

describe("faults", () => {
  it("a user forbidden to list some kinds gets those controls skipped with the reason; the rest completes", () => {
    const { code, report, stderr } = scanJson(["--context", "restricted"]);
    expect(code, stderr).toBe(0);
    const byId = Object.fromEntries(report.controls.map((x: any) => [x.id, x]));
    expect(byId["C-0015"]).toMatchObject({ status: "skipped", skipReason: expect.stringMatching(/^forbidden to list (cluster)?role/) });
    expect(byId["C-0255"]).toMatchObject({ status: "skipped", skipReason: "forbidden to list secrets" });
    expect(byId["C-0057"].status).toBe("failed"); // workloads are readable
    expect(report.target.cluster.unavailable).toMatchObject({ Secret: "forbidden to list secrets", ClusterRole: "forbidden to list clusterroles" });
    expect(stderr).toMatch(/warning: \d+ controls skipped because some kinds could not be listed/);
    const strict = scanJson(["--context", "restricted", "--fail-on-partial"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/partial/);
  });

  it("rejected credentials: one line, exit 2, no stack trace", () => {
    const kc = YAML.parse(fs.readFileSync(c.kubeconfig, "utf8"));
    const limited = kc.users.find((u: any) => u.user?.token);
    limited.user.token = "expired-or-made-up-token";
    const file = writeKubeconfig(c.dir, "bad-token", YAML.stringify(kc));
    const ctx = kc.contexts.find((x: any) => x.context.user === limited.name).name;
    const r = runCli(["scan", "--kubeconfig", file, "--context", ctx]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unauthorized — the credentials of context ".+" were rejected/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a server certificate that does not match the kubeconfig's CA: one line, exit 2", () => {
    const keyDir = fs.mkdtempSync(path.join(c.dir, "otherca-"));
    const gen = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(keyDir, "ca.key"), "-out", path.join(keyDir, "ca.crt"), "-days", "1", "-subj", "/CN=other-ca"], { encoding: "utf8" });
    expect(gen.status, gen.stderr).toBe(0);
    const kc = YAML.parse(fs.readFileSync(c.kubeconfig, "utf8"));
    for (const cl of kc.clusters) {
      delete cl.cluster["certificate-authority"];
      cl.cluster["certificate-authority-data"] = fs.readFileSync(path.join(keyDir, "ca.crt")).toString("base64");
    }
    const r = runCli(["scan", "--kubeconfig", writeKubeconfig(c.dir, "bad-ca", YAML.stringify(kc))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TLS certificate problem/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("an unreachable API server and an unknown context: one line each, exit 2", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const kc = YAML.parse(fs.readFileSync(c.kubeconfig, "utf8"));
    for (const cl of kc.clusters) cl.cluster.server = `https://127.0.0.1:${port}`;
    const r = runCli(["scan", "--kubeconfig", writeKubeconfig(c.dir, "down", YAML.stringify(kc))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connection refused — is the API server running\?/);
    const u = runCli(["scan", "--kubeconfig", c.kubeconfig, "--context", "no-such-context"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/context "no-such-context" not found in kubeconfig/);
  });

  it("the API server restarting during the LISTs: retried, or reported — never a silently short result", async () => {
    const seeded = spawnSync(process.execPath, [path.join(repoRoot, "test", "cluster", "seed.mjs"), "--kubeconfig", c.kubeconfig, "--count", "4000", "--prefix", "restart"], { encoding: "utf8" });
    expect(seeded.status, seeded.stderr).toBe(0);
    const truth = Number(c.kubectl(["get", "configmaps", "-A", "--no-headers", "-o", "name"]).stdout.trim().split("\n").length);
    const scan = spawn(process.execPath, [path.join(repoRoot, "bin", "run.js"), "scan", "control", "C-0012", "--kubeconfig", c.kubeconfig, "--format", "json", "--page-size", "5"], { env: { ...process.env, NO_COLOR: "1" } });
    const closed = new Promise<number | null>((r) => scan.on("close", r));
    let out = "";
    let err = "";
    scan.stdout.on("data", (d) => (out += d));
    scan.stderr.on("data", (d) => (err += d));
    await new Promise((r) => setTimeout(r, 500));
    const restarted = c.sh("restart-apiserver");
    expect(restarted.code, restarted.stderr).toBe(0);
    const code = await closed;
    expect(code, err).toBe(0);
    const report = JSON.parse(out);
    const ctl = report.controls[0];
    if (ctl.status === "skipped") {
      expect(ctl.skipReason).toMatch(/could not list configmaps/);
    } else {
      expect(report.target.cluster.counts.ConfigMap).toBe(truth);
    }
  });
});

describe("kubectl plugin", () => {
  it("kubectl finds kubectl-kubescape on PATH and runs it with kubectl's flags", () => {
    const binDir = fs.mkdtempSync(path.join(c.dir, "plugins-"));
    fs.symlinkSync(path.join(repoRoot, "bin", "run.js"), path.join(binDir, "kubectl-kubescape"));
    const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}`, NO_COLOR: "1" };
    const kubectl = (args: string[]) => spawnSync("kubectl", args, { env, encoding: "utf8" });
    const list = kubectl(["plugin", "list"]);
    expect(list.stdout).toContain(path.join(binDir, "kubectl-kubescape"));
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    expect(kubectl(["kubescape", "version"]).stdout.trim()).toBe(`kubescape-ts v${pkg.version}`);
    const r = kubectl(["kubescape", "scan", "--kubeconfig", c.kubeconfig, "--context", "admin", "-n", "ks-bad", "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.target.cluster.namespace).toBe("ks-bad");
    expect(report.resources.some((x: any) => x.resourceID === "apps/v1/ks-bad/Deployment/web-insecure")).toBe(true);
    const viaEnv = spawnSync("kubectl", ["kubescape", "scan", "control", "C-0057", "--format", "json"], { env: { ...env, KUBECONFIG: c.kubeconfig }, encoding: "utf8" });
    expect(viaEnv.status, viaEnv.stderr).toBe(0);
    expect(JSON.parse(viaEnv.stdout).controls[0].status).toBe("failed");
  });
});
