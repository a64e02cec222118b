// A small Kubernetes API client for reads: GET with the TLS material and headers client-node
// derived from the kubeconfig (kubeconfig.ts), the raw JSON exactly as the server sent it, and
// every request bounded — connect, response headers, idle socket, total time, response bytes.
// Retries with backoff and jitter on 429 / 5xx / dropped connections, but a server that was
// never reached (refused, no route, connect deadline) fails at once. One-line errors.
import https from "node:https";
import http from "node:http";
import type { ClusterConnection } from "./kubeconfig.js";
import { UserError } from "../../errors.js";
import { oneLine } from "./text.js";

export class ApiError extends UserError {
  constructor(
    message: string,
    readonly status?: number,
    readonly reason?: string,
    opts: { transient?: boolean; code?: string } = {},
  ) {
    super(message, { transient: opts.transient });
    this.code = opts.code;
  }
  /** what failed below HTTP: ECONNREFUSED, ETIMEDOUT, DEADLINE (total time), TOO_LARGE, … */
  readonly code?: string;
  /** server-asked delay before a retry (Retry-After) */
  retryAfterMs?: number;
}

export interface ClientOptions {
  /** attempts per request for retryable failures (default 6: about 6 s of backoff) */
  attempts?: number;
  /** first backoff in ms, doubled each attempt, with jitter (default 200) */
  backoffMs?: number;
  /** TCP (and TLS) connect deadline in ms (default 10 s) */
  connectTimeoutMs?: number;
  /** from sending the request to the response headers, in ms (default 30 s) */
  headerTimeoutMs?: number;
  /** longest silence on the socket in ms (default 30 s) */
  idleTimeoutMs?: number;
  /** whole request, body included, in ms (default 60 s): a server trickling bytes cannot keep it open */
  requestTimeoutMs?: number;
  /** former name of requestTimeoutMs */
  timeoutMs?: number;
  /** bytes per response body (default 256 MiB) */
  maxResponseBytes?: number;
  /** called before each retry (tests, logs) */
  onRetry?: (info: { path: string; attempt: number; reason: string; delayMs: number }) => void;
}

/** Failures where the request never reached a server: not retried until one answered once. */
const CONNECT_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "CONNECT_TIMEOUT", "EADDRNOTAVAIL"]);
const DROPPED_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ECONNABORTED", "UND_ERR_SOCKET", "IDLE_TIMEOUT", "HEADER_TIMEOUT"]);
/** error bodies are read this far, then cut: the message keeps one short line of them anyway */
const MAX_ERROR_BODY = 64 * 1024;

export const MiB = 1024 * 1024;

export class KubeClient {
  private agent: http.Agent;
  private base: URL;
  /** a response (any status) came back: refusals from now on are a restart, worth retrying */
  private reached = false;
  requests = 0;

  constructor(
    readonly conn: ClusterConnection,
    private readonly opts: ClientOptions = {},
  ) {
    this.base = new URL(conn.server);
    this.base.username = "";
    this.base.password = "";
    const common = { keepAlive: true, maxSockets: 8 };
    this.agent =
      conn.agent ??
      (this.base.protocol === "https:"
        ? new https.Agent({ ...common, ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecure, servername: conn.tlsServerName })
        : new http.Agent(common));
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
        const err = e as ApiError;
        if (!this.retryable(err) || attempt === attempts) throw err;
        last = err;
        const backoff = base * 2 ** (attempt - 1);
        const delayMs = Math.min(err.retryAfterMs ?? backoff + Math.random() * backoff, 10_000);
        this.opts.onRetry?.({ path, attempt, reason: err.message, delayMs });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
    throw last!;
  }

  private retryable(err: ApiError): boolean {
    if (!err.transient) return false;
    if (err.code === "DEADLINE") return false; // a whole-request deadline already spent its time
    if (err.code && CONNECT_CODES.has(err.code) && !this.reached) return false; // never reached: down or wrong address
    return true;
  }

  private once<T>(path: string, accept: string): Promise<T> {
    this.requests++;
    const url = new URL(path, this.base);
    const where = url.pathname;
    const server = this.conn.server;
    const headers: Record<string, string> = { ...this.conn.headers, Accept: accept, "User-Agent": "kubescape-ts" };
    const mod = url.protocol === "https:" ? https : http;
    const o = this.opts;
    const maxBytes = o.maxResponseBytes ?? 256 * MiB;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const settle = (err: ApiError | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(value as T);
      };
      const deadline = (ms: number, make: () => ApiError) => timers.push(setTimeout(() => settle(make()), ms));
      const req = mod.request(url, { method: "GET", agent: this.agent, headers }, (res) => {
        this.reached = true;
        clearTimeout(headerTimer);
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const declared = Number(res.headers["content-length"]);
        if (ok && declared > maxBytes) return settle(tooLarge(server, where, maxBytes));
        const chunks: Buffer[] = [];
        let bytes = 0;
        let cut = false;
        res.on("data", (c: Buffer) => {
          if (settled) return;
          bytes += c.length;
          if (ok && bytes > maxBytes) return settle(tooLarge(server, where, maxBytes));
          if (!ok && bytes > MAX_ERROR_BODY) {
            // enough of an error body for one line: stop reading the rest
            chunks.push(c.subarray(0, c.length - (bytes - MAX_ERROR_BODY)));
            cut = true;
            return settle(statusError(status, where, Buffer.concat(chunks).toString("utf8"), this.conn, res.headers));
          }
          chunks.push(c);
        });
        res.on("error", (e) => settle(new ApiError(`${server}: connection lost while reading ${where} (${oneLine(e.message, 100)})`, undefined, undefined, { transient: true, code: "ECONNRESET" })));
        res.on("aborted", () => settle(new ApiError(`${server}: connection lost while reading ${where}`, undefined, undefined, { transient: true, code: "ECONNRESET" })));
        res.on("end", () => {
          if (settled || cut) return;
          const body = Buffer.concat(chunks).toString("utf8");
          if (!ok) return settle(statusError(status, where, body, this.conn, res.headers));
          let value: T;
          try {
            value = JSON.parse(body) as T;
          } catch {
            return settle(new ApiError(`${where}: response is not JSON (truncated?)`, status, undefined, { transient: true, code: "BAD_JSON" }));
          }
          settle(undefined, value);
        });
      });
      // connect: until the socket (and TLS) is up; a socket reused from the pool already is
      const connectMs = o.connectTimeoutMs ?? 10_000;
      const connectTimer = setTimeout(
        () => settle(new ApiError(`${server}: could not connect within ${secs(connectMs)}`, undefined, undefined, { transient: true, code: "CONNECT_TIMEOUT" })),
        connectMs,
      );
      timers.push(connectTimer);
      req.on("socket", (socket) => {
        if (!socket.connecting && !(socket as { pending?: boolean }).pending) return clearTimeout(connectTimer);
        socket.once(url.protocol === "https:" && !this.conn.agent ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
      });
      const headerMs = o.headerTimeoutMs ?? 30_000;
      const headerTimer = setTimeout(
        () => settle(new ApiError(`${server}: no response to ${where} within ${secs(headerMs)}`, undefined, undefined, { transient: true, code: "HEADER_TIMEOUT" })),
        headerMs,
      );
      timers.push(headerTimer);
      const totalMs = o.requestTimeoutMs ?? o.timeoutMs ?? 60_000;
      deadline(totalMs, () => new ApiError(`${server}: ${where} did not complete within ${secs(totalMs)} (request deadline)`, undefined, undefined, { transient: true, code: "DEADLINE" }));
      const idleMs = o.idleTimeoutMs ?? 30_000;
      req.setTimeout(idleMs, () => settle(new ApiError(`${server}: ${where}: no data for ${secs(idleMs)}`, undefined, undefined, { transient: true, code: "IDLE_TIMEOUT" })));
      req.on("error", (e: NodeJS.ErrnoException) => settle(connectionError(e, this.conn, where)));
      req.end();
    });
  }
}

const secs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

function tooLarge(server: string, path: string, max: number): ApiError {
  const limit = max % MiB === 0 ? `${max / MiB} MiB` : `${max} bytes`;
  return new ApiError(`${server}: response to ${path} is larger than ${limit}; stopped reading`, undefined, undefined, { code: "TOO_LARGE" });
}

function statusError(status: number, path: string, body: string, conn: ClusterConnection, headers: http.IncomingHttpHeaders): ApiError {
  let message = "";
  let reason = "";
  try {
    const st = JSON.parse(body);
    if (typeof st?.message === "string") message = st.message;
    if (typeof st?.reason === "string") reason = st.reason;
  } catch {
    message = body;
  }
  const err = new ApiError(describeStatus(status, path, oneLine(message, 200), conn), status, reason, { transient: status === 429 || status >= 500 });
  const ra = Number(headers["retry-after"]);
  if (err.transient && Number.isFinite(ra) && ra >= 0) err.retryAfterMs = ra * 1000;
  return err;
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
    return new ApiError(`${conn.server}: TLS certificate problem (${code || oneLine(e.message, 100)}); check the cluster's certificate-authority in kubeconfig`, undefined, undefined, { code });
  }
  const t = { transient: true, code };
  if (code === "ECONNREFUSED") return new ApiError(`${conn.server}: connection refused — is the API server running?`, undefined, undefined, t);
  if (code === "ENOTFOUND") return new ApiError(`${conn.server}: host not found`, undefined, undefined, { code });
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new ApiError(`${conn.server}: no route to the host (${code})`, undefined, undefined, t);
  if (code === "ETIMEDOUT") return new ApiError(`${conn.server}: request for ${path} timed out`, undefined, undefined, t);
  if (DROPPED_CODES.has(code)) return new ApiError(`${conn.server}: connection lost (${code})`, undefined, undefined, t);
  return new ApiError(`${conn.server}: ${oneLine(e.message, 160)}`, undefined, undefined, { code });
}
