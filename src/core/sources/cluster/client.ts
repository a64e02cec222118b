// A small Kubernetes API client: GET with TLS and credentials from the kubeconfig, bounded
// retries with backoff and jitter on 429 / 5xx / dropped connections, and one-line errors.
import https from "node:https";
import http from "node:http";
import type { ClusterConnection } from "./kubeconfig.js";
import { UserError } from "../../errors.js";

export class ApiError extends UserError {
  constructor(
    message: string,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** attempts per request for retryable failures (default 6: about 6 s of backoff) */
  attempts?: number;
  /** first backoff in ms, doubled each attempt, with jitter (default 200) */
  backoffMs?: number;
  /** per-request timeout in ms (default 30 s) */
  timeoutMs?: number;
  /** called before each retry (tests, logs) */
  onRetry?: (info: { path: string; attempt: number; reason: string; delayMs: number }) => void;
}

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ECONNABORTED", "UND_ERR_SOCKET"]);

export class KubeClient {
  private agent: http.Agent;
  private base: URL;
  requests = 0;

  constructor(
    readonly conn: ClusterConnection,
    private readonly opts: ClientOptions = {},
  ) {
    this.base = new URL(conn.server);
    const common = { keepAlive: true, maxSockets: 8 };
    this.agent =
      this.base.protocol === "https:"
        ? new https.Agent({ ...common, ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecure, servername: conn.tlsServerName })
        : new http.Agent(common);
  }

  close(): void {
    this.agent.destroy();
  }

  /** GET a path and parse JSON, retrying what is worth retrying. */
  async get<T = unknown>(path: string, accept = "application/json"): Promise<T> {
    const attempts = Math.max(1, this.opts.attempts ?? 6);
    const base = this.opts.backoffMs ?? 200;
    let last: ApiError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.once<T>(path, accept);
      } catch (e) {
        const err = e as ApiError & { retryAfterMs?: number };
        if (!err.transient || attempt === attempts) throw err;
        last = err;
        const backoff = base * 2 ** (attempt - 1);
        const delayMs = Math.min(err.retryAfterMs ?? backoff + Math.random() * backoff, 10_000);
        this.opts.onRetry?.({ path, attempt, reason: err.message, delayMs });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
    throw last!;
  }

  private once<T>(path: string, accept: string): Promise<T> {
    this.requests++;
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { Accept: accept, "User-Agent": "kubescape-ts" };
    if (this.conn.token) headers.Authorization = `Bearer ${this.conn.token}`;
    else if (this.conn.basicAuth) headers.Authorization = `Basic ${Buffer.from(this.conn.basicAuth).toString("base64")}`;
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(url, { method: "GET", agent: this.agent, headers, timeout: this.opts.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => reject(retryable(new ApiError(`${this.conn.server}: connection lost while reading ${url.pathname} (${e.message})`))));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve(JSON.parse(body) as T);
            } catch {
              reject(retryable(new ApiError(`${url.pathname}: response is not JSON (truncated?)`, status)));
            }
            return;
          }
          let message = "";
          let reason = "";
          try {
            const st = JSON.parse(body);
            message = st.message ?? "";
            reason = st.reason ?? "";
          } catch {
            message = body.slice(0, 200);
          }
          const err = new ApiError(describeStatus(status, url.pathname, message, this.conn), status, reason) as ApiError & { retryAfterMs?: number };
          if (status === 429 || status >= 500) {
            err.transient = true;
            const ra = Number(res.headers["retry-after"]);
            if (Number.isFinite(ra) && ra >= 0) err.retryAfterMs = ra * 1000;
          }
          reject(err);
        });
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
      req.on("error", (e: NodeJS.ErrnoException) => reject(connectionError(e, this.conn, url.pathname)));
      req.end();
    });
  }
}

function retryable(e: ApiError): ApiError {
  e.transient = true;
  return e;
}

function describeStatus(status: number, path: string, message: string, conn: ClusterConnection): string {
  switch (status) {
    case 401:
      return `${conn.server}: unauthorized — the credentials of context "${conn.context}" were rejected (expired or invalid token or certificate)`;
    case 403:
      return `forbidden: ${message || path}`;
    case 404:
      return `not found: ${path}`;
    case 429:
      return `${path}: too many requests (429)`;
    default:
      return `${path}: ${status}${message ? ` ${message}` : ""}`;
  }
}

function connectionError(e: NodeJS.ErrnoException, conn: ClusterConnection, path: string): ApiError {
  const code = e.code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME|SSL/.test(code) || /certificate/i.test(e.message)) {
    return new ApiError(`${conn.server}: TLS certificate problem (${code || e.message}); check the cluster's certificate-authority in kubeconfig`);
  }
  if (code === "ECONNREFUSED") return retryable(new ApiError(`${conn.server}: connection refused — is the API server running?`));
  if (code === "ENOTFOUND") return new ApiError(`${conn.server}: host not found`);
  if (code === "ETIMEDOUT") return retryable(new ApiError(`${conn.server}: request for ${path} timed out`));
  if (RETRYABLE_CODES.has(code)) return retryable(new ApiError(`${conn.server}: connection lost (${code})`));
  return new ApiError(`${conn.server}: ${e.message}`);
}
