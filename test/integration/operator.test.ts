// The operator against a real kube-apiserver + etcd: run out of cluster as a child process (and
// through the in-cluster config path), results appear, update and disappear as workloads do,
// leadership moves when the leader is killed, restarts converge, restricted RBAC is reported,
// and the CLI triggers scans (our ScanCommand and the Kubescape REST trigger through the API
// server's service proxy) and reads results back. No mocks.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, repoRoot } from "../support/cli.js";
import { deployment, killed, startCluster, storedResults, waitFor, type TestCluster } from "./support.js";
import { Kube } from "../../src/operator/kube.js";

let c: TestCluster;
let kube: Kube;
const procs: ChildProcess[] = [];
const WCS = "/apis/spdx.softwarecomposition.kubescape.io/v1beta1";

interface Op {
  proc: ChildProcess;
  log: () => string;
  url: () => Promise<string>;
}

function startOperator(args: string[], env: NodeJS.ProcessEnv = {}): Op {
  let log = "";
  const proc = spawn(process.execPath, [path.join(repoRoot, "bin", "run.js"), "operator", "run", "--port", "0", "--threads", "1", ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  procs.push(proc);
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  return {
    proc,
    log: () => log,
    url: async () => {
      const m = await waitFor(
        () => /operator http:\/\/[^:]+:(\d+)/.exec(log),
        120_000,
        () => log,
      );
      return `http://127.0.0.1:${m[1]}`;
    },
  };
}

const resultOf = (ns: string, kind: string, name: string) => storedResults(kube, ns, kind, name);
const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();
const leaseHolder = async (ns: string) => (await kube.find<any>(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/kubescape-ts-operator`))?.spec?.holderIdentity ?? "";

const kill9 = (op: Op) => killed(op.proc);

beforeAll(async () => {
  c = startCluster("operator", { seed: true });
  for (const ns of ["kubescape", "shop"]) c.kubectl(["create", "namespace", ns]);
  kube = await Kube.connect({ kubeconfig: c.kubeconfig });
});
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  kube?.close();
  c?.stop();
});

describe("operator", () => {
  let a: Op;

  it("writes results at start-up, then a privileged Deployment's result shows C-0057 failed within 2 s; fixed → passed; deleted → removed", async () => {
    a = startOperator(["--kubeconfig", c.kubeconfig, "--identity", "a", "--lease-duration", "3", "--operator-namespace", "kubescape"]);
    await waitFor(() => /full scan: \d+ objects/.test(a.log()), 150_000, a.log);
    const seeded = await resultOf("ks-bad", "Deployment", "web-insecure");
    expect(seeded).toHaveLength(1);
    expect(seeded[0].spec.controls["C-0057"].status.status).toBe("failed");
    expect(seeded[0].metadata.name).toMatch(/^apps-v1-deployment-ks-bad-web-insecure-[0-9a-f]{4}-[0-9a-f]{4}$/);
    const css = await kube.get<any>(`${WCS}/configurationscansummaries/ks-bad`);
    expect(css.spec.summaryRef.length).toBeGreaterThan(3);

    let t0 = Date.now();
    expect(c.kubectl(["apply", "-f", "-"], deployment("priv", "shop", true)).code).toBe(0);
    const applied = Date.now();
    const failed = await waitFor(async () => (await resultOf("shop", "Deployment", "priv"))[0]?.spec.controls["C-0057"]?.status.status === "failed", 10_000);
    const latency = Date.now() - applied;
    expect(failed).toBe(true);
    expect(latency, `result ${latency} ms after the apply returned (kubectl took ${applied - t0} ms)`).toBeLessThanOrEqual(2000);
    const wcs = (await resultOf("shop", "Deployment", "priv"))[0];
    expect(wcs.spec.controls["C-0057"].rules[0].paths).toContainEqual({ failedPath: "spec.template.spec.containers[0].securityContext.privileged" });
    const summary = await kube.get<any>(`${WCS}/namespaces/shop/workloadconfigurationscansummaries/${wcs.metadata.name}`);
    expect(summary.spec.severities.high).toBeGreaterThan(0);

    t0 = Date.now();
    c.kubectl(["apply", "-f", "-"], deployment("priv", "shop", false));
    await waitFor(async () => (await resultOf("shop", "Deployment", "priv"))[0]?.spec.controls["C-0057"]?.status.status === "passed", 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);

    c.kubectl(["delete", "deployment", "priv", "-n", "shop"]);
    await waitFor(async () => (await resultOf("shop", "Deployment", "priv")).length === 0, 10_000);
    // its summary goes right after it (two objects: no atomic delete)
    await waitFor(async () => !(await kube.find(`${WCS}/namespaces/shop/workloadconfigurationscansummaries/${wcs.metadata.name}`)), 5000);
    // the only workload of the namespace is gone: so is its namespace summary
    await waitFor(async () => !(await kube.find(`${WCS}/configurationscansummaries/shop`)), 5000);

    const url = await a.url();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const m = await metrics(url);
    expect(m).toMatch(/^kubescape_operator_leader 1$/m);
    expect(m).toMatch(/^kubescape_operator_queue_depth \d+$/m);
    expect(m).toMatch(/^kubescape_operator_scan_duration_seconds_count\{type="incremental"\} [1-9]/m);
    expect(m).toMatch(/^kubescape_control_status\{/m); // the prometheus report's gauges
  });

  it("operator scan (ScanCommand) and operator results end to end", () => {
    c.kubectl(["apply", "-f", "-"], deployment("api", "shop", true));
    const r = runCli(["operator", "scan", "--kubeconfig", c.kubeconfig, "-n", "shop", "--workload", "Deployment/api", "--format", "json", "--timeout", "60"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/created ScanCommand kubescape\/scan-/);
    expect(r.stderr).toMatch(/Completed/);
    const report = JSON.parse(r.stdout);
    const api = report.resources.find((x: any) => x.name === "api");
    expect(api.findings.find((f: any) => f.controlID === "C-0057").status).toBe("failed");
    const cmds = c.kubectl(["get", "scancommands", "-n", "kubescape", "-o", "json"]);
    const cmd = JSON.parse(cmds.stdout).items.at(-1);
    expect(cmd.status.phase).toBe("Completed");
    expect(cmd.status.conditions[0]).toMatchObject({ type: "Complete", status: "True" });

    const sarif = runCli(["operator", "results", "--kubeconfig", c.kubeconfig, "-n", "ks-bad", "--format", "sarif"]);
    expect(sarif.code, sarif.stderr).toBe(0);
    expect(JSON.parse(sarif.stdout).runs[0].results.some((x: any) => x.ruleId === "C-0057")).toBe(true);
    const pretty = runCli(["operator", "results", "--kubeconfig", c.kubeconfig, "--framework", "nsa"]);
    expect(pretty.code, pretty.stderr).toBe(0);
    expect(pretty.stdout).toMatch(/C-0057/);
    const none = runCli(["operator", "results", "--kubeconfig", c.kubeconfig, "-n", "shop", "--workload", "Deployment/nope"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no stored result for Deployment\/nope/);
    const bad = runCli(["operator", "scan", "--kubeconfig", c.kubeconfig, "--workload", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected Kind\/name/);
  });

  it("an event storm on one object is coalesced: far fewer scans than events, and the result follows the last state", async () => {
    const url = await a.url();
    const scans = async () => Number(/^kubescape_operator_scans_total\{type="incremental",outcome="ok"\} (\d+)$/m.exec(await metrics(url))?.[1] ?? 0);
    c.kubectl(["apply", "-f", "-"], deployment("storm", "shop", false));
    await waitFor(async () => (await resultOf("shop", "Deployment", "storm")).length === 1, 10_000);
    const before = await scans();
    const p = "/apis/apps/v1/namespaces/shop/deployments/storm";
    const events = 200;
    for (let i = 0; i < events; i++) {
      // the last one makes it privileged
      const privileged = i === events - 1;
      await kube.request(
        "PATCH",
        p,
        { metadata: { annotations: { n: String(i) } }, spec: { template: { spec: { containers: [{ name: "app", securityContext: { privileged } }] } } } },
        "application/strategic-merge-patch+json",
      );
    }
    await waitFor(async () => (await resultOf("shop", "Deployment", "storm"))[0]?.spec.controls["C-0057"]?.status.status === "failed", 15_000);
    const ran = (await scans()) - before;
    expect(ran, `${ran} scans for ${events} events`).toBeLessThan(events / 4);
    expect(await metrics(url)).toMatch(/^kubescape_operator_queue_depth [0-9]$/m);
  });

  it("the Kubescape REST trigger (POST /v1/triggerAction, kubescapeScan) through the API server's service proxy", async () => {
    const ip = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    expect(ip, "a non-loopback IPv4 address for the Service's endpoint").toBeTruthy();
    const port = new URL(await a.url()).port;
    // the API server proxies only to an endpoint backed by a Pod with that IP: stand-ins for both
    expect(c.kubectl(["apply", "-f", "-"], `apiVersion: v1\nkind: Pod\nmetadata: {name: operator-outside, namespace: kubescape}\nspec: {containers: [{name: op, image: "x"}]}\n`).code).toBe(0);
    c.kubectl(["patch", "pod", "-n", "kubescape", "operator-outside", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { podIP: ip, podIPs: [{ ip }] } })]);
    const r = c.kubectl(
      ["apply", "-f", "-"],
      `apiVersion: v1
kind: Service
metadata: {name: operator, namespace: kubescape}
spec: {ports: [{name: http, port: 4002, targetPort: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: operator-outside, namespace: kubescape, labels: {kubernetes.io/service-name: operator}}
addressType: IPv4
endpoints: [{addresses: [${ip}], conditions: {ready: true}, targetRef: {kind: Pod, name: operator-outside, namespace: kubescape}}]
ports: [{name: http, port: ${port}, protocol: TCP}]
`,
    );
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => c.kubectl(["get", "--raw", "/api/v1/namespaces/kubescape/services/operator:4002/proxy/healthz"]).stdout.trim() === "ok", 20_000);
    const scan = runCli(["operator", "scan", "--kubeconfig", c.kubeconfig, "--via", "rest", "-n", "ks-good", "--format", "json", "--timeout", "60"]);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stderr).toMatch(/proxy\/v1\/triggerAction/);
    expect(scan.stderr).toMatch(/scan completed: \d+ objects/);
    expect(JSON.parse(scan.stdout).summary.resources.total).toBeGreaterThan(0);
    // an unknown command name is refused with the supported ones named
    const refused = await kube
      .request("POST", "/api/v1/namespaces/kubescape/services/operator:4002/proxy/v1/triggerAction", { commands: [{ commandName: "deleteEverything" }] })
      .catch((e: Error & { status?: number }) => e);
    expect((refused as { status?: number }).status).toBe(400);
    expect((refused as Error).message).toMatch(/unsupported command "deleteEverything"; supported: kubescapeScan/);
  });

  it("two replicas: one leader writes; killed, the other takes over within the lease duration and writes", async () => {
    const b = startOperator(["--kubeconfig", c.kubeconfig, "--identity", "b", "--lease-duration", "3", "--operator-namespace", "kubescape"]);
    const bUrl = await b.url();
    await waitFor(async () => (await fetch(`${bUrl}/readyz`)).status === 200, 60_000, b.log);
    expect(await leaseHolder("kubescape")).toBe("a");
    const mb = await metrics(bUrl);
    expect(mb).toMatch(/^kubescape_operator_leader 0$/m);
    expect(mb).not.toMatch(/^kubescape_operator_result_writes_total\{op="(created|updated)"\} [1-9]/m);
    const killed = Date.now();
    await kill9(a);
    await waitFor(async () => (await leaseHolder("kubescape")) === "b", 10_000);
    const takeover = Date.now() - killed;
    // the lease lasts 3 s from a's last renewal (at most 1 s before the kill), b retries every 1 s
    expect(takeover, `took over ${takeover} ms after the kill`).toBeLessThanOrEqual(4500);
    await waitFor(() => /full scan: /.test(b.log()), 120_000, b.log);
    c.kubectl(["apply", "-f", "-"], deployment("after-failover", "shop", true));
    await waitFor(async () => (await resultOf("shop", "Deployment", "after-failover"))[0]?.spec.controls["C-0057"]?.status.status === "failed", 10_000);
    a = b;
  });

  it("kill -9 mid-scan and restart: results converge, one per workload, none for what was deleted meanwhile", async () => {
    const url = await a.url();
    // a full scan, killed while it writes
    await fetch(`${url}/v1/triggerAction`, { method: "POST", body: JSON.stringify({ commands: [{ commandName: "kubescapeScan", args: {} }] }) });
    await new Promise((r) => setTimeout(r, 300));
    await kill9(a);
    c.kubectl(["delete", "deployment", "after-failover", "-n", "shop"]);
    c.kubectl(["apply", "-f", "-"], deployment("while-down", "shop", true));
    const d = startOperator(["--kubeconfig", c.kubeconfig, "--identity", "d", "--lease-duration", "3", "--operator-namespace", "kubescape"]);
    await waitFor(() => /full scan: /.test(d.log()), 150_000, d.log);
    expect(await resultOf("shop", "Deployment", "after-failover")).toHaveLength(0);
    expect((await resultOf("shop", "Deployment", "while-down"))[0].spec.controls["C-0057"].status.status).toBe("failed");
    const all = (await kube.get<any>(`${WCS}/workloadconfigurationscans`)).items;
    const keys = all.map((i: any) => ["kind", "namespace", "name"].map((k) => i.metadata.labels[`kubescape.io/workload-${k}`] ?? "").join("/"));
    expect(new Set(keys).size).toBe(keys.length);
    // one result per scanned workload: every Deployment has exactly one
    const deps = JSON.parse(c.kubectl(["get", "deployments", "-A", "-o", "json"]).stdout).items.map((x: any) => `Deployment/${x.metadata.namespace}/${x.metadata.name}`);
    for (const dep of deps)
      expect(
        keys.filter((k: string) => k === dep),
        dep,
      ).toHaveLength(1);
    await kill9(d);
  });

  it("a restart finds its results stored and rewrites none that did not change (same resourceVersions)", async () => {
    const rvs = async () => {
      const out = new Map<string, string>();
      for (const plural of ["workloadconfigurationscans", "workloadconfigurationscansummaries", "configurationscansummaries"])
        for (const i of (await kube.get<any>(`${WCS}/${plural}?labelSelector=app.kubernetes.io/managed-by=kubescape-ts`)).items)
          out.set(`${plural}/${i.metadata.namespace ?? ""}/${i.metadata.name}`, i.metadata.resourceVersion);
      return out;
    };
    const before = await rvs();
    expect(before.size).toBeGreaterThan(50);
    const e = startOperator(["--kubeconfig", c.kubeconfig, "--identity", "e", "--lease-duration", "3", "--operator-namespace", "kubescape"]);
    await waitFor(() => /full scan: /.test(e.log()), 150_000, e.log);
    expect(e.log()).toMatch(new RegExp(`full scan: .*; ${before.size} stored before, 0 created, 0 updated, ${before.size} unchanged, 0 deleted\\)`));
    const m = await metrics(await e.url());
    expect(m).not.toMatch(/^kubescape_operator_result_writes_total\{op="(created|updated)"\} [1-9]/m);
    expect(await rvs()).toEqual(before);
    await kill9(e);
  });

  it("in-cluster config (service-account env, token and CA files) with restricted RBAC: a condition and a metric, no crash", async () => {
    // a service account that may read everything but Secrets, Roles and RoleBindings
    const ns = "ks-limited";
    c.kubectl(["create", "namespace", ns]);
    c.kubectl(["create", "serviceaccount", "operator", "-n", ns]);
    const rbac = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ks-limited-operator}
rules:
- {apiGroups: ["", apps, batch, networking.k8s.io, policy, autoscaling, storage.k8s.io, admissionregistration.k8s.io, coordination.k8s.io, discovery.k8s.io], resources: [pods, services, serviceaccounts, configmaps, namespaces, nodes, persistentvolumes, persistentvolumeclaims, endpoints, replicationcontrollers, podtemplates, deployments, replicasets, daemonsets, statefulsets, jobs, cronjobs, ingresses, networkpolicies, poddisruptionbudgets, horizontalpodautoscalers, storageclasses, csistoragecapacities, mutatingwebhookconfigurations, validatingwebhookconfigurations, leases, endpointslices], verbs: [get, list, watch]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles, clusterrolebindings], verbs: [get, list, watch]}
- {apiGroups: [spdx.softwarecomposition.kubescape.io], resources: ["*"], verbs: [get, list, watch, create, update, patch, delete]}
- {apiGroups: [operator.kubescape-ts.io], resources: [scancommands, scancommands/status], verbs: [get, list, watch, patch, update]}
- {apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [get, list]}
- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create, update]}
- {apiGroups: [""], resources: [configmaps], verbs: [create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ks-limited-operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ks-limited-operator}
subjects: [{kind: ServiceAccount, name: operator, namespace: ${ns}}]
`;
    expect(c.kubectl(["apply", "-f", "-"], rbac).code).toBe(0);
    const token = c.kubectl(["create", "token", "operator", "-n", ns]).stdout.trim();
    expect(token.length).toBeGreaterThan(20);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ks-sa-"));
    const sa = path.join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, "token"), token);
    fs.writeFileSync(path.join(sa, "namespace"), ns);
    fs.copyFileSync(path.join(c.dir, "pki", "ca.crt"), path.join(sa, "ca.crt"));
    const server = new URL(fs.readFileSync(path.join(c.dir, "apiserver.url"), "utf8").trim());
    const op = startOperator(["--in-cluster", "--service-account-root", root, "--identity", "limited", "--lease-duration", "3", "--operator-namespace", ns], {
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      KUBECONFIG: "",
      HOME: root,
    });
    await waitFor(() => /full scan: /.test(op.log()), 150_000, op.log);
    const url = await op.url();
    const m = await metrics(url);
    expect(m).toMatch(/^kubescape_operator_kind_forbidden\{kind="Secret"\} 1$/m);
    expect(m).toMatch(/^kubescape_operator_kind_forbidden\{kind="Role"\} 1$/m);
    const status = JSON.parse(c.kubectl(["get", "configmap", "kubescape-ts-operator-status", "-n", ns, "-o", "jsonpath={.data.status}"]).stdout);
    const cond = status.conditions.find((x: any) => x.type === "ListAllowed");
    expect(cond).toMatchObject({ status: "False", reason: "Forbidden" });
    expect(cond.message).toMatch(/forbidden to list .*secrets/);
    expect(op.proc.exitCode).toBeNull();
    const shown = runCli(["operator", "status", "--kubeconfig", c.kubeconfig, "--operator-namespace", ns]);
    expect(shown.stdout).toMatch(/✗ ListAllowed: Forbidden — forbidden to list/);
    expect(shown.stdout).toMatch(/leader: +limited/);
    await kill9(op);
  });

  it("install --dry-run output applies and uninstall removes it", async () => {
    const dry = runCli(["operator", "install", "--dry-run", "--renderer", "builtin", "--operator-namespace", "ks-install"]);
    expect(dry.code, dry.stderr).toBe(0);
    const applied = c.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], dry.stdout);
    expect(applied.code, applied.stderr).toBe(0);
    const dep = JSON.parse(c.kubectl(["get", "deployment", "kubescape-ts-operator", "-n", "ks-install", "-o", "json"]).stdout);
    expect(dep.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    const st = runCli(["operator", "status", "--kubeconfig", c.kubeconfig, "--operator-namespace", "ks-install"]);
    expect(st.stdout).toMatch(/deployment: +0\/2 ready · image ghcr.io\/kubescape-ts\/kubescape:0.1.0/);
    const un = runCli(["operator", "uninstall", "--kubeconfig", c.kubeconfig, "--operator-namespace", "ks-install", "--renderer", "builtin"]);
    expect(un.code, un.stderr).toBe(0);
    expect(c.kubectl(["get", "deployment", "kubescape-ts-operator", "-n", "ks-install"]).code).not.toBe(0);
    // a CRD goes once the API server's finalizer has removed its objects
    await waitFor(() => c.kubectl(["get", "crd", "workloadconfigurationscans.spdx.softwarecomposition.kubescape.io"]).code !== 0, 60_000);
  });
});
