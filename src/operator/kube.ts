// The operator's API client: any verb with a JSON body, and watches as a stream of events,
// over one keep-alive agent built from the same connection the cluster source uses (kubeconfig
// or the pod's service account). Writes go here rather than through client-node: thousands of
// result objects per full scan, and client-node's object API costs a discovery round trip and
// several promises per write. Errors are our one-line ApiError with the HTTP status.
import http from "node:http";
import https from "node:https";
import { ApiError, KubeClient } from "../core/sources/cluster/client.js";
import { loadConnection, type ClusterConnection, type KubeConfigOptions } from "../core/sources/cluster/kubeconfig.js";
import { oneLine } from "../core/sources/cluster/text.js";

export { ApiError };

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: Record<string, any>;
}

/** Re-read credentials this often: a pod's service-account token is rotated on disk. */
const REFRESH_MS = 5 * 60_000;

export class Kube {
  private agent: http.Agent;
  /** watches hold their socket for minutes: their own agent, so they never starve requests */
  private watchAgent: http.Agent;
  private base: URL;
  private refreshedAt = Date.now();
  /** for GETs with retries and bounded pages (discovery, lists) */
  reader: KubeClient;
  requests = 0;

  private constructor(
    public conn: ClusterConnection,
    private readonly opts: KubeConfigOptions,
  ) {
    this.base = new URL(conn.server);
    this.agent = this.makeAgent(32);
    this.watchAgent = this.makeAgent(Infinity);
    this.reader = new KubeClient(conn);
  }

  static async connect(opts: KubeConfigOptions = {}): Promise<Kube> {
    return new Kube(await loadConnection(opts), opts);
  }

  private makeAgent(maxSockets: number): http.Agent {
    const common = { keepAlive: true, maxSockets };
    return (
      this.conn.agent ??
      (this.base.protocol === "https:"
        ? new https.Agent({ ...common, ca: this.conn.ca, cert: this.conn.cert, key: this.conn.key, rejectUnauthorized: !this.conn.insecure, servername: this.conn.tlsServerName })
        : new http.Agent(common))
    );
  }

  private async maybeRefresh(): Promise<void> {
    if (Date.now() - this.refreshedAt < REFRESH_MS) return;
    this.refreshedAt = Date.now();
    try {
      const conn = await loadConnection(this.opts);
      this.conn = { ...this.conn, headers: conn.headers };
      this.reader.close();
      this.reader = new KubeClient(this.conn);
    } catch {
      // keep the old credentials; the next request says what is wrong
    }
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
    this.reader.close();
  }

  /** One request (a body: an object, or its JSON as text or bytes); resolves with the parsed body (undefined for an empty one), rejects with an ApiError for a non-2xx status. */
  async request<T = any>(method: string, path: string, body?: unknown, contentType = "application/json", timeoutMs = 30_000): Promise<T> {
    await this.maybeRefresh();
    this.requests++;
    const url = new URL(path, this.base);
    const data = body === undefined ? undefined : body instanceof Uint8Array ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const headers: Record<string, string> = { ...this.conn.headers, Accept: "application/json", "User-Agent": "kubescape-ts-operator" };
    if (data) {
      headers["Content-Type"] = contentType;
      headers["Content-Length"] = String(data.length);
    }
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(url, { method, agent: this.agent, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => reject(new ApiError(`${method} ${url.pathname}: ${oneLine(e.message, 120)}`, undefined, undefined, { transient: true })));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          let parsed: any;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          if (status >= 200 && status < 300) return resolve(parsed as T);
          const message = typeof parsed?.message === "string" ? parsed.message : typeof parsed === "string" ? parsed : "";
          reject(
            new ApiError(`${method} ${url.pathname}: ${status}${message ? ` ${oneLine(message, 200)}` : ""}`, status, typeof parsed?.reason === "string" ? parsed.reason : undefined, {
              transient: status === 429 || status >= 500,
            }),
          );
        });
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", (e: NodeJS.ErrnoException) => reject(new ApiError(`${method} ${url.pathname}: ${oneLine(e.message, 120)}`, undefined, undefined, { transient: true, code: e.code })));
      if (data) req.write(data);
      req.end();
    });
  }

  get<T = any>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** GET that answers undefined for 404. */
  async find<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if ((e as ApiError).status === 404) return undefined;
      throw e;
    }
  }

  /** Server-side apply of a whole object at its path (create or update; this operator owns its fields). */
  apply<T = any>(path: string, obj: unknown, fieldManager = "kubescape-ts-operator"): Promise<T> {
    return this.request<T>("PATCH", `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, obj, "application/apply-patch+yaml");
  }

  /** DELETE; a 404 (already gone) is success. */
  async delete(path: string): Promise<void> {
    try {
      await this.request("DELETE", path);
    } catch (e) {
      if ((e as ApiError).status !== 404) throw e;
    }
  }

  /** Every item of a collection path (paginated), with the list's resourceVersion to watch from. */
  async list(path: string, query: Record<string, string> = {}, accept?: string): Promise<{ items: Record<string, any>[]; resourceVersion: string }> {
    const items: Record<string, any>[] = [];
    let cont = "";
    let rv = "";
    do {
      const q = new URLSearchParams({ limit: "500", ...query });
      if (cont) q.set("continue", cont);
      const page = await this.reader.get<any>(`${path}?${q}`, accept);
      if (Array.isArray(page?.items)) items.push(...page.items);
      rv = typeof page?.metadata?.resourceVersion === "string" ? page.metadata.resourceVersion : rv;
      cont = typeof page?.metadata?.continue === "string" ? page.metadata.continue : "";
    } while (cont);
    return { items, resourceVersion: rv };
  }

  /**
   * Watch a collection from a resourceVersion until the server ends the watch (resolves), the
   * signal aborts it (resolves), or it fails (rejects; a 410 Gone has status 410: list again).
   */
  async watch(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, signal?: AbortSignal, timeoutSeconds = 300): Promise<void> {
    await this.maybeRefresh();
    const q = new URLSearchParams({ watch: "1", resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(timeoutSeconds) });
    const url = new URL(`${path}?${q}`, this.base);
    const headers = { ...this.conn.headers, Accept: "application/json", "User-Agent": "kubescape-ts-operator" };
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return resolve();
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        signal?.removeEventListener("abort", onAbort);
        if (err && !signal?.aborted) reject(err);
        else resolve();
      };
      const req = mod.request(url, { method: "GET", agent: this.watchAgent, headers }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            let message = Buffer.concat(chunks).toString("utf8");
            try {
              message = JSON.parse(message).message ?? message;
            } catch {
              // plain text
            }
            finish(new ApiError(`watch ${url.pathname}: ${status} ${oneLine(message, 200)}`, status));
          });
          return;
        }
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            let ev: WatchEvent;
            try {
              ev = JSON.parse(line);
            } catch {
              continue;
            }
            if (ev.type === "ERROR") {
              const code = typeof ev.object?.code === "number" ? ev.object.code : undefined;
              finish(new ApiError(`watch ${url.pathname}: ${code ?? ""} ${oneLine(String(ev.object?.message ?? ""), 200)}`, code));
              req.destroy();
              return;
            }
            onEvent(ev);
          }
        });
        res.on("end", () => finish());
        res.on("error", (e) => finish(e));
      });
      // no data for this long (bookmarks come about every minute): the connection is dead
      req.setTimeout((timeoutSeconds + 60) * 1000, () => req.destroy(new Error("watch idle")));
      req.on("error", (e) => finish(e));
      const onAbort = () => {
        req.destroy();
        finish();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end();
    });
  }
}

/** Ask a list for names and labels only (PartialObjectMetadataList): clean-ups need no specs. */
export const METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/** The collection path of a resource: /api/v1/pods, /apis/apps/v1/namespaces/x/deployments. */
export function collectionPath(group: string, version: string, plural: string, namespace?: string): string {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return namespace ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${prefix}/${plural}`;
}

export function objectPath(group: string, version: string, plural: string, name: string, namespace?: string): string {
  return `${collectionPath(group, version, plural, namespace)}/${encodeURIComponent(name)}`;
}
