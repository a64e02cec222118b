// The operator serving the storage API itself (--serve-storage), registered with an APIService,
// against a real kube-apiserver + etcd: everything is read through the API server's aggregator,
// as kubectl, our CLI and Kubescape's tools read it. The test cluster has no pod network, so the
// APIService's Service is an ExternalName to localhost. No mocks.
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, repoRoot } from "../support/cli.js";
import { deployment, killed, startCluster, storedResults, waitFor, type TestCluster } from "./support.js";
import { freePort } from "../support/net.js";
import { Kube, type WatchEvent } from "../../src/operator/kube.js";

let c: TestCluster;
let kube: Kube;
let port = 0;
let storeDir = "";
const procs: ChildProcess[] = [];
const API = "/apis/spdx.softwarecomposition.kubescape.io/v1beta1";

/** The operator serving storage on storagePort from dir; by default the only replica (no Lease). */
function startOperator(storagePort = port, dir = storeDir, replica: string[] = ["--no-leader-elect"]): { proc: ChildProcess; log: () => string } {
  let log = "";
  const proc = spawn(
    process.execPath,
    [
      path.join(repoRoot, "bin", "run.js"),
      ...["operator", "run", "--kubeconfig", c.kubeconfig, "--operator-namespace", "kubescape", ...replica, "--port", "0", "--threads", "1"],
      ...["--serve-storage", "--storage-dir", dir, "--storage-port", String(storagePort), "--host", "127.0.0.1"],
    ],
    { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  procs.push(proc);
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  return { proc, log: () => log };
}

const resultOf = (ns: string, kind: string, name: string) => storedResults(kube, ns, kind, name);

/** A request straight to the storage port, not through the API server. */
const direct = (p: string, opts: https.RequestOptions = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, path: p, rejectUnauthorized: false, ...opts }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });

let op: { proc: ChildProcess; log: () => string };

beforeAll(async () => {
  c = startCluster("storage-server", { seed: true });
  for (const ns of ["kubescape", "shop"]) c.kubectl(["create", "namespace", ns]);
  kube = await Kube.connect({ kubeconfig: c.kubeconfig });
  port = await freePort();
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-storage-"));
  const r = c.kubectl(
    ["apply", "-f", "-"],
    `apiVersion: v1
kind: Service
metadata: {name: kubescape-ts-storage, namespace: kubescape}
spec: {type: ExternalName, externalName: localhost, ports: [{port: ${port}}]}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.spdx.softwarecomposition.kubescape.io}
spec:
  group: spdx.softwarecomposition.kubescape.io
  version: v1beta1
  groupPriorityMinimum: 1000
  versionPriority: 15
  insecureSkipTLSVerify: true
  service: {name: kubescape-ts-storage, namespace: kubescape, port: ${port}}
`,
  );
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  kube?.close();
  c?.stop();
  if (storeDir) fs.rmSync(storeDir, { recursive: true, force: true });
});

describe("operator --serve-storage", () => {
  it("serves its results through the API server: every result listed, summaries derived, selectors and pages", async () => {
    op = startOperator();
    const line = await waitFor(() => /full scan: (\d+) objects, (\d+) results/.exec(op.log()), 150_000, op.log);
    expect(op.log()).toMatch(/serving the storage API on port \d+ \(0 results in /);
    const results = Number(line[2]);
    expect(results).toBeGreaterThan(50);
    // the API server finds the APIService available (it asked our discovery)
    await waitFor(() => /True/.test(c.kubectl(["get", "apiservice", "v1beta1.spdx.softwarecomposition.kubescape.io", "-o", "jsonpath={.status.conditions[0].status}"]).stdout), 30_000);
    const all = (await kube.list(`${API}/workloadconfigurationscans`)).items;
    expect(all).toHaveLength(results);
    const table = c.kubectl(["get", "workloadconfigurationscans", "-n", "ks-bad"]).stdout;
    expect(table).toMatch(/^NAME +AGE$/m);
    expect(table).toMatch(/^apps-v1-deployment-ks-bad-web-insecure-[0-9a-f]{4}-[0-9a-f]{4} +\d+s$/m);
    // no CRDs for results: the group is ours to serve
    expect(c.kubectl(["get", "crd", "workloadconfigurationscans.spdx.softwarecomposition.kubescape.io"]).code).not.toBe(0);

    const [bad] = await resultOf("ks-bad", "Deployment", "web-insecure");
    expect(bad.spec.controls["C-0057"].status.status).toBe("failed");
    expect(bad.metadata).toMatchObject({ namespace: "ks-bad", resourceVersion: expect.stringMatching(/^\d+$/), uid: expect.any(String), creationTimestamp: expect.any(String) });
    const summary = await kube.get<any>(`${API}/namespaces/ks-bad/workloadconfigurationscansummaries/${bad.metadata.name}`);
    expect(summary.kind).toBe("WorkloadConfigurationScanSummary");
    expect(summary.spec.controls["C-0057"].status.status).toBe("failed");
    expect(summary.spec.severities.high).toBeGreaterThan(0);
    const css = await kube.get<any>(`${API}/configurationscansummaries/ks-bad`);
    const inNs = all.filter((i: any) => i.metadata.namespace === "ks-bad");
    expect(css.spec.summaryRef).toHaveLength(inNs.length);
    expect(css.spec.severities.high).toBeGreaterThan(0);
    expect((await kube.find(`${API}/configurationscansummaries/no-such-namespace`)) ?? null).toBeNull();

    // pages of 7, joined, are the whole list in order
    const names: string[] = [];
    let cont = "";
    do {
      const page = await kube.get<any>(`${API}/workloadconfigurationscans?limit=7${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(7);
      names.push(...page.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`));
      cont = page.metadata.continue ?? "";
    } while (cont);
    expect(names).toEqual(all.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`));
    // a field selector, and a metadata-only list (no specs)
    const one = await kube.get<any>(`${API}/namespaces/ks-bad/workloadconfigurationscans?fieldSelector=metadata.name%3D${bad.metadata.name}`);
    expect(one.items.map((i: any) => i.metadata.name)).toEqual([bad.metadata.name]);
    const meta = await kube.reader.get<any>(`${API}/namespaces/ks-bad/workloadconfigurationscans`, "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
    expect(meta.kind).toBe("PartialObjectMetadataList");
    expect(meta.items).toHaveLength(inNs.length);
    expect(meta.items[0].spec).toBeUndefined();
  });

  it("a privileged Deployment's result shows C-0057 failed within 2 s, watched through the API server; fixed → passed; deleted → gone", async () => {
    const list = await kube.get<any>(`${API}/namespaces/shop/workloadconfigurationscans`);
    const events: WatchEvent[] = [];
    const ac = new AbortController();
    const watching = kube.watch(`${API}/namespaces/shop/workloadconfigurationscans`, list.metadata.resourceVersion, (e) => events.push(e), ac.signal, 60);
    const summaries: WatchEvent[] = [];
    const watchingCss = kube.watch(`${API}/configurationscansummaries`, list.metadata.resourceVersion, (e) => summaries.push(e), ac.signal, 60);

    expect(c.kubectl(["apply", "-f", "-"], deployment("priv", "shop", true)).code).toBe(0);
    const applied = Date.now();
    await waitFor(async () => (await resultOf("shop", "Deployment", "priv"))[0]?.spec.controls["C-0057"]?.status.status === "failed", 10_000);
    const latency = Date.now() - applied;
    expect(latency, `result ${latency} ms after the apply returned`).toBeLessThanOrEqual(2000);
    await waitFor(() => events.some((e) => e.type === "ADDED" && e.object.metadata.labels["kubescape.io/workload-name"] === "priv"), 5000);
    await waitFor(() => summaries.some((e) => e.type === "ADDED" && e.object.metadata.name === "shop"), 5000);

    c.kubectl(["apply", "-f", "-"], deployment("priv", "shop", false));
    await waitFor(() => events.some((e) => e.type === "MODIFIED" && e.object.spec.controls["C-0057"].status.status === "passed"), 10_000);

    c.kubectl(["delete", "deployment", "priv", "-n", "shop"]);
    await waitFor(() => events.some((e) => e.type === "DELETED" && e.object.metadata.labels["kubescape.io/workload-name"] === "priv"), 10_000);
    expect(await resultOf("shop", "Deployment", "priv")).toHaveLength(0);
    await waitFor(() => summaries.some((e) => e.type === "DELETED" && e.object.metadata.name === "shop"), 5000);
    expect((await kube.find(`${API}/configurationscansummaries/shop`)) ?? null).toBeNull();
    ac.abort();
    await Promise.all([watching, watchingCss]);
  });

  it("asks the API server who may read: a user without RBAC is refused; a client that is not the front proxy is refused", async () => {
    const refused = c.kubectl(["--context", "restricted", "get", "workloadconfigurationscans", "-n", "ks-bad"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/User "viewer" cannot list resource "workloadconfigurationscans" in API group "spdx.softwarecomposition.kubescape.io" in the namespace "ks-bad"/);
    // allowed once RBAC says so
    c.kubectl(["create", "role", "read-results", "-n", "ks-bad", "--verb=get,list", "--resource=workloadconfigurationscans.spdx.softwarecomposition.kubescape.io"]);
    c.kubectl(["create", "rolebinding", "read-results", "-n", "ks-bad", "--role=read-results", "--user=viewer"]);
    await waitFor(() => c.kubectl(["--context", "restricted", "get", "workloadconfigurationscans", "-n", "ks-bad", "-o", "name"]).stdout.includes("workloadconfigurationscan"), 15_000);
    expect(c.kubectl(["--context", "restricted", "get", "workloadconfigurationscans", "-n", "shop"]).code).not.toBe(0);

    // straight to the port: no client certificate, or the cluster CA's admin certificate claiming a user
    expect((await direct(`${API}/workloadconfigurationscans`, { headers: { "X-Remote-User": "system:admin", "X-Remote-Group": "system:masters" } })).status).toBe(401);
    const pki = path.join(c.dir, "pki");
    const asAdmin = await direct(`${API}/workloadconfigurationscans`, {
      cert: fs.readFileSync(path.join(pki, "admin.crt")),
      key: fs.readFileSync(path.join(pki, "admin.key")),
      headers: { "X-Remote-User": "system:admin", "X-Remote-Group": "system:masters" },
    });
    expect(asAdmin.status).toBe(401);
    expect(asAdmin.body).not.toMatch(/C-0057/);
  });

  it("operator results and operator status read it like any storage", () => {
    const r = runCli(["operator", "results", "--kubeconfig", c.kubeconfig, "-n", "ks-bad", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const web = report.resources.find((x: any) => x.kind === "Deployment" && x.name === "web-insecure");
    expect(web.findings.map((f: any) => `${f.controlID} ${f.status}`)).toContain("C-0057 failed");
    const s = runCli(["operator", "status", "--kubeconfig", c.kubeconfig, "--operator-namespace", "kubescape"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/storage: +ours \(served by the operator\) · \d+ workload results/);
  });

  it("kill -9 and restart on the same store: nothing rewritten that did not change, same resourceVersions", async () => {
    const rvs = async () =>
      new Map<string, string>((await kube.get<any>(`${API}/workloadconfigurationscans`)).items.map((i: any) => [`${i.metadata.namespace}/${i.metadata.name}`, i.metadata.resourceVersion]));
    const before = await rvs();
    await killed(op.proc);
    // a record cut short by the kill is named and dropped, not fatal
    fs.appendFileSync(path.join(storeDir, "results.log"), '{"t":"put","ns":"shop","name":"cut-short"');
    op = startOperator();
    await waitFor(() => /full scan: /.test(op.log()), 150_000, op.log);
    expect(op.log()).toMatch(/results\.log: \d+ bytes at the end are not a whole record \(a write cut short\); dropped/);
    // (an object made while it was down, such as its status ConfigMap, is created)
    expect(op.log()).toMatch(new RegExp(`full scan: .*; ${before.size} stored before, \\d+ created, 0 updated, ${before.size} unchanged, 0 deleted\\)`));
    const after = await rvs();
    for (const [k, rv] of before) expect(after.get(k), k).toBe(rv);
  });

  it("two replicas: the standby is not ready (the leader serves the storage API); killed, the other leads, is ready and serves its own results", async () => {
    await killed(op.proc);
    const ports = [await freePort(), await freePort()];
    const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), "ks-storage-a-")), fs.mkdtempSync(path.join(os.tmpdir(), "ks-storage-b-"))];
    const replica = (id: string) => ["--identity", id, "--lease-duration", "3"];
    const a = startOperator(ports[0], dirs[0], replica("sa"));
    await waitFor(() => /full scan: /.test(a.log()), 150_000, a.log);
    const b = startOperator(ports[1], dirs[1], replica("sb"));
    const url = async (o: { log: () => string }) => `http://127.0.0.1:${(await waitFor(() => /operator http:\/\/[^:]+:(\d+)/.exec(o.log()), 120_000, o.log))[1]}`;
    const [ua, ub] = [await url(a), await url(b)];
    const ready = async (u: string) => {
      const r = await fetch(`${u}/readyz`);
      return `${r.status} ${(await r.text()).trim()}`;
    };
    await waitFor(async () => (await ready(ub)) !== "503 lists not complete", 60_000, b.log);
    expect(await ready(ua)).toBe("200 ok");
    expect(await ready(ub)).toBe("503 standby: the leader serves the storage API");
    await killed(a.proc);
    await waitFor(() => /full scan: /.test(b.log()), 60_000, b.log);
    expect(await ready(ub)).toBe("200 ok");
    // the APIService's Service to the new leader (in a cluster, readiness does this)
    c.kubectl(["patch", "service", "kubescape-ts-storage", "-n", "kubescape", "--type=merge", "-p", JSON.stringify({ spec: { ports: [{ port: ports[1] }] } })]);
    c.kubectl(["patch", "apiservice", "v1beta1.spdx.softwarecomposition.kubescape.io", "--type=merge", "-p", JSON.stringify({ spec: { service: { port: ports[1] } } })]);
    await waitFor(async () => (await resultOf("ks-bad", "Deployment", "web-insecure").catch(() => []))[0]?.spec.controls["C-0057"]?.status.status === "failed", 30_000);
    await killed(b.proc);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
});
