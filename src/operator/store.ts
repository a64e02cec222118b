// Our own result store, for when the operator serves the storage API itself (storage-server.ts)
// instead of writing through the API server: Kubescape does the same with its storage
// component, because an API server and etcd take tens of milliseconds of CPU per result object,
// and a cluster of 20,000 objects has 20,000 results.
//
// - WorkloadConfigurationScans are appended to one log file (<dir>/results.log), a line per
//   write: a header (the object's metadata, its failed controls by severity) and its JSON, or
//   its findings, from which the JSON is made when it is read (render.ts: a full scan writes a
//   third of the bytes, and makes no JSON); a delete is a header alone. The spec tables those
//   findings are read with (the controls of the object's kind) are a line of their own,
//   written once before the first line that names them. One file, its lines written together
//   (see append): a file per result cost more in the file system (create, rename) than
//   everything else a full scan writes. A restart reads the headers back; a line cut short by
//   a kill is dropped; the log is rewritten with only the current lines when most of it is
//   superseded.
// - In memory: each scan's metadata and where its JSON (or findings) is in the log, not the
//   JSON; and the spec tables.
// - WorkloadConfigurationScanSummaries and ConfigurationScanSummaries are derived on read, as
//   Kubescape's storage derives them: from a scan's controls, and from a namespace's scans.
// - resourceVersions are one counter over the store; each change is kept in a ring of recent
//   events, so a watch can start from a recent resourceVersion.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import {
  ANNOTATION,
  KINDS,
  LABEL,
  MANAGED_BY,
  STORAGE_API_VERSION,
  emptySeverities,
  tablesFromJson,
  tablesToJson,
  toSummary,
  type ObjectFindings,
  type Severities,
  type SpecTables,
  type WorkloadConfigurationScan,
} from "./storage.js";
import { headOf, isDeferred, ready, specMaker, type Ready } from "./render.js";
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
  /** where its JSON is in the log, and the whole line's length */
  offset: number;
  length: number;
  line: number;
  /** set when the log holds its findings, not its JSON: the id of the spec tables to make its spec with */
  tab?: string;
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

const LOG = "results.log";
/** the log is rewritten when superseded lines are more than this and than the current ones */
const COMPACT_BYTES = 64 << 20;
/** appended lines are written together once this many bytes wait (see append) */
const FLUSH_BYTES = 1 << 20;
/** what ends a put line after the spec: the object, then the line */
const LINE_END = Buffer.from("}\n");
const NEWLINE = Buffer.from("\n");

export class ResultStore {
  private readonly index = new Map<string, Map<string, Entry>>();
  /** spec tables by id (their digest): written to the log once, before the first record that names them */
  private readonly tables = new Map<string, SpecTables>();
  private rv = 0;
  private readonly ring: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  /** bodies of deleted scans, kept for the DELETED events still in the ring */
  private readonly tombstones = new Map<string, Record<string, any>>();
  private fd = -1;
  /** lines appended but not yet written (append), their bytes, and the write planned for them */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushSoon: NodeJS.Immediate | undefined;
  /** bytes in the log (those pending included), and of those, lines superseded by later ones */
  private bytes = 0;
  private garbage = 0;

  private constructor(readonly dir: string) {}

  private get file(): string {
    return path.join(this.dir, LOG);
  }

  /** Open (or create) the store in dir and read the index of what is there; a line cut short is dropped and reported. */
  static async open(dir: string, warn: (line: string) => void = () => {}): Promise<ResultStore> {
    const store = new ResultStore(dir);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    store.fd = fs.openSync(store.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    const valid = store.replay(warn);
    const size = fs.fstatSync(store.fd).size;
    if (valid < size) {
      warn(`storage: ${store.file}: ${size - valid} bytes at the end are not a whole record (a write cut short); dropped`);
      fs.ftruncateSync(store.fd, valid);
    }
    store.bytes = valid;
    if (store.garbage > store.bytes / 2) store.compact();
    return store;
  }

  /** Read the log's records into the index; returns the length of its valid part. */
  private replay(warn: (line: string) => void): number {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let pos = 0;
    let base = 0;
    for (;;) {
      const n = fs.readSync(this.fd, chunk, 0, chunk.length, pos);
      if (!n) break;
      pos += n;
      let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let at = 0;
      for (let nl = buf.indexOf(10, at); nl >= 0; nl = buf.indexOf(10, at)) {
        const tab = buf.indexOf(9, at);
        const headerEnd = tab >= 0 && tab < nl ? tab : nl;
        let h: any;
        try {
          h = JSON.parse(buf.toString("utf8", at, headerEnd));
          if (h?.t === "tables" && typeof h.id === "string" && headerEnd < nl) {
            this.tables.set(h.id, tablesFromJson(buf.toString("utf8", tab + 1, nl)));
            at = nl + 1;
            continue;
          }
          if (!h || typeof h.ns !== "string" || typeof h.name !== "string" || typeof h.rv !== "number") throw new Error("no ns, name and rv");
          if (h.tab !== undefined && !this.tables.has(h.tab)) throw new Error(`spec tables ${JSON.stringify(h.tab)} are not in the log before it`);
        } catch (e) {
          warn(`storage: ${this.file}: the record at byte ${base + at} is not readable (${(e as Error).message}); it and what follows are dropped`);
          return base + at;
        }
        const lineLength = nl + 1 - at;
        this.rv = Math.max(this.rv, h.rv);
        const old = this.index.get(h.ns)?.get(h.name);
        if (old) this.garbage += old.line;
        if (h.t === "put" && tab >= 0 && tab < nl && h.meta) {
          const e: Entry = { meta: h.meta, rv: h.rv, severities: h.sev ?? emptySeverities(), offset: base + tab + 1, length: nl - tab - 1, line: lineLength };
          if (h.tab !== undefined) e.tab = h.tab;
          this.ns(h.ns).set(h.name, e);
        } else {
          this.index.get(h.ns)?.delete(h.name);
          if (!this.index.get(h.ns)?.size) this.index.delete(h.ns);
          this.garbage += lineLength;
        }
        at = nl + 1;
      }
      base += at;
      carry = Buffer.from(buf.subarray(at));
      buf = carry;
    }
    return base;
  }

  /** Rewrite the log with only the current lines (synchronous: a full scan's log is read and written in well under a second). */
  private compact(): void {
    this.flush();
    const tmp = `${this.file}.compact`;
    const out = fs.openSync(tmp, "w", 0o600);
    let offset = 0;
    try {
      // the spec tables still named, before what names them
      const named = new Set<string>();
      for (const m of this.index.values()) for (const e of m.values()) if (e.tab !== undefined) named.add(e.tab);
      for (const id of [...this.tables.keys()]) {
        if (!named.has(id)) {
          this.tables.delete(id);
          continue;
        }
        const line = this.tablesLine(id, this.tables.get(id)!);
        fs.writeSync(out, line);
        offset += line.length;
      }
      for (const m of this.index.values()) {
        for (const e of m.values()) {
          const head = Buffer.from(`${this.header("put", e.meta, e.rv, e.severities, e.tab)}\t`);
          const body = Buffer.alloc(e.length + 1);
          fs.readSync(this.fd, body, 0, e.length, e.offset);
          body[e.length] = 10;
          fs.writeSync(out, head);
          fs.writeSync(out, body);
          e.offset = offset + head.length;
          e.line = head.length + body.length;
          offset += e.line;
        }
      }
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(tmp, this.file);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR, 0o600);
    this.bytes = offset;
    this.garbage = 0;
  }

  private header(t: "put" | "del", meta: Meta, rv: number, sev?: Severities, tab?: string): string {
    return JSON.stringify(t === "put" ? { t, ns: meta.namespace, name: meta.name, rv, meta, sev, tab } : { t, ns: meta.namespace, name: meta.name, rv });
  }

  private tablesLine(id: string, tables: SpecTables): Buffer {
    return Buffer.from(`${JSON.stringify({ t: "tables", id })}\t${tablesToJson(tables)}\n`);
  }

  /**
   * Append a line; returns the offset it starts at. Lines are written together (one writev)
   * once FLUSH_BYTES are waiting or the event loop turns, and before any read: a full scan's
   * 20,000 lines cost a few hundred writes instead of 20,000. A crash loses at most those
   * lines, which the operator writes again (it compares what is stored with what it scanned).
   */
  private append(...parts: Uint8Array[]): number {
    const at = this.bytes;
    for (const part of parts) {
      this.bytes += part.length;
      this.pending.push(part);
      this.pendingBytes += part.length;
    }
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.flushSoon ??= setImmediate(() => this.flush());
    return at;
  }

  /** Write the lines append() holds. */
  private flush(): void {
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushSoon = undefined;
    let at = this.bytes - this.pendingBytes;
    const bufs = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    while (bufs.length) {
      let n = fs.writevSync(this.fd, bufs, at);
      at += n;
      // a short write: go on from where it stopped
      while (bufs.length && n >= bufs[0].length) n -= bufs.shift()!.length;
      if (n > 0) bufs[0] = bufs[0].subarray(n);
    }
  }

  close(): void {
    if (this.fd >= 0) {
      this.flush();
      fs.closeSync(this.fd);
    }
    this.fd = -1;
  }

  private ns(namespace: string): Map<string, Entry> {
    let m = this.index.get(namespace);
    if (!m) this.index.set(namespace, (m = new Map()));
    return m;
  }

  private check(namespace: string, name: string): void {
    if (!NAME.test(namespace) || !NAME.test(name)) throw new StoreError(`invalid name ${JSON.stringify(`${namespace}/${name}`)}`, 422, "Invalid");
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

  /**
   * Create (no resourceVersion given) or replace (the stored one's resourceVersion given) a
   * scan: a result made ready (a deferred one is kept as its findings), or an object rendered here.
   */
  async put(obj: StoredObject | Ready, mode: "create" | "replace"): Promise<Meta> {
    const r = ready(obj);
    const { name, namespace = "" } = r.metadata;
    this.check(namespace, name);
    const have = this.index.get(namespace)?.get(name);
    if (mode === "create" && have) throw new StoreError(`${namespace}/${name} already exists`, 409, "AlreadyExists");
    if (mode === "replace") {
      if (!have) throw new StoreError(`${namespace}/${name} not found`, 404, "NotFound");
      if (r.metadata.resourceVersion !== undefined && r.metadata.resourceVersion !== have.meta.resourceVersion)
        throw new StoreError(`${namespace}/${name}: the object has been modified`, 409, "Conflict");
    }
    const rv = ++this.rv;
    const meta: Meta = {
      name,
      namespace,
      uid: have?.meta.uid ?? randomUUID(),
      resourceVersion: String(rv),
      creationTimestamp: have?.meta.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      labels: r.metadata.labels ?? {},
      annotations: r.metadata.annotations ?? {},
    };
    const severities = r.severities ?? emptySeverities();
    const entry: Entry = { meta, rv, severities, offset: 0, length: 0, line: 0 };
    // one line: the header, a tab, the object's JSON (or its findings), a newline
    let at: number;
    if (isDeferred(r)) {
      if (!this.tables.has(r.tablesDigest)) {
        this.tables.set(r.tablesDigest, r.tables);
        this.append(this.tablesLine(r.tablesDigest, r.tables));
      }
      entry.tab = r.tablesDigest;
      const head = Buffer.from(`${this.header("put", meta, rv, severities, entry.tab)}\t`);
      const body = Buffer.from(r.text);
      at = this.append(head, body, NEWLINE) + head.length;
      entry.length = body.length;
      entry.line = head.length + body.length + 1;
    } else {
      const head = Buffer.from(`${this.header("put", meta, rv, severities)}\t${headOf(STORAGE_API_VERSION, KINDS.scan.kind, meta)}`);
      const headBytes = head.indexOf(9) + 1;
      at = this.append(head, r.spec, LINE_END) + headBytes;
      entry.length = head.length - headBytes + r.spec.length + 1;
      entry.line = headBytes + entry.length + 1;
    }
    entry.offset = at;
    if (have) this.garbage += have.line;
    this.ns(namespace).set(name, entry);
    this.emit({ type: have ? "MODIFIED" : "ADDED", rv, namespace, name, scan: () => this.read(namespace, name) });
    this.maybeCompact();
    return meta;
  }

  async delete(namespace: string, name: string): Promise<Meta | undefined> {
    this.check(namespace, name);
    const have = this.index.get(namespace)?.get(name);
    if (!have) return undefined;
    const last = await this.read(namespace, name);
    const rv = ++this.rv;
    const line = Buffer.from(`${this.header("del", have.meta, rv)}\n`);
    this.append(line);
    this.garbage += have.line + line.length;
    this.index.get(namespace)?.delete(name);
    if (!this.index.get(namespace)?.size) this.index.delete(namespace);
    const key = `${namespace}/${name}/${rv}`;
    if (last) this.tombstones.set(key, { ...last, metadata: { ...last.metadata, resourceVersion: String(rv) } });
    this.emit({ type: "DELETED", rv, namespace, name, scan: async () => this.tombstones.get(key) });
    this.maybeCompact();
    return have.meta;
  }

  private maybeCompact(): void {
    if (this.garbage > COMPACT_BYTES && this.garbage > this.bytes - this.garbage) this.compact();
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
    const raw = await this.raw(namespace, name);
    return raw && JSON.parse(raw.toString("utf8"));
  }

  /** The stored bytes of a scan (what a GET answers; one kept as its findings made now), or undefined. */
  async raw(namespace: string, name: string): Promise<Buffer | undefined> {
    const e = this.index.get(namespace)?.get(name);
    if (!e) return undefined;
    if (this.pendingBytes) this.flush();
    const buf = Buffer.alloc(e.length);
    fs.readSync(this.fd, buf, 0, e.length, e.offset);
    if (e.tab === undefined) return buf;
    const spec = specMaker(this.tables.get(e.tab)!).spec(JSON.parse(buf.toString("utf8")) as ObjectFindings);
    return Buffer.from(`${headOf(STORAGE_API_VERSION, KINDS.scan.kind, e.meta)}${JSON.stringify(spec)}}`);
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
      create: async (kind, _ns, r) => (only(kind), (await this.put(r, "create")).resourceVersion),
      replace: async (kind, _ns, r) => (only(kind), (await this.put(r, "replace")).resourceVersion),
      get: async (kind, ns, name) => (only(kind), (await this.read(ns, name)) as StoredObject | undefined),
      delete: async (kind, ns, name) => {
        only(kind);
        await this.delete(ns, name);
      },
    };
  }
}
