// Cluster scans against a real kube-apiserver + etcd (test/cluster/cluster.sh), seeded with
// good and bad objects. No mocks: every fault here is produced by the real server.
import fs from "node:fs";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import YAML from "yaml";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { runCli, repoRoot } from "../support/cli.js";
import { startCluster, writeKubeconfig, type TestCluster } from "./support.js";
import { freePort } from "../support/net.js";
import { readCluster } from "../../src/core/sources/cluster/index.js";
import { loadKubeConfig, watch, create, patch, apply, type WatchEvent } from "../../src/core/sources/cluster/api.js";

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
  it("reports each kind as its LIST completes, before the scan ends (progress while a big cluster is read)", async () => {
    const { Scanner, clusterSource } = await import("../../src/core/index.js");
    const scanner = await Scanner.create({ threads: 1 });
    try {
      const events: { type: string; of?: { done: number; total: number } }[] = [];
      let evaluatedBeforeAllListed = false;
      await scanner.scan(
        { source: clusterSource({ kubeconfig: c.kubeconfig }) },
        {
          onEvent: (e) => {
            if (e.type === "evaluated" && !events.some((x) => x.type === "listed" && x.of && x.of.done === x.of.total)) evaluatedBeforeAllListed = true;
            events.push(e);
          },
        },
      );
      const listed = events.filter((e) => e.type === "listed");
      expect(listed.length).toBeGreaterThan(5);
      // one event per kind to list, counted up to the total
      expect(listed.map((e) => e.of!.done)).toEqual(listed.map((_, i) => i + 1));
      expect(new Set(listed.map((e) => e.of!.total))).toEqual(new Set([listed.length]));
      expect(evaluatedBeforeAllListed).toBe(false);
    } finally {
      await scanner.close();
    }
  });

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
    // the listing line wraps at the terminal's width
    expect(pretty.replace(/\n/g, " ")).toMatch(/listed .*\d+ Deployment/);
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

describe("one workload, read narrowly", () => {
  it("reads the workload and what its controls need, namespace-scoped, not the whole cluster", async () => {
    const kinds = new Set([
      "Pod",
      "Deployment",
      "ReplicaSet",
      "Namespace",
      "ServiceAccount",
      "Service",
      "NetworkPolicy",
      "Role",
      "RoleBinding",
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "Secret",
    ]);
    const full = await readCluster({ kubeconfig: c.kubeconfig, kinds });
    const one = await readCluster({ kubeconfig: c.kubeconfig, kinds, workload: { kind: "Deployment", name: "web-insecure", namespace: "ks-bad" } });
    expect(one.info.unavailable).toEqual({});
    const names = one.objects.map((o) => `${o.object.kind}/${o.object.metadata?.namespace ?? ""}/${o.object.metadata?.name}`);
    expect(names).toContain("Deployment/ks-bad/web-insecure");
    // namespaced objects only from the workload's namespace; no Pods, ConfigMaps or Secrets of anyone
    for (const o of one.objects) if (o.object.metadata?.namespace) expect(o.object.metadata.namespace, names.join(", ")).toBe("ks-bad");
    expect(one.objects.filter((o) => ["Pod", "ConfigMap", "Secret", "ReplicaSet"].includes(o.object.kind))).toEqual([]);
    // only the cluster roles its bindings name, not the cluster's 70-odd
    const clusterRoles = one.objects.filter((o) => o.object.kind === "ClusterRole").length;
    expect(clusterRoles).toBeLessThan(full.info.counts.ClusterRole / 4);
    expect(one.objects.length).toBeLessThan(full.objects.length / 4);
    expect(one.info.requests).toBeLessThan(full.info.requests);
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
    const gen = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(keyDir, "ca.key"), "-out", path.join(keyDir, "ca.crt"), "-days", "1", "-subj", "/CN=other-ca"],
      { encoding: "utf8" },
    );
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
    const port = await freePort();
    const kc = YAML.parse(fs.readFileSync(c.kubeconfig, "utf8"));
    for (const cl of kc.clusters) cl.cluster.server = `https://127.0.0.1:${port}`;
    const t0 = performance.now();
    const r = runCli(["scan", "--kubeconfig", writeKubeconfig(c.dir, "down", YAML.stringify(kc))]);
    const ms = performance.now() - t0;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connection refused — is the API server running\?/);
    // no retry loop for a server that never answered (it used to take ~11 s); the rest is CLI start-up
    expect(ms).toBeLessThan(6000);
    const t1 = performance.now();
    await expect(readCluster({ kubeconfig: writeKubeconfig(c.dir, "down", YAML.stringify(kc)), kinds: new Set(["Pod"]) })).rejects.toThrow(/connection refused/);
    expect(performance.now() - t1).toBeLessThan(2000);
    const u = runCli(["scan", "--kubeconfig", c.kubeconfig, "--context", "no-such-context"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/context "no-such-context" not found in kubeconfig/);
  });

  it("the API server restarting during the LISTs: retried, or reported — never a silently short result", async () => {
    const seeded = spawnSync(process.execPath, [path.join(repoRoot, "test", "cluster", "seed.mjs"), "--kubeconfig", c.kubeconfig, "--count", "4000", "--prefix", "restart"], { encoding: "utf8" });
    expect(seeded.status, seeded.stderr).toBe(0);
    const truth = Number(c.kubectl(["get", "configmaps", "-A", "--no-headers", "-o", "name"]).stdout.trim().split("\n").length);
    // the restart must come once the scan is LISTing (a server refusing the very first request
    // is "not running", which fails at once): the server's own count of ConfigMap LISTs says when
    const configMapLists = () =>
      c
        .kubectl(["get", "--raw", "/metrics"])
        .stdout.split("\n")
        .filter((l) => l.startsWith("apiserver_request_total{") && l.includes('resource="configmaps"') && l.includes('verb="LIST"'))
        .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
    const before = configMapLists();
    const scan = spawn(process.execPath, [path.join(repoRoot, "bin", "run.js"), "scan", "control", "C-0012", "--kubeconfig", c.kubeconfig, "--format", "json", "--page-size", "5"], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    const closed = new Promise<number | null>((r) => scan.on("close", r));
    let out = "";
    let err = "";
    scan.stdout.on("data", (d) => (out += d));
    scan.stderr.on("data", (d) => (err += d));
    for (let i = 0; i < 200 && configMapLists() === before; i++) await new Promise((r) => setTimeout(r, 25));
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

describe("credentials through client-node, against the real server", () => {
  const kc = () => YAML.parse(fs.readFileSync(c.kubeconfig, "utf8"));
  const adminToken = () => kc().users.find((u: any) => u.name === "admin-token").user.token as string;

  it("in a pod: the service account token and CA (KUBERNETES_SERVICE_HOST/PORT)", async () => {
    const doc = kc();
    const url = new URL(doc.clusters[0].cluster.server);
    const root = fs.mkdtempSync(path.join(c.dir, "pod-"));
    const sa = path.join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, "token"), adminToken());
    fs.copyFileSync(doc.clusters[0].cluster["certificate-authority"], path.join(sa, "ca.crt"));
    fs.writeFileSync(path.join(sa, "namespace"), "ks-good");
    const env = { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, HOME: root };
    const r = await readCluster({ env, serviceAccountRoot: root, kinds: new Set(["Deployment"]) }); // no kubeconfig in $HOME: the service account
    expect(r.info.context).toBe("inClusterContext");
    expect(r.info.server).toBe(`https://${url.hostname}:${url.port}`);
    expect(r.info.counts.Deployment).toBeGreaterThanOrEqual(2);
  });

  it("an exec credential plugin's token is used for the whole scan", () => {
    const doc = kc();
    doc.users.push({
      name: "plugin",
      user: {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1",
          command: process.execPath,
          args: ["-e", `console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "${adminToken()}" } }))`],
        },
      },
    });
    doc.contexts.push({ name: "plugin", context: { cluster: "ks-test", user: "plugin" } });
    const r = runCli(["scan", "control", "C-0057", "--kubeconfig", writeKubeconfig(c.dir, "plugin", YAML.stringify(doc)), "--context", "plugin", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).controls[0].status).toBe("failed");
  });
});

describe("operator helpers (api.ts)", () => {
  it("create, patch and server-side apply a ConfigMap; a watch sees ADDED then MODIFIED", async () => {
    const kc = await loadKubeConfig({ kubeconfig: c.kubeconfig });
    const name = `op-${process.pid}`;
    const created = await create(kc, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ks-good" }, data: { step: "created" } } as any);
    expect(created.metadata?.uid).toBeTruthy();
    await expect(create(kc, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ks-good" } })).rejects.toMatchObject({ status: 409, name: "ApiError" });

    const events: WatchEvent[] = [];
    const ac = new AbortController();
    let sawAdded!: () => void;
    let sawModified!: () => void;
    const added = new Promise<void>((r) => (sawAdded = r));
    const modified = new Promise<void>((r) => (sawModified = r));
    const watching = watch(
      kc,
      "/api/v1/namespaces/ks-good/configmaps",
      (e) => {
        if (e.object.metadata?.name !== name) return;
        events.push(e);
        if (e.type === "ADDED") sawAdded();
        if (e.type === "MODIFIED") sawModified();
      },
      ac.signal,
    );
    const within = <T>(p: Promise<T>, what: string) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no ${what} within 20 s`)), 20_000))]);
    await within(added, "ADDED"); // the watch starts with the objects that exist

    const patched = await patch(kc, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ks-good" }, data: { step: "patched" } } as any);
    expect((patched as any).data).toEqual({ step: "patched" });
    await within(modified, "MODIFIED");
    ac.abort();
    await within(watching, "end of the watch after abort");
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(["ADDED", "MODIFIED"]);
    expect((events[1].object as any).data).toEqual({ step: "patched" });

    const applied = await apply(kc, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ks-good" }, data: { step: "applied" } } as any, { fieldManager: "ks-test", force: true });
    expect((applied as any).data).toEqual({ step: "applied" });
    expect(c.kubectl(["get", "configmap", name, "-n", "ks-good", "-o", "jsonpath={.data.step}"]).stdout).toBe("applied");
    expect(c.kubectl(["delete", "configmap", name, "-n", "ks-good"]).code).toBe(0);
  });

  it("a watch the server refuses rejects with one ApiError line", async () => {
    const kc = await loadKubeConfig({ kubeconfig: c.kubeconfig, context: "restricted" });
    await expect(watch(kc, "/api/v1/secrets", () => undefined)).rejects.toMatchObject({ name: "ApiError", status: 403 });
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
