// The operator's own result store (served as the storage API by storage-server.ts): writes
// with the API server's conflict rules, an index that survives a restart, summaries derived
// from the scans, watches from a resourceVersion; its selectors; its self-signed certificate.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ResultStore, type StoreEvent } from "../src/operator/store.js";
import { matches, parseSelector } from "../src/operator/storage-server.js";
import { selfSignedCert, uint } from "../src/operator/cert.js";
import { ResultWriter } from "../src/operator/writer.js";
import { KINDS, type ObjectFindings, type SpecTables } from "../src/operator/storage.js";
import { defer, specMaker } from "../src/operator/render.js";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ks-store-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const scan = (ns: string, name: string, failed: Record<string, string> = {}, extra: Record<string, string> = {}) => ({
  apiVersion: "spdx.softwarecomposition.kubescape.io/v1beta1",
  kind: "WorkloadConfigurationScan",
  metadata: { name, namespace: ns, labels: { "app.kubernetes.io/managed-by": "kubescape-ts", "kubescape.io/workload-name": name, ...extra }, annotations: {} as Record<string, string> },
  spec: {
    controls: {
      "C-0057": { controlID: "C-0057", name: "Privileged container", severity: { severity: failed["C-0057"] ?? "High", scoreFactor: 8 }, status: { status: "C-0057" in failed ? "failed" : "passed" } },
      "C-0013": { controlID: "C-0013", name: "Non-root containers", severity: { severity: "Medium", scoreFactor: 6 }, status: { status: "C-0013" in failed ? "failed" : "passed" } },
    },
    relatedObjects: [],
  },
});

describe("ResultStore", () => {
  it("creates, replaces with the stored resourceVersion only, and deletes, as the API server would answer", async () => {
    const store = await ResultStore.open(tmp());
    const a = await store.put(scan("shop", "web"), "create");
    expect(a.resourceVersion).toBe("1");
    expect(a.uid).toMatch(/^[0-9a-f-]{36}$/);
    await expect(store.put(scan("shop", "web"), "create")).rejects.toMatchObject({ status: 409, reason: "AlreadyExists" });
    await expect(store.put({ ...scan("shop", "web"), metadata: { ...scan("shop", "web").metadata, resourceVersion: "7" } }, "replace")).rejects.toMatchObject({ status: 409, reason: "Conflict" });
    await expect(store.put(scan("shop", "nope"), "replace")).rejects.toMatchObject({ status: 404 });
    const b = await store.put({ ...scan("shop", "web", { "C-0057": "High" }), metadata: { ...scan("shop", "web").metadata, resourceVersion: "1" } }, "replace");
    expect(b.resourceVersion).toBe("2");
    // what it was created with stays
    expect(b.uid).toBe(a.uid);
    expect(b.creationTimestamp).toBe(a.creationTimestamp);
    expect((await store.read("shop", "web"))?.spec.controls["C-0057"].status.status).toBe("failed");
    expect(await store.delete("shop", "web")).toMatchObject({ name: "web" });
    expect(await store.read("shop", "web")).toBeUndefined();
    expect(await store.delete("shop", "web")).toBeUndefined();
    // names that are no Kubernetes names never reach the file system
    await expect(store.put(scan("../etc", "passwd"), "create")).rejects.toMatchObject({ status: 422 });
    await expect(store.put(scan("shop", "a/b"), "create")).rejects.toMatchObject({ status: 422 });
  });

  it("reopens what it wrote (same resourceVersions, the counter past them) and drops a line cut short by a kill", async () => {
    const dir = tmp();
    const store = await ResultStore.open(dir);
    await store.put(scan("shop", "web"), "create");
    await store.put(scan("shop", "api", { "C-0057": "High" }), "create");
    await store.put(scan("bank", "db"), "create");
    await store.delete("shop", "web");
    await store.put(scan("shop", "web", { "C-0013": "Medium" }), "create");
    store.close();
    const log = path.join(dir, "results.log");
    const whole = fs.statSync(log).size;
    fs.appendFileSync(log, '{"t":"put","ns":"shop","name":"cut","rv":99,"meta":{');
    const warnings: string[] = [];
    const again = await ResultStore.open(dir, (l) => warnings.push(l));
    expect(again.size).toBe(3);
    expect([...again.metas()].map((m) => `${m.namespace}/${m.name}@${m.resourceVersion}`)).toEqual(["bank/db@3", "shop/api@2", "shop/web@5"]);
    expect((await again.read("shop", "web"))?.spec.controls["C-0013"].status.status).toBe("failed");
    expect(again.namespaceSummary("shop")!.spec.severities).toEqual({ critical: 0, high: 1, medium: 1, low: 0, unknown: 0 });
    expect(warnings).toEqual([expect.stringMatching(/results\.log: .*bytes at the end are not a whole record \(a write cut short\); dropped/)]);
    expect(fs.statSync(log).size).toBe(whole);
    expect((await again.put(scan("shop", "new"), "create")).resourceVersion).toBe("6");
    again.close();
    // a record that is not readable: it and what follows are dropped, what precedes it kept
    fs.appendFileSync(log, "not json\n" + fs.readFileSync(log, "utf8"));
    const warned: string[] = [];
    const third = await ResultStore.open(dir, (l) => warned.push(l));
    expect(third.size).toBe(4);
    expect(warned.join("\n")).toMatch(/is not readable .*; it and what follows are dropped/);
    third.close();
  });

  it("writes appended lines together: readable at once, in the file by the next turn of the event loop, all of them past a MiB", async () => {
    const dir = tmp();
    const log = path.join(dir, "results.log");
    const store = await ResultStore.open(dir);
    await store.put(scan("shop", "web", { "C-0057": "High" }), "create");
    await store.put(scan("shop", "api"), "create");
    // not in the file yet; a read writes them first
    expect(fs.statSync(log).size).toBe(0);
    expect((await store.read("shop", "web"))?.spec.controls["C-0057"].status.status).toBe("failed");
    const written = fs.statSync(log).size;
    expect(written).toBeGreaterThan(0);
    await store.put(scan("shop", "db"), "create");
    expect(fs.statSync(log).size).toBe(written);
    await new Promise((r) => setImmediate(r));
    expect(fs.statSync(log).size).toBeGreaterThan(written);
    // a MiB of lines in one turn: written as they pass it, the rest by the next turn
    const big = scan("bank", "big");
    (big.spec as Record<string, unknown>).relatedObjects = [{ namespace: "bank", apiGroup: "", apiVersion: "v1", kind: "ConfigMap", name: "x".repeat(200) }];
    const before = fs.statSync(log).size;
    for (let i = 0; i < 3000; i++) await store.put({ ...big, metadata: { ...big.metadata, name: `big-${i}` } }, "create");
    expect(fs.statSync(log).size - before).toBeGreaterThan(1 << 20);
    store.close();
    const again = await ResultStore.open(dir);
    expect(again.size).toBe(3003);
    expect((await again.read("bank", "big-2999"))?.metadata.name).toBe("big-2999");
    again.close();
  });

  it("rewrites the log with only the current lines when most of it is superseded", async () => {
    const dir = tmp();
    const store = await ResultStore.open(dir);
    for (let i = 0; i < 20; i++) await store.put(scan("shop", "web", i % 2 ? { "C-0057": "High" } : {}), i ? "replace" : "create");
    await store.put(scan("shop", "api"), "create");
    store.close();
    const log = path.join(dir, "results.log");
    const before = fs.statSync(log).size;
    const again = await ResultStore.open(dir);
    // 21 lines, of which 19 superseded: rewritten at open
    expect(fs.statSync(log).size).toBeLessThan(before / 5);
    expect([...again.metas()].map((m) => `${m.name}@${m.resourceVersion}`)).toEqual(["api@21", "web@20"]);
    expect((await again.read("shop", "web"))?.spec.controls["C-0057"].status.status).toBe("failed");
    await again.put(scan("shop", "db"), "create");
    again.close();
    const third = await ResultStore.open(dir);
    expect(third.size).toBe(3);
    expect((await third.read("shop", "db"))?.metadata.resourceVersion).toBe("22");
    third.close();
  });

  it("keeps a deferred result as its findings and its tables once, and reads back the object they make, after reopening and compaction too", async () => {
    const control = (id: string, name: string, severity: "High" | "Medium", baseScore: number, rule: string) => ({
      id,
      name,
      severity,
      baseScore,
      kinds: new Set(["Deployment"]),
      rules: [{ name: rule, matchKinds: ["Deployment"] }],
      frameworks: [],
    });
    const tables: SpecTables = {
      controls: [control("C-0057", "Privileged container", "High", 8, "rule-privileged-container"), control("C-0013", "Non-root containers", "Medium", 6, "non-root-containers")],
      outcomes: {},
    };
    const ref = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", name, namespace: "shop" });
    const failing = (name: string): ObjectFindings => ({
      ref: ref(name),
      findings: [{ controlID: "C-0057", status: "failed", paths: [{ failedPath: "spec.template.spec.containers[0].securityContext.privileged" }], relatedObjects: [] }],
    });
    const md = (name: string) => ({ name, namespace: "shop", labels: { "app.kubernetes.io/managed-by": "kubescape-ts" }, annotations: {} });
    const dir = tmp();
    const log = path.join(dir, "results.log");
    const store = await ResultStore.open(dir);
    await store.put(defer(md("web"), failing("web"), tables), "create");
    await store.put(defer(md("api"), { ref: ref("api"), findings: [] }, tables), "create");
    // the same content in another object: the same tables
    await store.put(defer(md("db"), failing("db"), { ...tables }), "create");
    const want = (findings: ObjectFindings) => specMaker(tables).spec(findings);
    const check = async (s: ResultStore) => {
      const web = await s.read("shop", "web");
      expect(web).toEqual({ apiVersion: "spdx.softwarecomposition.kubescape.io/v1beta1", kind: "WorkloadConfigurationScan", metadata: s.meta("shop", "web"), spec: want(failing("web")) });
      expect(web!.spec.controls["C-0057"]).toMatchObject({ status: { status: "failed" }, rules: [{ paths: [{ failedPath: "spec.template.spec.containers[0].securityContext.privileged" }] }] });
      expect((await s.read("shop", "api"))!.spec.controls["C-0013"].status.status).toBe("passed");
      expect(s.namespaceSummary("shop")!.spec.severities.high).toBe(2);
      expect(JSON.parse((await s.raw("shop", "db"))!.toString("utf8")).spec).toEqual(want(failing("db")));
    };
    await check(store);
    const tablesLines = () =>
      fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith('{"t":"tables"'));
    expect(tablesLines()).toHaveLength(1);
    // the log holds the findings, not the spec they make
    const webLine = fs
      .readFileSync(log, "utf8")
      .split("\n")
      .find((l) => l.includes('"name":"web"'))!;
    expect(webLine.split("\t")[1]).toBe(JSON.stringify(failing("web")));
    // superseded until compacted at the next open
    for (let i = 0; i < 20; i++) await store.put({ ...defer(md("web"), failing("web"), tables), metadata: { ...md("web"), resourceVersion: undefined } }, "replace");
    store.close();
    const before = fs.statSync(log).size;
    const again = await ResultStore.open(dir);
    expect(fs.statSync(log).size).toBeLessThan(before);
    expect(tablesLines()).toHaveLength(1);
    await check(again);
    again.close();
    // a record naming tables the log does not hold (never written by the store): dropped, with what follows
    fs.appendFileSync(log, `${JSON.stringify({ t: "put", ns: "shop", name: "odd", rv: 99, meta: { ...md("odd"), resourceVersion: "99" }, tab: "nope" })}\t{}\n`);
    const warned: string[] = [];
    const third = await ResultStore.open(dir, (l) => warned.push(l));
    expect(third.meta("shop", "odd")).toBeUndefined();
    expect(warned.join("\n")).toMatch(/spec tables "nope" are not in the log before it/);
    await check(third);
    third.close();
  });

  it("derives each scan's summary and each namespace's summary from the scans", async () => {
    const store = await ResultStore.open(tmp());
    await store.put(scan("shop", "web", { "C-0057": "High", "C-0013": "Medium" }), "create");
    await store.put(scan("shop", "api", { "C-0057": "Critical" }), "create");
    await store.put(scan("bank", "db"), "create");
    const s = ResultStore.summaryOf((await store.read("shop", "web"))!);
    expect(s.kind).toBe("WorkloadConfigurationScanSummary");
    expect(s.metadata.resourceVersion).toBe("1");
    expect(s.spec.severities).toEqual({ critical: 0, high: 1, medium: 1, low: 0, unknown: 0 });
    expect(s.spec.controls["C-0057"]).toEqual({ controlID: "C-0057", severity: { severity: "High", scoreFactor: 8 }, status: { status: "failed" } });
    const css = store.namespaceSummary("shop")!;
    expect(css.spec.severities).toEqual({ critical: 1, high: 1, medium: 1, low: 0, unknown: 0 });
    expect(css.spec.summaryRef).toEqual([
      { namespace: "shop", kind: "WorkloadConfigurationScanSummary", name: "api" },
      { namespace: "shop", kind: "WorkloadConfigurationScanSummary", name: "web" },
    ]);
    expect(css.metadata.resourceVersion).toBe("2");
    expect(store.namespaceSummary("bank")!.spec.severities.high).toBe(0);
    await store.delete("bank", "db");
    expect(store.namespaceSummary("bank")).toBeUndefined();
    expect(store.namespaces()).toEqual(["shop"]);
  });

  it("replays changes after a recent resourceVersion to a watch, and refuses one older than it keeps", async () => {
    const store = await ResultStore.open(tmp());
    for (let i = 0; i < 5; i++) await store.put(scan("shop", `w${i}`), "create");
    await store.delete("shop", "w0");
    const seen: StoreEvent[] = [];
    const stop = store.subscribe((e) => seen.push(e), 3)!;
    expect(seen.map((e) => `${e.type} ${e.name} ${e.rv}`)).toEqual(["ADDED w3 4", "ADDED w4 5", "DELETED w0 6"]);
    // a deleted scan's last state, with the deletion's resourceVersion
    expect(await seen[2].scan()).toMatchObject({ metadata: { name: "w0", resourceVersion: "6" } });
    await store.put(scan("shop", "w9"), "create");
    expect(seen.at(-1)).toMatchObject({ type: "ADDED", name: "w9", rv: 7 });
    stop();
    await store.put(scan("shop", "w10"), "create");
    expect(seen).toHaveLength(4);
    // no resourceVersion given: an unconditional replace
    for (let i = 0; i < 4100; i++) await store.put(scan("shop", "w9"), "replace");
    expect(store.subscribe(() => {}, 3)).toBeUndefined();
  }, 60_000);

  it("is a writer's backend: the summaries are derived, so only scans are written", async () => {
    const store = await ResultStore.open(tmp());
    const w = new ResultWriter(store.backend());
    expect(await w.put(KINDS.scan, scan("shop", "web"), 1, "bulk")).toBe("created");
    expect(await w.put(KINDS.scan, scan("shop", "web"), 2, "bulk")).toBe("unchanged");
    expect(await w.put(KINDS.scan, scan("shop", "web", { "C-0057": "High" }), 3, "bulk")).toBe("updated");
    await expect(w.put(KINDS.summary, scan("shop", "web") as any, 4, "bulk")).rejects.toMatchObject({ status: 405 });
    // a restart: the writer reads digests back from the store and writes nothing unchanged
    const w2 = new ResultWriter((await ResultStore.open(store.dir)).backend());
    expect(await w2.load([KINDS.scan, KINDS.summary])).toBe(1);
    expect(await w2.put(KINDS.scan, scan("shop", "web", { "C-0057": "High" }), 1, "bulk")).toBe("unchanged");
  });
});

describe("selectors", () => {
  const labels = { app: "web", tier: "front", "kubescape.io/workload-kind": "Deployment" };
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app=api", false],
    ["app in (api, web)", true],
    ["app notin (api,web)", false],
    ["tier,app=web", true],
    ["!tier", false],
    ["missing", false],
    ["!missing", true],
    ["missing!=x", true],
    ["kubescape.io/workload-kind=Deployment,app in (web),tier notin (back)", true],
  ])("%j → %s", (sel, want) => {
    expect(matches(parseSelector(sel), labels)).toBe(want);
  });
});

describe("selfSignedCert", () => {
  it("is a valid, self-signed P-256 serving certificate for the names given, usable by TLS", () => {
    const { cert, key } = selfSignedCert("kubescape-ts-storage", ["localhost", "127.0.0.1", "storage.kubescape.svc"]);
    const x = new X509Certificate(cert);
    expect(x.subject).toBe("CN=kubescape-ts-storage");
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkHost("storage.kubescape.svc")).toBe("storage.kubescape.svc");
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x.ca).toBe(false);
    expect(x.keyUsage ?? ["1.3.6.1.5.5.7.3.1"]).toContain("1.3.6.1.5.5.7.3.1");
    expect(Date.parse(x.validTo) - Date.now()).toBeGreaterThan(364 * 86_400_000);
    expect(() => tls.createSecureContext({ cert, key })).not.toThrow();
    // a new key each time
    expect(selfSignedCert("x", ["localhost"]).key).not.toBe(key);
  });

  // The serial is random: one in 256 began with a zero byte before a byte under 0x80, which
  // OpenSSL refuses as "illegal padding" (seen in CI); one with a high bit needs a zero added.
  it.each([
    ["a zero byte then a low one", "0010aabbccddeeff00112233445566"],
    ["zero bytes only but the last", "00000000000000000000000000000001"],
    ["a high bit", "80112233445566778899aabbccddeeff"],
    ["a zero byte then a high one", "00ff112233445566778899aabbccddee"],
  ])("encodes a serial with %s as DER, which OpenSSL reads", (_, hex) => {
    const serial = Buffer.from(hex, "hex");
    const x = new X509Certificate(selfSignedCert("x", ["localhost"], 1, serial).cert);
    expect(BigInt("0x" + x.serialNumber)).toBe(BigInt("0x" + hex));
  });
  it.each([
    ["00", "020100"],
    ["0000", "020100"],
    ["007f", "02017f"],
    ["0080", "02020080"],
    ["80", "02020080"],
  ])("uint(%s) is %s", (hex, der) => {
    expect(uint(Buffer.from(hex, "hex")).toString("hex")).toBe(der);
  });
});
