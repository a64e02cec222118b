// Our own result store, for when the operator serves the storage API itself (storage-server.ts)
// instead of writing through the API server: Kubescape does the same with its storage
// component, because an API server and etcd take tens of milliseconds of CPU per result object,
// and a cluster of 20,000 objects has 20,000 results.
//
// - WorkloadConfigurationScans are kept one JSON file each (<dir>/<namespace>/<name>.json,
//   written to a temporary file and renamed), so a restart finds them; an index of their
//   metadata and failed-control counts stays in memory, the bodies do not.
// - WorkloadConfigurationScanSummaries and ConfigurationScanSummaries are derived on read, as
//   Kubescape's storage derives them: from a scan's controls, and from a namespace's scans.
// - resourceVersions are one counter over the store; each change is kept in a ring of recent
//   events, so a watch can start from a recent resourceVersion.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { ANNOTATION, KINDS, LABEL, MANAGED_BY, STORAGE_API_VERSION, emptySeverities, severitiesOf, toSummary, type Severities, type WorkloadConfigurationScan } from "./storage.js";
import type { ResultBackend, ResultKind, StoredObject } from "./writer.js";

export interface Meta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface Entry {
  meta: Meta;
  rv: number;
  severities: Severities;
}

export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  rv: number;
  namespace: string;
  name: string;
  /** the scan as it is now (DELETED: as it was) */
  scan: () => Promise<Record<string, any> | undefined>;
}

/** A store error, shaped as the API server's (status 404, 409, 410, 422). */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(message);
  }
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** recent changes kept for watches that start from a resourceVersion */
const RING = 4096;

export class ResultStore {
  private readonly index = new Map<string, Map<string, Entry>>();
  private rv = 0;
  private readonly ring: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  /** bodies of deleted scans, kept for the DELETED events still in the ring */
  private readonly tombstones = new Map<string, Record<string, any>>();
  /** namespace directories made */
  private readonly dirs = new Set<string>();

  private constructor(readonly dir: string) {}

  /** Open (or create) the store in dir and read the index of what is there; unreadable files are reported and skipped. */
  static async open(dir: string, warn: (line: string) => void = () => {}): Promise<ResultStore> {
    const store = new ResultStore(dir);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    for (const ns of await fsp.readdir(dir)) {
      const nsDir = path.join(dir, ns);
      if (!NAME.test(ns) || !(await fsp.stat(nsDir)).isDirectory()) continue;
      for (const file of await fsp.readdir(nsDir)) {
        const full = path.join(nsDir, file);
        if (!file.endsWith(".json")) {
          // a write cut short by a kill: its rename never happened
          if (file.endsWith(".tmp")) await fsp.rm(full, { force: true });
          continue;
        }
        try {
          const obj = JSON.parse(await fsp.readFile(full, "utf8"));
          const e = store.entryOf(obj);
          if (e.meta.namespace !== ns || `${e.meta.name}.json` !== file) throw new Error("name or namespace does not match the file");
          store.ns(ns).set(e.meta.name, e);
          store.rv = Math.max(store.rv, e.rv);
        } catch (err) {
          warn(`storage: ${full}: ${(err as Error).message}; skipped`);
        }
      }
    }
    return store;
  }

  private entryOf(obj: Record<string, any>): Entry {
    const md = obj?.metadata;
    if (!md || typeof md.name !== "string" || typeof md.namespace !== "string") throw new Error("no metadata.name and metadata.namespace");
    const controls = obj.spec?.controls && typeof obj.spec.controls === "object" ? Object.values(obj.spec.controls) : [];
    return {
      meta: {
        name: md.name,
        namespace: md.namespace,
        uid: String(md.uid ?? ""),
        resourceVersion: String(md.resourceVersion ?? "0"),
        creationTimestamp: String(md.creationTimestamp ?? ""),
        labels: md.labels ?? {},
        annotations: md.annotations ?? {},
      },
      rv: Number(md.resourceVersion) || 0,
      severities: severitiesOf(controls.filter((c: any) => c && typeof c === "object" && c.status && c.severity) as any),
    };
  }

  private ns(namespace: string): Map<string, Entry> {
    let m = this.index.get(namespace);
    if (!m) this.index.set(namespace, (m = new Map()));
    return m;
  }

  private file(namespace: string, name: string): string {
    if (!NAME.test(namespace) || !NAME.test(name)) throw new StoreError(`invalid name ${JSON.stringify(`${namespace}/${name}`)}`, 422, "Invalid");
    return path.join(this.dir, namespace, `${name}.json`);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get size(): number {
    let n = 0;
    for (const m of this.index.values()) n += m.size;
    return n;
  }

  // --- writes ------------------------------------------------------------------------------

  /** Create (no resourceVersion given) or replace (the stored one's resourceVersion given) a scan. */
  async put(obj: StoredObject, mode: "create" | "replace"): Promise<Meta> {
    const { name, namespace = "" } = obj.metadata;
    const file = this.file(namespace, name);
    const have = this.index.get(namespace)?.get(name);
    if (mode === "create" && have) throw new StoreError(`${namespace}/${name} already exists`, 409, "AlreadyExists");
    if (mode === "replace") {
      if (!have) throw new StoreError(`${namespace}/${name} not found`, 404, "NotFound");
      if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== have.meta.resourceVersion)
        throw new StoreError(`${namespace}/${name}: the object has been modified`, 409, "Conflict");
    }
    const rv = ++this.rv;
    const body = {
      ...obj,
      apiVersion: STORAGE_API_VERSION,
      kind: KINDS.scan.kind,
      metadata: {
        ...obj.metadata,
        namespace,
        uid: have?.meta.uid ?? randomUUID(),
        resourceVersion: String(rv),
        creationTimestamp: have?.meta.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      },
    };
    const entry = this.entryOf(body);
    // synchronous: a few tens of microseconds each, where the thread pool's round trips for
    // mkdir, open, write, close and rename cost more than the writing (20,000 at a full scan)
    if (!this.dirs.has(namespace)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.dirs.add(namespace);
    }
    const tmp = `${file}.${rv}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
    fs.renameSync(tmp, file);
    // a later write of the same object may have finished first: the newer one stays
    const now = this.index.get(namespace)?.get(name);
    if (now && now.rv > rv) return now.meta;
    this.ns(namespace).set(name, entry);
    this.emit({ type: have ? "MODIFIED" : "ADDED", rv, namespace, name, scan: () => this.read(namespace, name) });
    return entry.meta;
  }

  async delete(namespace: string, name: string): Promise<Meta | undefined> {
    const file = this.file(namespace, name);
    const have = this.index.get(namespace)?.get(name);
    if (!have) return undefined;
    const last = await this.read(namespace, name);
    this.index.get(namespace)?.delete(name);
    if (!this.index.get(namespace)?.size) this.index.delete(namespace);
    fs.rmSync(file, { force: true });
    const rv = ++this.rv;
    const key = `${namespace}/${name}/${rv}`;
    if (last) this.tombstones.set(key, { ...last, metadata: { ...last.metadata, resourceVersion: String(rv) } });
    this.emit({ type: "DELETED", rv, namespace, name, scan: async () => this.tombstones.get(key) });
    return have.meta;
  }

  private emit(e: StoreEvent): void {
    this.ring.push(e);
    if (this.ring.length > RING) {
      const old = this.ring.shift()!;
      if (old.type === "DELETED") this.tombstones.delete(`${old.namespace}/${old.name}/${old.rv}`);
    }
    for (const l of this.listeners) l(e);
  }

  // --- reads -------------------------------------------------------------------------------

  async read(namespace: string, name: string): Promise<Record<string, any> | undefined> {
    if (!this.index.get(namespace)?.has(name)) return undefined;
    try {
      return JSON.parse(await fsp.readFile(this.file(namespace, name), "utf8"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /** The stored bytes of a scan (what a GET answers), or undefined. */
  async raw(namespace: string, name: string): Promise<Buffer | undefined> {
    if (!this.index.get(namespace)?.has(name)) return undefined;
    try {
      return await fsp.readFile(this.file(namespace, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  meta(namespace: string, name: string): Meta | undefined {
    return this.index.get(namespace)?.get(name)?.meta;
  }

  /** Scans' metadata in (namespace, name) order, of one namespace or all. */
  *metas(namespace?: string): Iterable<Meta> {
    const spaces = namespace !== undefined ? [namespace] : [...this.index.keys()].sort();
    for (const ns of spaces) {
      const m = this.index.get(ns);
      if (!m) continue;
      for (const name of [...m.keys()].sort()) yield m.get(name)!.meta;
    }
  }

  namespaces(): string[] {
    return [...this.index.keys()].sort();
  }

  /** A namespace's ConfigurationScanSummary: its scans' failed controls by severity, and a reference to each. */
  namespaceSummary(namespace: string): Record<string, any> | undefined {
    const m = this.index.get(namespace);
    if (!m?.size) return undefined;
    const severities = emptySeverities();
    let rv = 0;
    let created = "";
    for (const e of m.values()) {
      for (const k of Object.keys(severities) as (keyof Severities)[]) severities[k] += e.severities[k];
      rv = Math.max(rv, e.rv);
      if (!created || (e.meta.creationTimestamp && e.meta.creationTimestamp < created)) created = e.meta.creationTimestamp;
    }
    return {
      apiVersion: STORAGE_API_VERSION,
      kind: KINDS.namespaceSummary.kind,
      metadata: { name: namespace, resourceVersion: String(rv), creationTimestamp: created, labels: { [LABEL.managedBy]: MANAGED_BY } },
      spec: {
        severities,
        summaryRef: [...m.keys()].sort().map((name) => ({ namespace, kind: KINDS.summary.kind, name })),
      },
    };
  }

  /** A scan's WorkloadConfigurationScanSummary (the same metadata). */
  static summaryOf(scan: Record<string, any>): Record<string, any> {
    const s = toSummary(scan as WorkloadConfigurationScan);
    s.metadata = scan.metadata;
    return s;
  }

  /** Changes from now on; with since, first those after it still in the ring (undefined: too old, list again). */
  subscribe(listener: (e: StoreEvent) => void, since?: number): (() => void) | undefined {
    if (since !== undefined && since < this.rv) {
      const first = this.ring[0];
      if (!first || first.rv > since + 1) return undefined;
      for (const e of this.ring) if (e.rv > since) listener(e);
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- the writer's backend ------------------------------------------------------------------

  /** The writer's view (writer.ts): only WorkloadConfigurationScans are written, the summaries are derived. */
  backend(): ResultBackend {
    const only = (kind: ResultKind) => {
      if (kind.plural !== KINDS.scan.plural) throw new StoreError(`${kind.kind} is derived from the scans, not written`, 405, "MethodNotAllowed");
    };
    return {
      list: async (kind) => {
        if (kind.plural !== KINDS.scan.plural) return [];
        return [...this.metas()]
          .filter((m) => m.labels[LABEL.managedBy] === MANAGED_BY)
          .map((m) => ({ namespace: m.namespace, name: m.name, resourceVersion: m.resourceVersion, digest: m.annotations[ANNOTATION.digest] ?? "" }));
      },
      create: async (kind, _ns, obj) => (only(kind), (await this.put(obj, "create")).resourceVersion),
      replace: async (kind, _ns, obj) => (only(kind), (await this.put(obj, "replace")).resourceVersion),
      get: async (kind, ns, name) => (only(kind), (await this.read(ns, name)) as StoredObject | undefined),
      delete: async (kind, ns, name) => {
        only(kind);
        await this.delete(ns, name);
      },
    };
  }
}

