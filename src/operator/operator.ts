// The in-cluster operator: one process that keeps the kinds the selected controls need in
// memory (list + watch), rescans what changes, and keeps Kubescape-shaped results
// (storage.ts) in the cluster. One long-lived Scanner serves every scan.
//
// - A change is queued by object key (a storm of events for one object is one entry), the
//   queue is bounded (past maxQueue it collapses into one full scan), and a short debounce
//   batches what arrives together into one scan.
// - A changed object is scanned with what its cross-object rules need (the objects of the
//   other kinds those rules match; within its namespace when the rule decides per namespace),
//   and only the controls that check its kind run. A changed non-workload object (a
//   NetworkPolicy, a RoleBinding, …) also requeues the objects of its namespace that share a
//   cross-object rule with it, since their results may depend on it.
// - A full scan runs at start (once the lists are in), every interval, when this replica becomes
//   leader and when asked; afterwards results of objects that no longer exist are deleted (the
//   API server runs no garbage collector for them).
// - Only the leader (a coordination.k8s.io Lease) writes; the others keep their caches warm.
import http from "node:http";
import { setMaxListeners } from "node:events";
import os from "node:os";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { Scanner, selectControls } from "../core/scanner.js";
import { collectGarbage } from "../core/engine/memory.js";
import type { Control } from "../core/engine/registry.js";
import type { K8sObject, ScanObject } from "../core/model.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { Source, SourceObjects } from "../core/sources/source.js";
import { clean, discover, type ResourceInfo } from "../core/sources/cluster/index.js";
import type { KubeConfigOptions } from "../core/sources/cluster/kubeconfig.js";
import { Kube, collectionPath, objectPath, type ApiError } from "./kube.js";
import { ResultWriter, type Priority } from "./writer.js";
import { ResultStore } from "./store.js";
import { allChartCrds } from "./chart.js";
import { StorageServer } from "./storage-server.js";
import { LeaderElector } from "./leader.js";
import { defer, renderWithSummary, specMaker } from "./render.js";
import {
  KINDS,
  LABEL,
  MANAGED_BY,
  STORAGE_API_VERSION,
  STORAGE_GROUP,
  STORAGE_VERSION,
  controlInfo,
  emptySeverities,
  findingsReader,
  mappingTables,
  refKey,
  resultMetadata,
  resultName,
  toNamespaceSummaries,
  type ControlInfo,
  type ObjectRef,
  type Severities,
} from "./storage.js";
import { COMMAND_GROUP, COMMAND_VERSION, COMMAND_PLURAL, LEASE_NAME, STATUS_CONFIGMAP, TRIGGER_COMMANDS, type OperatorStatus, type Condition } from "./protocol.js";
import { VERSION } from "../version.js";

export interface OperatorOptions {
  kube: KubeConfigOptions;
  /** the operator's namespace: the Lease, ScanCommands, the status ConfigMap and the results of cluster-scoped objects */
  namespace: string;
  frameworks?: string[];
  controls?: string[];
  /** between full scans (default 24 h) */
  intervalMs?: number;
  /** how long a change waits for others to batch with (default 100 ms) */
  debounceMs?: number;
  /** changed objects queued at most; past it the queue becomes one full scan (default 10,000) */
  maxQueue?: number;
  leaseSeconds?: number;
  leaseName?: string;
  identity?: string;
  /** false: act as leader without a Lease (one replica) */
  leaderElection?: boolean;
  host?: string;
  port?: number;
  /** install our CRDs when the storage group is not served (default true) */
  installCrds?: boolean;
  /** for Kubescape's wlid annotation */
  clusterName?: string;
  /** the chart whose CRDs are installed when missing (default: the package's charts/kubescape-operator) */
  chartDir?: string;
  log?: (line: string) => void;
  /** kinds not to read at all (their controls are skipped with that reason), e.g. Secret for least privilege */
  skipKinds?: string[];
  /** scanner options (tests and the bench: fewer threads) */
  threads?: number;
  /** result writes in flight at most (default 24), of which a full scan's at most (default 16) */
  writeConcurrency?: number;
  bulkWriteConcurrency?: number;
  /**
   * Serve the storage API ourselves (storage-server.ts, registered by an APIService) from a
   * store in dir, instead of writing results through the API server: the summaries are derived
   * on read, and a result costs a file write, not the API server's decoding and validation.
   */
  serveStorage?: { dir: string; host?: string; port?: number; cert?: string; key?: string };
}

const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"]);
const STORAGE_PATH = `/apis/${STORAGE_GROUP}/${STORAGE_VERSION}`;

interface Cached {
  ref: ObjectRef;
  object: K8sObject;
}

interface Kind {
  info: ResourceInfo;
  objects: Map<string, Cached>;
  synced: boolean;
  forbidden?: string;
}

type Pending = Map<string, { ref: ObjectRef; cascade: boolean }>;

export class Operator {
  private scanner!: Scanner;
  private kube!: Kube;
  private controls: Control[] = [];
  private controlInfos: ControlInfo[] = [];
  private kinds = new Map<string, Kind>();
  private pending: Pending = new Map();
  private fullPending = false;
  /** a full scan's results are being written (in the background: incremental rescans go on meanwhile) */
  private bulk: Promise<void> | undefined;
  /** a full scan has scanned everything since this replica became leader: incremental rescans may run */
  private scannedOnce = false;
  /** each scan's generation: a result is never overwritten by an older scan's */
  private gen = 0;
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private abort = new AbortController();
  private server!: http.Server;
  private leaderElector: LeaderElector | undefined;
  private isLeader = false;
  private writer!: ResultWriter;
  private storageServer: StorageServer | undefined;
  private store: ResultStore | undefined;
  /** the summaries are derived from the scans by the store we serve: not written */
  private readonly derived: boolean;
  /** namespace → WCSS name → severities (and the generation that wrote them), for the ConfigurationScanSummaries */
  private summaries = new Map<string, Map<string, { severities: Severities; gen: number }>>();
  private conditions = new Map<string, Condition>();
  private lastFullScan = "";
  private lastScan = "";
  private reportMetrics = "";
  private storageReady = false;
  private clusterVersion = "";
  private commandWaiters: { resolve: () => void; since: number }[] = [];
  url = "";

  readonly metrics = new Registry();
  private readonly m;

  constructor(private readonly opts: OperatorOptions) {
    this.derived = !!opts.serveStorage;
    const reg = [this.metrics];
    this.m = {
      queue: new Gauge({ name: "kubescape_operator_queue_depth", help: "Changed objects waiting to be rescanned.", registers: reg }),
      scans: new Counter({ name: "kubescape_operator_scans_total", help: "Scans run, by type (full, incremental) and outcome (ok, error).", labelNames: ["type", "outcome"], registers: reg }),
      duration: new Histogram({
        name: "kubescape_operator_scan_duration_seconds",
        help: "Time from taking a batch off the queue to its results written, by type.",
        labelNames: ["type"],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
        registers: reg,
      }),
      leader: new Gauge({ name: "kubescape_operator_leader", help: "1 while this replica holds the lease and writes results.", registers: reg }),
      forbidden: new Gauge({
        name: "kubescape_operator_kind_forbidden",
        help: "1 for each kind the operator is forbidden to list or watch (its controls are skipped).",
        labelNames: ["kind"],
        registers: reg,
      }),
      writes: new Counter({
        name: "kubescape_operator_result_writes_total",
        help: "Result objects created, updated, left as they were (unchanged) or deleted.",
        labelNames: ["op"],
        registers: reg,
      }),
      writeErrors: new Counter({ name: "kubescape_operator_result_write_errors_total", help: "Result writes that failed.", registers: reg }),
      objects: new Gauge({ name: "kubescape_operator_watched_objects", help: "Objects held in the operator's cache, by kind.", labelNames: ["kind"], registers: reg }),
      lastFull: new Gauge({ name: "kubescape_operator_last_full_scan_timestamp_seconds", help: "When the last full scan finished.", registers: reg }),
    };
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  get namespace(): string {
    return this.opts.namespace;
  }

  // --- lifecycle -------------------------------------------------------------------------

  async start(): Promise<void> {
    // one listener per informer, command watch and sleep: not a leak
    setMaxListeners(0, this.abort.signal);
    await this.listen();
    // the rules compile in their threads while the connection is read (client-node takes about 0.6 s to load)
    const scanner = Scanner.create({ threads: this.opts.threads });
    scanner.catch(() => {}); // awaited below
    this.kube = await Kube.connect(this.opts.kube);
    const writing = { concurrency: this.opts.writeConcurrency, bulkConcurrency: this.opts.bulkWriteConcurrency };
    if (this.opts.serveStorage) {
      const { dir, ...listen } = this.opts.serveStorage;
      const store = (this.store = await ResultStore.open(dir, (l) => this.log(l)));
      this.storageServer = new StorageServer({ store, kube: this.kube, ...listen });
      await this.storageServer.start();
      this.log(`serving the storage API on port ${this.storageServer.port} (${store.size} results in ${dir})`);
      this.writer = new ResultWriter(store.backend(), writing);
    } else this.writer = new ResultWriter(this.kube, writing);
    this.scanner = await scanner;
    this.controls = selectControls(this.scanner.registry, { frameworks: this.opts.frameworks, controls: this.opts.controls }).filter((c) => !c.skipReason);
    this.controlInfos = this.controls.map(controlInfo);
    const wanted = new Set(this.controls.flatMap((c) => c.rules.flatMap((r) => r.matchKinds)));
    try {
      const v = await this.kube.get<any>("/version");
      this.clusterVersion = typeof v?.gitVersion === "string" ? v.gitVersion : "";
    } catch {
      // shown as unknown
    }
    await this.ensureStorage();
    const skip = new Set(this.opts.skipKinds ?? []);
    const found = await discover(this.kube.reader, new Set([...wanted].filter((k) => !skip.has(k))));
    for (const info of found.values()) this.kinds.set(info.kind, { info, objects: new Map(), synced: false });
    for (const kind of skip) if (wanted.has(kind)) this.skipped[kind] = "not read (--skip-kinds)";
    for (const k of this.kinds.values()) void this.informer(k);
    // the start-up full scan comes once the lists are read: its threads start meanwhile
    this.scanner.warm();
    void this.watchCommands();
    this.periodic = setInterval(() => this.requestFull("periodic"), this.opts.intervalMs ?? 24 * 3600_000);
    this.periodic.unref();
    // the start-up full scan waits for the lists and for leadership
    await this.waitSynced();
    this.log(`watching ${[...this.kinds.values()].reduce((n, k) => n + k.objects.size, 0)} objects of ${this.kinds.size} kinds`);
    if (this.opts.leaderElection === false) {
      this.becameLeader();
    } else {
      this.leaderElector = new LeaderElector(this.kube, {
        namespace: this.opts.namespace,
        name: this.opts.leaseName ?? LEASE_NAME,
        identity: this.opts.identity ?? `${os.hostname()}-${process.pid}`,
        leaseSeconds: this.opts.leaseSeconds ?? 15,
        onStart: () => this.becameLeader(),
        onStop: () => this.lostLeadership(),
        log: (l) => this.log(l),
      });
      this.leaderElector.start();
    }
  }

  private becameLeader(): void {
    this.isLeader = true;
    this.m.leader.set(1);
    this.log("leader: writing results");
    this.requestFull("leader");
  }

  private lostLeadership(): void {
    this.isLeader = false;
    this.m.leader.set(0);
    this.scannedOnce = false;
    this.pending.clear();
    this.log("not leader: results are written by the lease holder");
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
    await this.leaderElector?.stop(true);
    await this.running?.catch(() => {});
    await this.bulk?.catch(() => {});
    await new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections?.();
    await this.storageServer?.stop();
    this.store?.close();
    await this.scanner?.close();
    this.kube?.close();
  }

  private async waitSynced(): Promise<void> {
    while (![...this.kinds.values()].every((k) => k.synced || k.forbidden) && !this.abort.signal.aborted) await sleep(50);
  }

  // --- storage ---------------------------------------------------------------------------

  /** Kubescape's storage API, or our CRDs of the same group and kinds, installed when missing. */
  private async ensureStorage(): Promise<void> {
    // read only when one must be installed
    let crds: Record<string, any>[] | undefined;
    const served = async (p: string, plural: string) => {
      const doc = await this.kube.find<any>(p);
      return Array.isArray(doc?.resources) && doc.resources.some((r: any) => r?.name === plural);
    };
    // the storage group is ours to serve (its APIService points here), or the API server's
    const want: [string, string][] = [...(this.derived ? [] : [[STORAGE_PATH, KINDS.scan.plural] as [string, string]]), [`/apis/${COMMAND_GROUP}/${COMMAND_VERSION}`, COMMAND_PLURAL]];
    for (const [p, plural] of want) {
      let ok = false;
      try {
        ok = await served(p, plural);
      } catch (e) {
        this.setCondition("StorageReady", false, "DiscoveryFailed", (e as Error).message);
        return;
      }
      if (ok) continue;
      if (this.opts.installCrds === false) {
        this.setCondition("StorageReady", false, "NotServed", `${p} is not served and --no-install-crds was given`);
        return;
      }
      for (const crd of (crds ??= allChartCrds(this.opts.chartDir))) {
        if (`/apis/${crd.spec.group}/${crd.spec.versions[0].name}` !== p) continue;
        try {
          await this.kube.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd);
        } catch (e) {
          this.setCondition("StorageReady", false, (e as ApiError).status === 403 ? "Forbidden" : "InstallFailed", `installing CRD ${crd.metadata.name}: ${(e as Error).message}`);
          return;
        }
      }
      const until = Date.now() + 30_000;
      while (!(await served(p, plural).catch(() => false))) {
        if (Date.now() > until) {
          this.setCondition("StorageReady", false, "NotEstablished", `${p} not served 30 s after installing its CRDs`);
          return;
        }
        await sleep(200);
      }
      this.log(`installed CRDs for ${p.slice(6)}`);
    }
    this.storageReady = true;
    if (this.derived) this.setCondition("StorageReady", true, "ServedHere", `results in ${STORAGE_GROUP}/${STORAGE_VERSION}, served by this operator`);
    else this.setCondition("StorageReady", true, "Served", `results in ${STORAGE_GROUP}/${STORAGE_VERSION}`);
  }

  private setCondition(type: string, status: boolean, reason: string, message: string): void {
    const prev = this.conditions.get(type);
    const s = status ? "True" : "False";
    if (prev && prev.status === s && prev.reason === reason && prev.message === message) return;
    this.conditions.set(type, { type, status: s, reason, message, lastTransitionTime: prev?.status === s ? prev.lastTransitionTime : new Date().toISOString() });
    if (!status) this.log(`${type}=False ${reason}: ${message}`);
    void this.writeStatus();
  }

  // --- informers -------------------------------------------------------------------------

  private async informer(k: Kind): Promise<void> {
    const { group, version, resource, kind } = k.info;
    const apiVersion = group ? `${group}/${version}` : version;
    const coll = collectionPath(group, version, resource);
    let backoff = 1000;
    while (!this.abort.signal.aborted) {
      let rv: string;
      try {
        const list = await this.kube.list(coll);
        rv = list.resourceVersion;
        const fresh = new Map<string, Cached>();
        for (const item of list.items) {
          const c = this.cached(item, apiVersion, kind);
          if (c) fresh.set(refKey(c.ref), c);
        }
        // what vanished while we were not watching is a deletion
        for (const [key, old] of k.objects) if (!fresh.has(key)) this.changed(old.ref, false, true);
        if (k.synced) for (const [key, c] of fresh) if (k.objects.get(key)?.object.metadata?.resourceVersion !== c.object.metadata?.resourceVersion) this.changed(c.ref, true);
        k.objects = fresh;
        k.synced = true;
        if (k.forbidden) {
          k.forbidden = undefined;
          this.m.forbidden.remove({ kind });
          this.updateForbidden();
          this.requestFull("permission granted");
        }
        this.m.objects.set({ kind }, k.objects.size);
        backoff = 1000;
      } catch (e) {
        const err = e as ApiError;
        if (err.status === 403) {
          if (!k.forbidden) {
            k.forbidden = `forbidden to list ${resource}`;
            this.m.forbidden.set({ kind }, 1);
            this.updateForbidden();
          }
        } else this.log(`list ${resource}: ${err.message}`);
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, 60_000);
        continue;
      }
      // watch until the server ends it; then watch on from the last version seen, or list again
      while (!this.abort.signal.aborted) {
        try {
          await this.kube.watch(
            coll,
            rv,
            (ev) => {
              const objRv = ev.object?.metadata?.resourceVersion;
              if (typeof objRv === "string") rv = objRv;
              if (ev.type === "BOOKMARK") return;
              const c = this.cached(ev.object, apiVersion, kind);
              if (!c) return;
              const key = refKey(c.ref);
              if (ev.type === "DELETED") {
                k.objects.delete(key);
                this.changed(c.ref, true, true);
              } else {
                k.objects.set(key, c);
                this.changed(c.ref, true);
              }
              this.m.objects.set({ kind }, k.objects.size);
            },
            this.abort.signal,
          );
        } catch (e) {
          const err = e as ApiError;
          if (err.status !== 410) this.log(`watch ${resource}: ${err.message}`);
          if (err.status !== 410) await sleep(1000, this.abort.signal);
          break; // list again
        }
      }
    }
  }

  private cached(item: unknown, apiVersion: string, kind: string): Cached | undefined {
    if (!item || typeof item !== "object" || !(item as any).metadata || typeof (item as any).metadata.name !== "string") return undefined;
    const object = clean(item as Record<string, unknown>, apiVersion, kind);
    return { ref: { apiVersion, kind, name: object.metadata!.name!, namespace: (object.metadata?.namespace as string) ?? "" }, object };
  }

  private updateForbidden(): void {
    const forbidden = [...this.kinds.values()].filter((k) => k.forbidden);
    if (!forbidden.length) return this.setCondition("ListAllowed", true, "AllKindsListed", "every kind the controls need can be listed and watched");
    const kinds = forbidden.map((k) => k.info.kind);
    const skipped = this.controls.filter((c) => c.rules.some((r) => r.matchKinds.some((m) => kinds.includes(m)))).map((c) => c.id);
    this.setCondition("ListAllowed", false, "Forbidden", `forbidden to list ${forbidden.map((k) => k.info.resource).join(", ")}: controls ${skipped.join(", ")} are skipped`);
  }

  // --- the queue -------------------------------------------------------------------------

  private changed(ref: ObjectRef, cascade: boolean, deleted = false): void {
    if (!this.isLeader || this.isOwn(ref)) return;
    const key = refKey(ref);
    this.pending.set(key, { ref, cascade: cascade && !deleted ? true : this.pending.get(key)?.cascade || false });
    if (this.pending.size > (this.opts.maxQueue ?? 10_000)) {
      // a storm: one full scan is cheaper than this many small ones, and bounds the memory
      this.pending.clear();
      this.fullPending = true;
    }
    this.m.queue.set(this.pending.size);
    this.schedule();
  }

  /** The operator's own Lease and status ConfigMap change every few seconds: not a reason to rescan. */
  private isOwn(ref: ObjectRef): boolean {
    if (ref.namespace !== this.opts.namespace) return false;
    return (ref.kind === "Lease" && ref.name === (this.opts.leaseName ?? LEASE_NAME)) || (ref.kind === "ConfigMap" && ref.name === STATUS_CONFIGMAP);
  }

  requestFull(why: string): void {
    this.log(`full scan requested (${why})`);
    this.fullPending = true;
    this.schedule(0);
  }

  /** Wait until the queue is empty and every scan requested so far is written (for commands and tests). */
  drained(): Promise<void> {
    return new Promise((resolve) => this.commandWaiters.push({ resolve, since: Date.now() }));
  }

  private schedule(delay = this.opts.debounceMs ?? 100): void {
    if (this.timer || this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) return; // the running loop picks it up
      this.running = this.loop().finally(() => (this.running = undefined));
    }, delay);
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted && this.isLeader && this.storageReady && ((this.fullPending && !this.bulk) || (this.scannedOnce && this.pending.size))) {
      if (this.fullPending && !this.bulk) {
        this.fullPending = false;
        this.pending.clear();
        this.m.queue.set(0);
        // the loop goes on once everything is scanned; the results are written in the
        // background, and changes meanwhile are rescanned and written ahead of them
        let scanned!: () => void;
        const phase = new Promise<void>((r) => (scanned = r));
        this.bulk = this.timed("full", () => this.fullScan(scanned)).finally(() => {
          this.bulk = undefined;
          scanned();
          this.schedule(0);
        });
        await phase;
      } else {
        const batch = this.pending;
        this.pending = new Map();
        this.m.queue.set(0);
        await this.timed(
          "incremental",
          () => this.incremental(batch),
          () => {
            // what failed (an API error while writing) is tried again with the next batch
            for (const [key, v] of batch) if (!this.pending.has(key)) this.pending.set(key, v);
            this.m.queue.set(this.pending.size);
          },
        );
      }
    }
    if (!this.pending.size && !this.fullPending && !this.bulk) {
      const waiters = this.commandWaiters;
      this.commandWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  private async timed(type: string, fn: () => Promise<void>, onError?: () => void): Promise<void> {
    const end = this.m.duration.startTimer({ type });
    try {
      await fn();
      this.m.scans.inc({ type, outcome: "ok" });
      this.lastScan = new Date().toISOString();
      this.setCondition("ScanSucceeded", true, "Scanned", "the last scan succeeded");
      // the published last-scan time, at most every 10 s: each write is a watch event for every reader
      if (Date.now() - this.statusAt > 10_000) void this.writeStatus();
    } catch (e) {
      this.m.scans.inc({ type, outcome: "error" });
      this.setCondition("ScanSucceeded", false, "ScanFailed", (e as Error).message);
      if (type === "full") this.fullPending = true;
      onError?.();
      this.log(`${type} scan failed: ${(e as Error).message}`);
      await sleep(2000, this.abort.signal);
    } finally {
      end();
    }
  }

  // --- scans -----------------------------------------------------------------------------

  private skipped: Record<string, string> = {};

  private unavailable(): Record<string, string> {
    const out: Record<string, string> = { ...this.skipped };
    for (const k of this.kinds.values()) if (k.forbidden) out[k.info.kind] = k.forbidden;
    return out;
  }

  private source(objects: Cached[]): Source {
    const conn = this.kube.conn;
    const counts: Record<string, number> = {};
    for (const o of objects) counts[o.ref.kind] = (counts[o.ref.kind] ?? 0) + 1;
    const unavailable = this.unavailable();
    return {
      name: "cluster",
      read: async (): Promise<SourceObjects> => ({
        objects: objects.map((o, id): ScanObject => ({ id, object: o.object, source: { file: `cluster:${conn.context}`, docIndex: 0, itemPath: [] } })),
        skippedFiles: [],
        ignoredDocuments: 0,
        filesRead: 0,
        target: { kind: "cluster", paths: [], cluster: { context: conn.context, server: conn.server, version: this.clusterVersion, counts, unavailable, listMs: 0, requests: 0 } },
        unavailable,
      }),
    };
  }

  private all(): Cached[] {
    return [...this.kinds.values()].flatMap((k) => [...k.objects.values()]);
  }

  /** Scan everything, call scanned(), then write the results and delete those of objects that no longer exist. */
  private async fullScan(scanned: () => void): Promise<void> {
    const gen = ++this.gen;
    const t0 = performance.now();
    // what is stored, read while the scan runs (the API server's work, not ours)
    const loaded = this.loadStored();
    loaded.catch(() => {});
    let refs: ObjectRef[];
    let report: ScanReport | undefined;
    const timings: Record<string, number> = {};
    {
      const objects = this.all();
      refs = objects.map((o) => o.ref);
      report = await this.scanner.scan({ source: this.source(objects), controls: this.controls.map((c) => c.id) }, { signal: this.abort.signal, timings });
    }
    const failing = report.summary.resources.failed;
    const stored = await loaded;
    const t1 = performance.now();
    this.scannedOnce = true;
    scanned();
    const before = { ...this.writer.stats };
    const { results } = await this.write(report, refs, gen, "bulk");
    if (!this.isLeader || this.abort.signal.aborted) return;
    const t2 = performance.now();
    // what no longer exists: ours, neither written nor found unchanged by this scan (nor by a later one)
    const stale: Promise<unknown>[] = [];
    for (const kind of this.written()) {
      for (const { namespace, name } of [...this.writer.storedBefore(kind, gen)]) {
        stale.push(this.writer.remove(kind, namespace, name, gen, "bulk").then((done) => done && this.m.writes.inc({ op: "delete" })));
      }
    }
    await Promise.all(stale);
    for (const [ns, m] of this.summaries) {
      for (const [name, v] of m) if (v.gen < gen) m.delete(name);
      if (!m.size) this.summaries.delete(ns);
    }
    if (!this.derived)
      for (const { name } of [...this.writer.storedBefore(KINDS.namespaceSummary, gen)]) if (!this.summaries.has(name)) await this.writer.remove(KINDS.namespaceSummary, "", name, gen, "bulk");
    await this.writeNamespaceSummaries([...this.summaries.keys()], "bulk");
    this.writer.prune(gen);
    this.lastFullScan = new Date().toISOString();
    this.m.lastFull.set(Date.now() / 1000);
    const st = this.writer.stats;
    this.log(
      `full scan: ${refs.length} objects, ${results} results, ${failing} resources failing (scan ${Math.round(t1 - t0)} ms [${Object.entries(timings)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(", ")}], write ${Math.round(t2 - t1)} ms, clean-up ${Math.round(performance.now() - t2)} ms; ` +
        `${stored} stored before, ${st.created - before.created} created, ${st.updated - before.updated} updated, ${st.unchanged - before.unchanged} unchanged, ${stale.length} deleted)`,
    );
    // the report's gauges for /metrics, once its results are there
    const { buildRegistry } = await import("../report/prometheus.js");
    this.reportMetrics = await buildRegistry(report).metrics();
    // the report is not needed past here: a full scan of 20,000 objects must not keep it, nor
    // its garbage until the old space fills again (hours, for an operator that then idles)
    report = undefined;
    collectGarbage();
    await this.writeStatus();
  }

  /**
   * What is stored, for the writer. A storage kind whose CRD was just installed answers 429
   * until the API server's cache of it is ready: retried for a minute, not failed at once.
   */
  private async loadStored(): Promise<number> {
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        return await this.writer.load(this.derived ? [KINDS.scan] : [KINDS.scan, KINDS.summary, KINDS.namespaceSummary]);
      } catch (e) {
        if (!(e as ApiError).transient || Date.now() > until || this.abort.signal.aborted) throw e;
        await sleep(1000, this.abort.signal);
      }
    }
  }

  private async incremental(batch: Pending): Promise<void> {
    const gen = ++this.gen;
    const changed: Cached[] = [];
    const deleted: ObjectRef[] = [];
    for (const { ref, cascade } of batch.values()) {
      const c = this.kinds.get(ref.kind)?.objects.get(refKey(ref));
      if (!c) {
        deleted.push(ref);
        continue;
      }
      changed.push(c);
      // a change to what others' cross-object rules read: their results may change too
      if (cascade && !WORKLOAD_KINDS.has(ref.kind)) {
        for (const r of this.crossRules(ref.kind)) {
          for (const kind of r.matchKinds) {
            if (kind === ref.kind) continue;
            for (const o of this.kinds.get(kind)?.objects.values() ?? []) {
              if (r.splitByNamespace && ref.namespace && o.ref.namespace !== ref.namespace) continue;
              if (!batch.has(refKey(o.ref))) changed.push(o);
            }
          }
        }
      }
    }
    const touched = new Set<string>();
    await Promise.all(
      deleted.map(async (ref) => {
        const ns = ref.namespace || this.opts.namespace;
        const name = resultName(ref);
        // the result first: whoever sees a result finds its summary there still
        for (const kind of this.written()) if (await this.writer.remove(kind, ns, name, gen, "event")) this.m.writes.inc({ op: "delete" });
        const m = this.summaries.get(ns);
        if (m && (m.get(name)?.gen ?? 0) <= gen) m.delete(name);
        touched.add(ns);
      }),
    );
    if (changed.length) {
      const unique = [...new Map(changed.map((c) => [refKey(c.ref), c])).values()];
      const kinds = new Set(unique.map((c) => c.ref.kind));
      // only the controls that check the changed kinds: they are the whole result of those objects
      const picked = this.controls.map((c, i) => [c, this.controlInfos[i]] as const).filter(([, info]) => [...kinds].some((k) => info.kinds.has(k)));
      const controls = picked.map(([c]) => c);
      // Controls whose rules all look at one object at a time run on the changed objects alone;
      // only those with a cross-object rule run on the context too (the objects of the other
      // kinds those rules match). Two small scans beat one that runs every rule on the context.
      const cross = controls.filter((c) => c.rules.some((r) => r.crossObject));
      const single = controls.filter((c) => !c.rules.some((r) => r.crossObject));
      const reports: ScanReport[] = [];
      if (single.length) reports.push(await this.scanner.scan({ source: this.source(unique), controls: single.map((c) => c.id) }, { signal: this.abort.signal }));
      // Cross-object controls whose rules decide each changed object with the objects of the
      // other kinds alone (the changed kinds are among the rules' splitKinds) need only those
      // as context; the others need every object of their rules' kinds. Two scans: a workload
      // change then costs a scan of the related kinds, not of every workload in the cluster.
      const needsOnlyOthers = (c: Control) =>
        c.rules.every((r) => !r.crossObject || !r.matchKinds.some((k) => kinds.has(k)) || [...kinds].every((k) => !r.matchKinds.includes(k) || r.splitKinds?.includes(k)));
      for (const group of [cross.filter(needsOnlyOthers), cross.filter((c) => !needsOnlyOthers(c))]) {
        if (!group.length) continue;
        const context = new Map<string, Cached>();
        const namespaces = new Set(unique.map((c) => c.ref.namespace));
        for (const c of group) {
          for (const r of c.rules) {
            if (!r.crossObject || !r.matchKinds.some((k) => kinds.has(k))) continue;
            // objects of a split kind are decided each with all objects of the other kinds, never
            // with each other: of those only the changed ones (added below) are needed
            const split = new Set(r.splitKinds ?? []);
            for (const kind of r.matchKinds) {
              if (split.has(kind)) continue;
              for (const o of this.kinds.get(kind)?.objects.values() ?? []) {
                if (r.splitByNamespace && o.ref.namespace && !namespaces.has(o.ref.namespace)) continue;
                context.set(refKey(o.ref), o);
              }
            }
          }
        }
        for (const c of unique) context.set(refKey(c.ref), c);
        reports.push(await this.scanner.scan({ source: this.source([...context.values()]), controls: group.map((c) => c.id) }, { signal: this.abort.signal }));
      }
      const report = mergeReports(reports);
      // only the changed objects' results are written: the context was scanned for their sake
      const { namespaces } = await this.write(
        report,
        unique.map((c) => c.ref),
        gen,
        "event",
        picked.map(([, info]) => info),
      );
      for (const ns of namespaces) touched.add(ns);
    }
    await this.writeNamespaceSummaries([...touched], "event");
  }

  /** The kinds written per object (the result first on delete: whoever sees a result finds its summary there still). */
  private written() {
    return this.derived ? [KINDS.scan] : [KINDS.scan, KINDS.summary];
  }

  private crossRules(kind: string) {
    return this.controls.flatMap((c) => c.rules).filter((r) => r.crossObject && r.matchKinds.includes(kind));
  }

  /** Write the results of these objects (generation gen); returns how many results there are and their namespaces. */
  private async write(report: ScanReport, refs: ObjectRef[], gen: number, priority: Priority, allControls = this.controlInfos): Promise<{ results: number; namespaces: Set<string> }> {
    const conn = this.kube.conn;
    const tables = mappingTables(report, { namespace: this.opts.namespace, cluster: this.opts.clusterName ?? conn.context, controls: allControls });
    const scans = specMaker(tables);
    const read = findingsReader(report);
    const namespaces = new Set<string>();
    let results = 0;
    let next = 0;
    const count = (outcome: string) => {
      if (outcome === "created" || outcome === "updated" || outcome === "unchanged") this.m.writes.inc({ op: outcome });
      return outcome;
    };
    let failed: unknown;
    const worker = async () => {
      while (next < refs.length && failed === undefined && this.isLeader && !this.abort.signal.aborted) {
        // made one object at a time as the writers take them: a full scan never holds all results
        const ref = refs[next++];
        if (!scans.controlsOf(ref.kind).length) continue;
        const metadata = resultMetadata(ref, tables);
        const { name, namespace: ns } = metadata;
        results++;
        try {
          if (this.derived) {
            // our store keeps the findings, and derives the summaries
            count(await this.writer.put(KINDS.scan, defer(metadata, read(ref), tables), gen, priority));
            continue;
          }
          const { scan, summary } = renderWithSummary({ apiVersion: STORAGE_API_VERSION, kind: "WorkloadConfigurationScan", metadata, spec: scans.spec(read(ref)) });
          // the summary first: whoever sees a result finds its summary there already
          const outcome = count(await this.writer.put(KINDS.summary, summary, gen, priority));
          if (outcome === "stale" || outcome === "gone") continue;
          let m = this.summaries.get(ns);
          if (!m) this.summaries.set(ns, (m = new Map()));
          if ((m.get(name)?.gen ?? 0) <= gen) m.set(name, { severities: scan.severities ?? emptySeverities(), gen });
          namespaces.add(ns);
          count(await this.writer.put(KINDS.scan, scan, gen, priority));
        } catch (e) {
          this.m.writeErrors.inc();
          failed ??= e;
        }
      }
    };
    // enough producers to keep the writer's slots busy; it bounds what is in flight
    await Promise.all(Array.from({ length: Math.min(refs.length, 16) }, worker));
    if (failed !== undefined) throw failed;
    return { results, namespaces };
  }

  private async writeNamespaceSummaries(namespaces: string[], priority: Priority): Promise<void> {
    if (this.derived) return;
    await Promise.all(
      namespaces.map(async (ns) => {
        // a fresh generation: the summary is made from what is known now, newer than any before it
        const gen = ++this.gen;
        const m = this.summaries.get(ns);
        if (!m || !m.size) {
          this.summaries.delete(ns);
          await this.writer.remove(KINDS.namespaceSummary, "", ns, gen, priority);
          return;
        }
        const [css] = toNamespaceSummaries([...m].map(([name, v]) => ({ metadata: { name, namespace: ns, labels: {}, annotations: {} }, spec: { severities: v.severities, controls: {} } })));
        await this.writer.put(KINDS.namespaceSummary, css, gen, priority);
      }),
    );
  }

  // --- status, commands, HTTP ------------------------------------------------------------

  status(): OperatorStatus {
    return {
      version: VERSION,
      identity: this.opts.identity ?? `${os.hostname()}-${process.pid}`,
      leader: this.isLeader,
      lastScan: this.lastScan,
      lastFullScan: this.lastFullScan,
      watched: Object.fromEntries([...this.kinds.values()].map((k) => [k.info.kind, k.objects.size])),
      queue: this.pending.size,
      conditions: [...this.conditions.values()],
      controls: this.controls.length,
      frameworks: this.opts.frameworks ?? [],
    };
  }

  private statusAt = 0;

  private async writeStatus(): Promise<void> {
    if (!this.isLeader || !this.kube) return;
    this.statusAt = Date.now();
    try {
      await this.kube.apply(`/api/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/configmaps/${STATUS_CONFIGMAP}`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: STATUS_CONFIGMAP, namespace: this.opts.namespace, labels: { [LABEL.managedBy]: MANAGED_BY } },
        data: { status: JSON.stringify(this.status()) },
      });
    } catch (e) {
      this.log(`status: ${(e as Error).message}`);
    }
  }

  private async watchCommands(): Promise<void> {
    const coll = collectionPath(COMMAND_GROUP, COMMAND_VERSION, COMMAND_PLURAL, this.opts.namespace);
    while (!this.abort.signal.aborted) {
      try {
        const list = await this.kube.list(coll);
        for (const it of list.items) this.onCommand(it);
        await this.kube.watch(coll, list.resourceVersion, (ev) => ev.type !== "DELETED" && this.onCommand(ev.object), this.abort.signal);
      } catch (e) {
        if ((e as ApiError).status !== 410) await sleep(2000, this.abort.signal);
      }
    }
  }

  private handling = new Set<string>();
  private onCommand(cmd: Record<string, any>): void {
    const name = cmd?.metadata?.name;
    if (!this.isLeader || typeof name !== "string" || cmd.status?.phase || this.handling.has(name)) return;
    this.handling.add(name);
    void this.runCommand(cmd).finally(() => this.handling.delete(name));
  }

  private async runCommand(cmd: Record<string, any>): Promise<void> {
    const p = `${objectPath(COMMAND_GROUP, COMMAND_VERSION, COMMAND_PLURAL, cmd.metadata.name, this.opts.namespace)}/status`;
    const setStatus = (status: Record<string, unknown>) =>
      this.kube.request("PATCH", p, { status }, "application/merge-patch+json").catch((e: Error) => this.log(`ScanCommand ${cmd.metadata.name}: ${e.message}`));
    const now = () => new Date().toISOString();
    await setStatus({ phase: "Running", startTime: now(), conditions: [{ type: "Complete", status: "False", reason: "Scanning", message: "scan queued", lastTransitionTime: now() }] });
    try {
      const n = this.queueScope(cmd.spec ?? {});
      await this.drained();
      await setStatus({
        phase: "Completed",
        completionTime: now(),
        scanned: n,
        conditions: [{ type: "Complete", status: "True", reason: "Scanned", message: `${n} objects scanned; results written`, lastTransitionTime: now() }],
      });
    } catch (e) {
      await setStatus({ phase: "Failed", completionTime: now(), conditions: [{ type: "Complete", status: "False", reason: "Failed", message: (e as Error).message, lastTransitionTime: now() }] });
    }
  }

  /** Queue what a command names: a workload ("Kind/name" in a namespace), a namespace, or everything. Returns how many objects. */
  queueScope(spec: { namespace?: string; workload?: string }): number {
    if (!spec.namespace && !spec.workload) {
      this.requestFull("command");
      return this.all().length;
    }
    const [kind, name] = spec.workload ? spec.workload.split("/", 2) : [undefined, undefined];
    if (spec.workload && (!kind || !name)) throw new Error(`workload "${spec.workload}" is not Kind/name`);
    let n = 0;
    for (const c of this.all()) {
      if (spec.namespace && c.ref.namespace !== spec.namespace) continue;
      if (kind && (c.ref.kind.toLowerCase() !== kind.toLowerCase() || c.ref.name !== name)) continue;
      this.changed(c.ref, false);
      n++;
    }
    if (!n) throw new Error(spec.workload ? `no ${spec.workload} in namespace "${spec.namespace ?? ""}"` : `nothing to scan in namespace "${spec.namespace}"`);
    return n;
  }

  private async listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`internal error: ${(e as Error).message}\n`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port ?? 8080, this.opts.host ?? "0.0.0.0", () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    this.url = `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (code: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(code, { "content-type": type });
      res.end(body);
    };
    if (req.method === "GET" && url.pathname === "/healthz") return send(200, "ok\n");
    if (req.method === "GET" && url.pathname === "/readyz") {
      const synced = this.kinds.size > 0 && [...this.kinds.values()].every((k) => k.synced || k.forbidden);
      if (!synced || !this.storageReady) return send(503, synced ? "storage not ready\n" : "lists not complete\n");
      // the storage API is served from the leader's store: a standby takes no requests until it leads
      return this.derived && !this.isLeader ? send(503, "standby: the leader serves the storage API\n") : send(200, "ok\n");
    }
    if (req.method === "GET" && url.pathname === "/metrics") {
      return send(200, `${this.reportMetrics}${await this.metrics.metrics()}`, this.metrics.contentType);
    }
    if (req.method === "GET" && url.pathname === "/v1/status") return send(200, JSON.stringify(this.status()), "application/json");
    // errors carry "message" too, as a Kubernetes Status does: clients behind the service proxy show it
    const fail = (code: number, message: string) => send(code, JSON.stringify({ error: message, message }), "application/json");
    if (req.method === "POST" && url.pathname === "/v1/triggerAction") {
      const body = await readBody(req, 1 << 20);
      let parsed: any;
      try {
        parsed = JSON.parse(body);
      } catch {
        return fail(400, "body is not JSON");
      }
      const commands: any[] = Array.isArray(parsed?.commands) ? parsed.commands : [];
      if (!commands.length) return fail(400, 'expected {"commands": [{"commandName": ...}]}');
      const unknown = commands.map((c) => c?.commandName).filter((n) => !TRIGGER_COMMANDS.includes(n));
      if (unknown.length) return fail(400, `unsupported command ${JSON.stringify(unknown[0])}; supported: ${TRIGGER_COMMANDS.join(", ")}`);
      if (!this.isLeader) return fail(503, "not the leader; retry (the service routes to any replica)");
      let scanned = 0;
      try {
        for (const c of commands) {
          const scope = c.args && typeof c.args === "object" ? c.args : {};
          scanned += this.queueScope({ namespace: typeof scope.namespace === "string" ? scope.namespace : undefined, workload: typeof scope.workload === "string" ? scope.workload : undefined });
        }
      } catch (e) {
        return fail(400, (e as Error).message);
      }
      const wait = url.searchParams.get("wait") === "true";
      if (wait) await this.drained();
      return send(200, JSON.stringify({ status: wait ? "completed" : "queued", scanned }), "application/json");
    }
    send(404, "not found\n");
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > max) {
        reject(new Error("body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Reports of the same objects over disjoint sets of controls, as one (findings joined per resource). */
function mergeReports(reports: ScanReport[]): ScanReport {
  const [first, ...rest] = reports;
  if (!rest.length) return first;
  const resources = new Map(first.resources.map((r) => [r.resourceID, { ...r, findings: [...r.findings] }]));
  for (const r of rest) {
    for (const res of r.resources) {
      const have = resources.get(res.resourceID);
      if (have) have.findings.push(...res.findings);
      else resources.set(res.resourceID, { ...res, findings: [...res.findings] });
    }
  }
  return { ...first, controls: reports.flatMap((r) => r.controls), resources: [...resources.values()] };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
