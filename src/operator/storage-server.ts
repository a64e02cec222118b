// The storage API served by the operator itself: an aggregated API server for
// spdx.softwarecomposition.kubescape.io/v1beta1 (registered by an APIService), reading our
// result store (store.ts). The API server authenticates users and proxies their requests
// here; this server trusts the proxy's X-Remote-* headers only on a connection that presents
// the front proxy's client certificate (the requestheader CA and names of the
// kube-system/extension-apiserver-authentication ConfigMap), and asks the API server whether
// the user may do what they ask (a SubjectAccessReview, cached for seconds).
//
// Served: discovery, get, list (label and field selectors, limit/continue, metadata-only
// lists) and watch of the three kinds, and delete of WorkloadConfigurationScans. The summaries
// are derived from the scans, as Kubescape's storage derives them; they are not written.
import https from "node:https";
import type http from "node:http";
import type { TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";
import { KINDS, STORAGE_API_VERSION, STORAGE_GROUP, STORAGE_VERSION } from "./storage.js";
import { ResultStore, StoreError, type StoreEvent } from "./store.js";
import { selfSignedCert } from "./cert.js";
import type { ApiError, Kube } from "./kube.js";
import { UserError } from "../core/errors.js";

export interface StorageServerOptions {
  store: ResultStore;
  kube: Kube;
  host?: string;
  port?: number;
  /** PEM serving certificate and key (default: self-signed at start) */
  cert?: string;
  key?: string;
}

type KindKey = "scan" | "summary" | "namespaceSummary";
const BY_PLURAL = new Map<string, KindKey>(Object.entries(KINDS).map(([k, v]) => [v.plural, k as KindKey]));
const DISCOVERY = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: STORAGE_API_VERSION,
  resources: [
    { name: KINDS.scan.plural, singularName: "workloadconfigurationscan", namespaced: true, kind: KINDS.scan.kind, verbs: ["delete", "get", "list", "watch"] },
    { name: KINDS.summary.plural, singularName: "workloadconfigurationscansummary", namespaced: true, kind: KINDS.summary.kind, verbs: ["get", "list", "watch"] },
    { name: KINDS.namespaceSummary.plural, singularName: "configurationscansummary", namespaced: false, kind: KINDS.namespaceSummary.kind, verbs: ["get", "list", "watch"] },
  ],
};
const GROUP = {
  kind: "APIGroup",
  apiVersion: "v1",
  name: STORAGE_GROUP,
  versions: [{ groupVersion: STORAGE_API_VERSION, version: STORAGE_VERSION }],
  preferredVersion: { groupVersion: STORAGE_API_VERSION, version: STORAGE_VERSION },
};
/** a watch whose client reads slower than this much queued output is ended (it watches again) */
const WATCH_BACKLOG = 16 << 20;
const MAX_WATCH_SECONDS = 1800;

interface User {
  name: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export class StorageServer {
  private server: https.Server | undefined;
  private readonly decisions = new Map<string, { allowed: boolean; until: number }>();
  private readonly watches = new Set<() => void>();
  /** the front proxy's client certificate names (none: any the front proxy's CA signed) */
  private allowedNames: string[] = [];

  constructor(private readonly opts: StorageServerOptions) {}

  async start(): Promise<void> {
    const rh = await this.readRequestHeader();
    const { cert, key } = this.opts.cert && this.opts.key ? { cert: this.opts.cert, key: this.opts.key } : selfSignedCert("kubescape-ts-storage", ["localhost", "127.0.0.1"]);
    this.allowedNames = rh.allowedNames;
    this.server = https.createServer({ cert, key, ca: rh.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => this.status(res, 500, "InternalError", (e as Error).message));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.opts.port ?? 8443, this.opts.host ?? "0.0.0.0", () => resolve());
    });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const end of this.watches) end();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
  }

  private async readRequestHeader(): Promise<{ ca: string; allowedNames: string[] }> {
    let cm: any;
    try {
      cm = await this.opts.kube.get<any>("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication");
    } catch (e) {
      throw new UserError(
        `--serve-storage: reading kube-system/extension-apiserver-authentication (the front proxy's CA): ${(e as Error).message}${(e as ApiError).status === 403 ? " (bind the Role extension-apiserver-authentication-reader, as the chart does)" : ""}`,
      );
    }
    const ca = cm?.data?.["requestheader-client-ca-file"];
    if (typeof ca !== "string" || !ca.includes("BEGIN CERTIFICATE"))
      throw new UserError(
        "--serve-storage: kube-system/extension-apiserver-authentication has no requestheader-client-ca-file: the API server has no front proxy, so it cannot reach an aggregated API",
      );
    let allowedNames: string[] = [];
    try {
      const parsed = JSON.parse(cm.data["requestheader-allowed-names"] ?? "[]");
      if (Array.isArray(parsed)) allowedNames = parsed.filter((n) => typeof n === "string");
    } catch {
      // none: any name the CA signed
    }
    return { ca, allowedNames };
  }

  // --- authentication and authorisation ---------------------------------------------------

  /** The user the front proxy names, when the connection is the front proxy's. */
  private user(req: http.IncomingMessage): User | undefined {
    const sock = req.socket as TLSSocket;
    if (!sock.authorized) return undefined;
    const cn = sock.getPeerCertificate()?.subject?.CN;
    if (this.allowedNames.length && !this.allowedNames.includes(String(cn))) return undefined;
    const h = req.headersDistinct;
    const name = h["x-remote-user"]?.[0];
    if (!name) return undefined;
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(h)) {
      if (k.startsWith("x-remote-extra-") && v) extra[decodeURIComponent(k.slice("x-remote-extra-".length))] = v;
    }
    return { name, groups: h["x-remote-group"] ?? [], extra };
  }

  private async allowed(user: User, attrs: Record<string, string>): Promise<boolean> {
    const key = JSON.stringify([user, attrs]);
    const now = Date.now();
    const hit = this.decisions.get(key);
    if (hit && hit.until > now) return hit.allowed;
    const review = await this.opts.kube.request<any>("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user: user.name, groups: user.groups, extra: user.extra, resourceAttributes: { group: STORAGE_GROUP, version: STORAGE_VERSION, ...attrs } },
    });
    const allowed = review?.status?.allowed === true;
    if (this.decisions.size > 4096) this.decisions.clear();
    this.decisions.set(key, { allowed, until: now + (allowed ? 10_000 : 2_000) });
    return allowed;
  }

  // --- requests ----------------------------------------------------------------------------

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.json(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://x");
    const p = url.pathname.replace(/\/+$/, "");
    if (p === "/healthz" || p === "/livez" || p === "/readyz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    const user = this.user(req);
    if (!user) return this.status(res, 401, "Unauthorized", "requests are accepted from the API server's front proxy only");
    if (p === "/apis") return this.json(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups: [GROUP] });
    if (p === `/apis/${STORAGE_GROUP}`) return this.json(res, 200, GROUP);
    if (p === `/apis/${STORAGE_GROUP}/${STORAGE_VERSION}`) return this.json(res, 200, DISCOVERY);
    const prefix = `/apis/${STORAGE_GROUP}/${STORAGE_VERSION}/`;
    if (!p.startsWith(prefix)) return this.status(res, 404, "NotFound", `${p} is not served here`);
    let parts: string[];
    try {
      parts = p.slice(prefix.length).split("/").map(decodeURIComponent);
    } catch {
      return this.status(res, 400, "BadRequest", "the path is not valid percent-encoding");
    }
    let namespace: string | undefined;
    if (parts[0] === "namespaces" && parts.length >= 3) {
      namespace = parts[1];
      parts.splice(0, 2);
    }
    const [plural, name, ...rest] = parts;
    const kind = BY_PLURAL.get(plural);
    if (!kind || rest.length || (kind === "namespaceSummary" && namespace !== undefined)) return this.status(res, 404, "NotFound", `${p} is not served here`);
    const watch = ["1", "true"].includes(url.searchParams.get("watch") ?? "");
    const verb =
      req.method === "GET"
        ? name
          ? "get"
          : watch
            ? "watch"
            : "list"
        : req.method === "DELETE" && name
          ? "delete"
          : req.method === "DELETE"
            ? "deletecollection"
            : req.method === "POST"
              ? "create"
              : req.method === "PATCH"
                ? "patch"
                : "update";
    const attrs: Record<string, string> = { verb, resource: plural, ...(namespace !== undefined ? { namespace } : {}), ...(name ? { name } : {}) };
    if (!(await this.allowed(user, attrs))) {
      const where = namespace !== undefined ? ` in the namespace "${namespace}"` : " at the cluster scope";
      return this.status(res, 403, "Forbidden", `${plural}${name ? ` "${name}"` : ""} is forbidden: User "${user.name}" cannot ${verb} resource "${plural}" in API group "${STORAGE_GROUP}"${where}`);
    }
    const store = this.opts.store;
    if (verb === "get") {
      const obj = await this.object(kind, namespace ?? "", name);
      if (!obj) return this.status(res, 404, "NotFound", `${plural} "${name}" not found`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(obj);
      return;
    }
    if (verb === "delete") {
      if (kind !== "scan") return this.status(res, 405, "MethodNotAllowed", `${plural} are derived from the scans; delete the WorkloadConfigurationScan`);
      const last = await store.read(namespace ?? "", name);
      if (!last || !(await store.delete(namespace ?? "", name))) return this.status(res, 404, "NotFound", `${plural} "${name}" not found`);
      return this.json(res, 200, last);
    }
    if (verb === "list") return this.list(req, res, url, kind, namespace);
    if (verb === "watch") return this.watch(res, url, kind, namespace);
    return this.status(res, 405, "MethodNotAllowed", `${verb} is not supported on ${plural}: the operator writes the results`);
  }

  /** One object's JSON bytes. */
  private async object(kind: KindKey, namespace: string, name: string): Promise<Buffer | string | undefined> {
    const store = this.opts.store;
    try {
      if (kind === "scan") return await store.raw(namespace, name);
      if (kind === "summary") {
        const scan = await store.read(namespace, name);
        return scan && JSON.stringify(ResultStore.summaryOf(scan));
      }
      const css = store.namespaceSummary(name);
      return css && JSON.stringify(css);
    } catch (e) {
      if (e instanceof StoreError && e.status === 422) return undefined;
      throw e;
    }
  }

  /** What a collection request selects, in order: [namespace, name] of each (a namespace summary's namespace is its name). */
  private select(url: URL, kind: KindKey, namespace: string | undefined): (readonly [string, string])[] {
    const labels = parseSelector(url.searchParams.get("labelSelector") ?? "");
    const fields = parseSelector(url.searchParams.get("fieldSelector") ?? "");
    const store = this.opts.store;
    if (kind === "namespaceSummary") {
      const names = store.namespaces().filter((ns) => matches(fields, { "metadata.name": ns }));
      return names.filter((ns) => matches(labels, store.namespaceSummary(ns)?.metadata.labels ?? {})).map((ns) => ["", ns] as const);
    }
    return [...store.metas(namespace)]
      .filter((m) => matches(labels, m.labels) && matches(fields, { "metadata.name": m.name, "metadata.namespace": m.namespace }))
      .map((m) => [m.namespace, m.name] as const);
  }

  private async list(req: http.IncomingMessage, res: http.ServerResponse, url: URL, kind: KindKey, namespace: string | undefined): Promise<void> {
    const store = this.opts.store;
    const rv = store.resourceVersion;
    const keys = this.select(url, kind, namespace);
    const limit = Math.max(0, Number(url.searchParams.get("limit")) || 0);
    let start = 0;
    const cont = url.searchParams.get("continue");
    if (cont) {
      let after: [string, string];
      try {
        after = JSON.parse(Buffer.from(cont, "base64url").toString("utf8"));
        if (!Array.isArray(after) || after.length !== 2) throw new Error();
      } catch {
        return this.status(res, 400, "BadRequest", "continue: not a token of this server");
      }
      while (start < keys.length && (keys[start][0] < after[0] || (keys[start][0] === after[0] && keys[start][1] <= after[1]))) start++;
    }
    const end = limit ? Math.min(keys.length, start + limit) : keys.length;
    const next = end < keys.length ? Buffer.from(JSON.stringify(keys[end - 1])).toString("base64url") : "";
    const listMeta = JSON.stringify({ resourceVersion: rv, ...(next ? { continue: next, remainingItemCount: keys.length - end } : {}) });
    const metadataOnly = /as=PartialObjectMetadataList/.test(req.headers.accept ?? "");
    res.writeHead(200, { "content-type": "application/json" });
    if (metadataOnly) {
      res.write(`{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${listMeta},"items":[`);
    } else {
      res.write(`{"kind":"${KINDS[kind].kind}List","apiVersion":"${STORAGE_API_VERSION}","metadata":${listMeta},"items":[`);
    }
    let first = true;
    for (let i = start; i < end; i++) {
      const [ns, name] = keys[i];
      let item: Buffer | string | undefined;
      if (metadataOnly && kind !== "namespaceSummary") {
        const m = store.meta(ns, name);
        item = m && JSON.stringify({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: m });
      } else item = await this.object(kind, ns, name);
      // deleted since it was selected
      if (!item) continue;
      if (!first) res.write(",");
      first = false;
      // a slow reader: wait for it rather than hold the whole list
      if (!res.write(item)) await new Promise((r) => res.once("drain", r));
    }
    res.end("]}");
  }

  private watch(res: http.ServerResponse, url: URL, kind: KindKey, namespace: string | undefined): void {
    const store = this.opts.store;
    const rvParam = url.searchParams.get("resourceVersion");
    const since = rvParam && rvParam !== "0" ? Number(rvParam) : undefined;
    const labels = parseSelector(url.searchParams.get("labelSelector") ?? "");
    const fields = parseSelector(url.searchParams.get("fieldSelector") ?? "");
    const seconds = Math.min(MAX_WATCH_SECONDS, Number(url.searchParams.get("timeoutSeconds")) || MAX_WATCH_SECONDS);
    let chain = Promise.resolve();
    let ended = false;
    const send = (type: string, object: unknown) => {
      if (ended) return;
      res.write(`{"type":"${type}","object":${typeof object === "string" ? object : JSON.stringify(object)}}\n`);
      if (res.writableLength > WATCH_BACKLOG) end();
    };
    const initial = since === undefined ? this.select(url, kind, namespace) : undefined;
    const onEvent = (e: StoreEvent) => {
      if (namespace !== undefined && e.namespace !== namespace) return;
      chain = chain.then(async () => {
        if (ended) return;
        if (kind === "namespaceSummary") {
          if (!matches(fields, { "metadata.name": e.namespace })) return;
          const css = store.namespaceSummary(e.namespace);
          return send(
            css ? (e.type === "ADDED" && css.spec.summaryRef.length === 1 ? "ADDED" : "MODIFIED") : "DELETED",
            css ?? { apiVersion: STORAGE_API_VERSION, kind: KINDS.namespaceSummary.kind, metadata: { name: e.namespace, resourceVersion: String(e.rv) } },
          );
        }
        const scan = await e.scan();
        if (!scan || !matches(labels, scan.metadata?.labels ?? {}) || !matches(fields, { "metadata.name": e.name, "metadata.namespace": e.namespace })) return;
        send(e.type, kind === "scan" ? scan : ResultStore.summaryOf(scan));
      });
    };
    const unsubscribe = store.subscribe(onEvent, since);
    if (!unsubscribe) return this.status(res, 410, "Expired", `too old resource version: ${rvParam} (${store.resourceVersion})`);
    const timer = setTimeout(() => end(), seconds * 1000);
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      unsubscribe();
      this.watches.delete(end);
      res.end();
    };
    this.watches.add(end);
    res.on("close", end);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    if (initial) {
      chain = chain.then(async () => {
        for (const [ns, name] of initial) {
          if (ended) return;
          const obj = await this.object(kind, ns, name);
          if (obj) send("ADDED", obj.toString());
        }
      });
    }
  }
}

// --- selectors --------------------------------------------------------------------------

type Requirement = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!exists"; values: string[] };

/** A label or field selector: a=b, a==b, a!=b, a, !a, a in (x,y), a notin (x,y), comma-separated. */
export function parseSelector(s: string): Requirement[] {
  const out: Requirement[] = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts.map((x) => x.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(raw))) out.push({ key: m[1], op: m[2] as "in" | "notin", values: m[3].split(",").map((v) => v.trim()) });
    else if ((m = /^(.+?)\s*(!=|==|=)\s*(.*)$/.exec(raw))) out.push({ key: m[1].trim(), op: m[2] === "!=" ? "!=" : "=", values: [m[3].trim()] });
    else if (raw.startsWith("!")) out.push({ key: raw.slice(1).trim(), op: "!exists", values: [] });
    else out.push({ key: raw, op: "exists", values: [] });
  }
  return out;
}

export function matches(reqs: Requirement[], labels: Record<string, string>): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v);
      case "notin":
        return !has || !r.values.includes(v);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}
