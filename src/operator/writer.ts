// The operator's result writer: what is stored (a digest and resourceVersion per result
// object), and a bounded number of writes in flight over the Kube client's keep-alive agent.
//
// - The API server, not this process, is what limits a full scan's write rate (it decodes,
//   validates and re-encodes each object, and its watch cache decodes it again), so writes
//   that change nothing are not sent: each stored object carries the digest of its content in
//   an annotation, read back once with a metadata-only list, and a restart converges by
//   writing only what changed.
// - The cheapest verbs: create (POST) for a new object, replace (PUT with the known
//   resourceVersion) for a changed one; a conflict reads the object again and retries.
// - Two priorities: an event's writes (a changed workload) may use every slot, a full scan's
//   bulk writes leave some free, and a waiting event write is served first, so a result
//   follows its workload within seconds while a backlog of thousands drains.
// - Each write carries the generation of the scan that made it: a write older than what is
//   stored for that object (a full scan's result for an object rescanned since) is dropped.
import { ANNOTATION, LABEL, MANAGED_BY, STORAGE_GROUP, STORAGE_VERSION } from "./storage.js";
import { bodyOf, ready, type Ready } from "./render.js";
import { Kube, METADATA_ONLY, collectionPath, objectPath, type ApiError } from "./kube.js";

export type Priority = "event" | "bulk";
export type PutOutcome = "created" | "updated" | "unchanged" | "stale" | "gone";

export interface ResultKind {
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec: unknown;
}

interface Entry {
  /** digest of what is stored; undefined when nothing is (deleted, or not yet written) */
  digest?: string;
  resourceVersion?: string;
  /** the scan generation that last wrote or deleted it */
  gen: number;
}

export interface WriterOptions {
  /** requests in flight at most (event writes may use all of them; default 24) */
  concurrency?: number;
  /** of which bulk writes may use at most (default 16) */
  bulkConcurrency?: number;
}

export interface WriterStats {
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  deleted: number;
  conflicts: number;
  /** the most requests that were in flight at once */
  maxInFlight: number;
}

/** Where results are written: the API server (ours or Kubescape's storage API), or our own store (store.ts). */
export interface ResultBackend {
  /** ours stored of a kind: names, resourceVersions and digests only */
  list(kind: ResultKind): Promise<{ namespace: string; name: string; resourceVersion?: string; digest: string }[]>;
  /**
   * create or replace (with r.metadata.resourceVersion); rejects with status 409 or 404 as the
   * API server does; resolves with the new resourceVersion
   */
  create(kind: ResultKind, namespace: string, r: Ready): Promise<string | undefined>;
  replace(kind: ResultKind, namespace: string, r: Ready): Promise<string | undefined>;
  get(kind: ResultKind, namespace: string, name: string): Promise<StoredObject | undefined>;
  /** a missing object is success */
  delete(kind: ResultKind, namespace: string, name: string): Promise<void>;
}

const paths = (kind: ResultKind, namespace: string, name = "") => {
  const ns = kind.namespaced ? namespace : undefined;
  return { coll: collectionPath(STORAGE_GROUP, STORAGE_VERSION, kind.plural, ns), obj: objectPath(STORAGE_GROUP, STORAGE_VERSION, kind.plural, name, ns) };
};

/** Results through the API server. */
export function kubeBackend(kube: Kube): ResultBackend {
  return {
    async list(kind) {
      const { items } = await kube.list(paths(kind, "").coll, { labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` }, METADATA_ONLY);
      return items
        .map((it) => it.metadata ?? {})
        .filter((md) => typeof md.name === "string")
        .map((md) => ({
          namespace: typeof md.namespace === "string" ? md.namespace : "",
          name: md.name,
          resourceVersion: md.resourceVersion,
          digest: typeof md.annotations?.[ANNOTATION.digest] === "string" ? md.annotations[ANNOTATION.digest] : "",
        }));
    },
    create: async (kind, ns, r) => (await kube.request<any>("POST", paths(kind, ns).coll, bodyOf(r)))?.metadata?.resourceVersion,
    replace: async (kind, ns, r) => (await kube.request<any>("PUT", paths(kind, ns, r.metadata.name).obj, bodyOf(r)))?.metadata?.resourceVersion,
    get: (kind, ns, name) => kube.find<StoredObject>(paths(kind, ns, name).obj),
    delete: (kind, ns, name) => kube.delete(paths(kind, ns, name).obj),
  };
}

export class ResultWriter {
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly waiting: Record<Priority, (() => void)[]> = { event: [], bulk: [] };
  private inFlight = 0;
  private readonly concurrency: number;
  private readonly bulkConcurrency: number;
  readonly stats: WriterStats = { created: 0, updated: 0, unchanged: 0, stale: 0, deleted: 0, conflicts: 0, maxInFlight: 0 };

  private readonly backend: ResultBackend;

  constructor(backend: Kube | ResultBackend, opts: WriterOptions = {}) {
    this.backend = backend instanceof Kube ? kubeBackend(backend) : backend;
    this.concurrency = Math.max(1, opts.concurrency ?? 24);
    this.bulkConcurrency = Math.max(1, Math.min(this.concurrency, opts.bulkConcurrency ?? 16));
  }

  private static key(kind: ResultKind, namespace: string, name: string): string {
    return `${kind.plural}/${namespace}/${name}`;
  }

  /**
   * Read what is stored of these kinds (ours, by label; names, resourceVersions and digests
   * only). What is remembered of objects no longer stored is dropped; generations stay.
   */
  async load(kinds: ResultKind[]): Promise<number> {
    let n = 0;
    const seen = new Set<string>();
    for (const kind of kinds) {
      for (const it of await this.backend.list(kind)) {
        const key = ResultWriter.key(kind, it.namespace, it.name);
        seen.add(key);
        const e = this.entries.get(key);
        this.entries.set(key, { digest: it.digest, resourceVersion: it.resourceVersion, gen: e?.gen ?? 0 });
        n++;
      }
      const prefix = `${kind.plural}/`;
      for (const [key, e] of this.entries) if (key.startsWith(prefix) && !seen.has(key) && e.digest !== undefined) e.digest = undefined;
    }
    return n;
  }

  /** Stored objects of a kind (namespace, name) that no scan of generation ≥ gen wrote or deleted. */
  *storedBefore(kind: ResultKind, gen: number): Iterable<{ namespace: string; name: string }> {
    const prefix = `${kind.plural}/`;
    for (const [key, e] of this.entries) {
      if (!key.startsWith(prefix) || e.digest === undefined || e.gen >= gen) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf("/");
      yield { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
    }
  }

  /** Forget generations older than gen of objects not stored (tombstones a full scan has superseded). */
  prune(gen: number): void {
    for (const [key, e] of this.entries) if (e.digest === undefined && e.gen < gen) this.entries.delete(key);
  }

  /** Write obj (a result made ready, or an object rendered here) unless what is stored already says the same or a newer scan wrote it. */
  put(kind: ResultKind, obj: StoredObject | Ready, gen: number, priority: Priority): Promise<PutOutcome> {
    const ns = kind.namespaced ? (obj.metadata.namespace ?? "") : "";
    const key = ResultWriter.key(kind, ns, obj.metadata.name);
    return this.locked(key, async () => {
      const e = this.entries.get(key);
      if (e && e.gen > gen) {
        this.stats.stale++;
        return "stale";
      }
      const r = ready(obj);
      const { digest } = r;
      if (e?.digest === digest) {
        e.gen = gen;
        this.stats.unchanged++;
        return "unchanged";
      }
      r.metadata = { ...r.metadata, annotations: { ...r.metadata.annotations, [ANNOTATION.digest]: digest } };
      let rv = e?.digest !== undefined ? e.resourceVersion : undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          let written: string | undefined;
          if (rv === undefined) {
            delete r.metadata.resourceVersion;
            written = await this.slot(priority, () => this.backend.create(kind, ns, r));
            this.stats.created++;
          } else {
            r.metadata.resourceVersion = rv;
            written = await this.slot(priority, () => this.backend.replace(kind, ns, r));
            this.stats.updated++;
          }
          this.entries.set(key, { digest, resourceVersion: written, gen });
          return rv === undefined ? "created" : "updated";
        } catch (err) {
          const status = (err as ApiError).status;
          // its namespace is gone: nothing to write it to
          if (status === 404 && rv === undefined) return "gone";
          if ((status !== 409 && status !== 404) || attempt >= 4) throw err;
          this.stats.conflicts++;
          // created by someone else, changed or deleted since we read it: read it again
          const cur = await this.slot(priority, () => this.backend.get(kind, ns, r.metadata.name));
          rv = cur?.metadata?.resourceVersion;
          if (cur && cur.metadata?.annotations?.[ANNOTATION.digest] === digest) {
            this.entries.set(key, { digest, resourceVersion: rv, gen });
            this.stats.unchanged++;
            return "unchanged";
          }
        }
      }
    });
  }

  /** Delete a stored result (a 404 is success) and remember that generation gen did. */
  remove(kind: ResultKind, namespace: string, name: string, gen: number, priority: Priority): Promise<boolean> {
    const ns = kind.namespaced ? namespace : "";
    const key = ResultWriter.key(kind, ns, name);
    return this.locked(key, async () => {
      const e = this.entries.get(key);
      if (e && e.gen > gen) return false;
      await this.slot(priority, () => this.backend.delete(kind, ns, name));
      this.entries.set(key, { gen });
      this.stats.deleted++;
      return true;
    });
  }

  /** Operations on one object run one after another, in the order asked. */
  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  /** Run fn within the in-flight bound for its priority. */
  private async slot<T>(priority: Priority, fn: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit(priority) || (priority === "bulk" && this.waiting.event.length)) {
      await new Promise<void>((resolve) => this.waiting[priority].push(resolve));
    } else this.inFlight++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private limit(priority: Priority): number {
    return priority === "event" ? this.concurrency : this.bulkConcurrency;
  }

  /** A finished request's slot goes to a waiting event write first, else to a bulk one if bulk is under its bound. */
  private release(): void {
    this.inFlight--;
    const next = this.waiting.event.shift() ?? (this.inFlight < this.bulkConcurrency ? this.waiting.bulk.shift() : undefined);
    if (next) {
      this.inFlight++;
      next();
    }
  }
}
