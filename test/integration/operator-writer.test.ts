// The operator's result writer against a real kube-apiserver + etcd with our storage CRDs:
// bounded requests in flight, event writes ahead of a bulk backlog, unchanged results not
// sent again (also by a new writer that reads what is stored), older scans never overwrite
// newer results, and a result changed behind its back is read again and replaced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./support.js";
import { Kube } from "../../src/operator/kube.js";
import { allChartCrds } from "../../src/operator/chart.js";
import { ResultWriter, type StoredObject } from "../../src/operator/writer.js";
import { KINDS, LABEL, MANAGED_BY, STORAGE_API_VERSION, ANNOTATION } from "../../src/operator/storage.js";

let c: TestCluster;
let kube: Kube;
const NS = "writer";
const WCS = `/apis/spdx.softwarecomposition.kubescape.io/v1beta1/namespaces/${NS}/workloadconfigurationscans`;

/** Counts the requests the writer's client has in flight (the client, not the server, is instrumented). */
function instrument(k: Kube) {
  const seen = { now: 0, max: 0, total: 0, order: [] as string[] };
  const request = k.request.bind(k);
  k.request = (async (method: string, p: string, ...rest: unknown[]) => {
    seen.now++;
    seen.total++;
    seen.max = Math.max(seen.max, seen.now);
    try {
      return await (request as any)(method, p, ...rest);
    } finally {
      seen.now--;
      seen.order.push(`${method} ${p.split("/").pop()}`);
    }
  }) as Kube["request"];
  return seen;
}

const result = (name: string, failed: boolean): StoredObject => ({
  apiVersion: STORAGE_API_VERSION,
  kind: "WorkloadConfigurationScan",
  metadata: { name, namespace: NS, labels: { [LABEL.managedBy]: MANAGED_BY }, annotations: { [ANNOTATION.scannedAt]: new Date().toISOString() } },
  spec: {
    controls: { "C-0057": { controlID: "C-0057", name: "Privileged container", severity: { severity: "High", scoreFactor: 8 }, status: { status: failed ? "failed" : "passed" } } },
    relatedObjects: [],
  },
});

beforeAll(async () => {
  c = startCluster("writer");
  const crds = c.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: allChartCrds() }));
  expect(crds.code, crds.stderr).toBe(0);
  c.kubectl(["create", "namespace", NS]);
  c.kubectl(["wait", "--for=condition=Established", "crd/workloadconfigurationscans.spdx.softwarecomposition.kubescape.io", "--timeout=30s"]);
  kube = await Kube.connect({ kubeconfig: c.kubeconfig });
});
afterAll(() => {
  kube?.close();
  c?.stop();
});

describe("result writer", () => {
  it("keeps bulk writes within their bound, yet writes concurrently", async () => {
    const k = await Kube.connect({ kubeconfig: c.kubeconfig });
    const seen = instrument(k);
    const w = new ResultWriter(k, { concurrency: 6, bulkConcurrency: 4 });
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => w.put(KINDS.scan, result(`bulk-${i}`, i % 2 === 0), 1, "bulk")));
    k.close();
    expect(outcomes.every((o) => o === "created")).toBe(true);
    expect(seen.total).toBe(60);
    expect(seen.max).toBeLessThanOrEqual(4);
    expect(seen.max).toBeGreaterThan(1);
    expect(w.stats.maxInFlight).toBe(seen.max);
  });

  it("an event write is served ahead of a bulk backlog", async () => {
    const k = await Kube.connect({ kubeconfig: c.kubeconfig });
    const seen = instrument(k);
    const w = new ResultWriter(k, { concurrency: 3, bulkConcurrency: 2 });
    const done: string[] = [];
    const bulk = Array.from({ length: 40 }, (_, i) => w.put(KINDS.scan, result(`backlog-${i}`, true), 1, "bulk").then(() => done.push("bulk")));
    await new Promise((r) => setTimeout(r, 20));
    expect(await w.put(KINDS.scan, result("event-0", true), 2, "event")).toBe("created");
    const bulkBefore = done.length;
    await Promise.all(bulk);
    k.close();
    // it waited for no more than the bulk writes already in flight (and those that finished in the 20 ms)
    expect(bulkBefore, `bulk writes done before the event's: ${bulkBefore} of 40`).toBeLessThan(10);
    expect(seen.max).toBeLessThanOrEqual(3);
  });

  it("does not send what is stored unchanged, also after a restart (a new writer reads the digests back)", async () => {
    const k = await Kube.connect({ kubeconfig: c.kubeconfig });
    const seen = instrument(k);
    const w = new ResultWriter(k);
    expect(await w.put(KINDS.scan, result("same", true), 1, "bulk")).toBe("created");
    const rv = (await kube.get<any>(`${WCS}/same`)).metadata.resourceVersion;
    const sent = seen.total;
    // only the scan time differs: no request
    expect(await w.put(KINDS.scan, result("same", true), 2, "bulk")).toBe("unchanged");
    expect(seen.total).toBe(sent);
    k.close();

    const k2 = await Kube.connect({ kubeconfig: c.kubeconfig });
    const seen2 = instrument(k2);
    const w2 = new ResultWriter(k2);
    expect(await w2.load([KINDS.scan, KINDS.summary])).toBeGreaterThanOrEqual(1);
    const listed = seen2.total;
    expect(await w2.put(KINDS.scan, result("same", true), 1, "bulk")).toBe("unchanged");
    expect(seen2.total).toBe(listed);
    expect((await kube.get<any>(`${WCS}/same`)).metadata.resourceVersion).toBe(rv);
    // a change is a replace of the stored object (its resourceVersion known from the list)
    expect(await w2.put(KINDS.scan, result("same", false), 2, "bulk")).toBe("updated");
    expect(seen2.order.slice(-1)).toEqual(["PUT same"]);
    const now = await kube.get<any>(`${WCS}/same`);
    expect(now.spec.controls["C-0057"].status.status).toBe("passed");
    expect(now.metadata.resourceVersion).not.toBe(rv);
    k2.close();
  });

  it("an older scan's result never replaces a newer one, nor brings back a deleted one", async () => {
    const w = new ResultWriter(kube);
    expect(await w.put(KINDS.scan, result("gen", false), 5, "event")).toBe("created");
    expect(await w.put(KINDS.scan, result("gen", true), 4, "bulk")).toBe("stale");
    expect((await kube.get<any>(`${WCS}/gen`)).spec.controls["C-0057"].status.status).toBe("passed");
    expect(await w.remove(KINDS.scan, NS, "gen", 6, "event")).toBe(true);
    expect(await w.put(KINDS.scan, result("gen", true), 5, "bulk")).toBe("stale");
    expect(await kube.find(`${WCS}/gen`)).toBeUndefined();
    // what a full scan of generation 7 did not touch is what it deletes afterwards
    expect(await w.put(KINDS.scan, result("kept", true), 7, "bulk")).toBe("created");
    expect(await w.put(KINDS.scan, result("old", true), 3, "bulk")).toBe("created");
    const stale = [...w.storedBefore(KINDS.scan, 7)].map((x) => x.name);
    expect(stale).toContain("old");
    expect(stale).not.toContain("kept");
  });

  it("a result changed or deleted behind its back is read again and written", async () => {
    const w = new ResultWriter(kube);
    expect(await w.put(KINDS.scan, result("moved", true), 1, "event")).toBe("created");
    expect(c.kubectl(["label", "workloadconfigurationscans", "moved", "-n", NS, "extra=1"]).code).toBe(0);
    expect(await w.put(KINDS.scan, result("moved", false), 2, "event")).toBe("updated");
    const now = await kube.get<any>(`${WCS}/moved`);
    expect(now.spec.controls["C-0057"].status.status).toBe("passed");
    expect(now.metadata.labels.extra).toBeUndefined();
    expect(w.stats.conflicts).toBe(1);
    expect(c.kubectl(["delete", "workloadconfigurationscans", "moved", "-n", NS]).code).toBe(0);
    expect(await w.put(KINDS.scan, result("moved", true), 3, "event")).toBe("created");
    expect((await kube.get<any>(`${WCS}/moved`)).spec.controls["C-0057"].status.status).toBe("failed");
  });
});
