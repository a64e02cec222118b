// The metrics server behind `kubescape serve-metrics`: scans (once, or every interval
// seconds in the background) and serves the last good result as Prometheus text on
// GET /metrics, with GET /healthz for liveness. Plain node:http; no framework.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";
import { Scanner, type ScanRequest } from "../core/index.js";
import { CONTENT_TYPE, renderPrometheus } from "../report/prometheus.js";
import type { ScanReport } from "../core/scoring/result.js";
import { UserError } from "../core/errors.js";

export interface MetricsServerOptions {
  /** what each scan reads and checks (a file source re-reads its files every time) */
  scan: ScanRequest;
  host: string;
  /** 0: let the system pick a free port (see `url` after listen) */
  port: number;
  /** seconds between scans; 0 scans once */
  intervalSeconds: number;
  /** one line for the operator (stderr) */
  log: (line: string) => void;
}

/** The port could not be bound (in use, not permitted, bad host). */
export class ListenError extends UserError {}

export class MetricsServer {
  private readonly server: http.Server;
  private readonly own = new Registry(); // the server's own metrics, next to the scan's
  private readonly errors: Counter;
  private readonly lastSuccess: Gauge;
  private readonly lastScan: Gauge;
  private body: string | undefined; // the last good scan, rendered once
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private scanner: Promise<Scanner> | undefined; // one for every scan: rules and workers stay loaded
  url = "";

  constructor(private readonly opts: MetricsServerOptions) {
    this.errors = new Counter({ name: "kubescape_scan_errors_total", help: "Scans that failed since the server started; /metrics keeps serving the last good scan.", registers: [this.own] });
    this.lastSuccess = new Gauge({ name: "kubescape_last_scan_success", help: "1 if the most recent scan succeeded, 0 if it failed.", registers: [this.own] });
    this.lastScan = new Gauge({ name: "kubescape_last_scan_timestamp_seconds", help: "When the most recent scan (good or failed) finished, in seconds since the Unix epoch.", registers: [this.own] });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    const text = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (path !== "/metrics" && path !== "/healthz") return text(404, "not found: try /metrics or /healthz\n");
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "method not allowed\n", { allow: "GET, HEAD" });
    if (path === "/healthz") return text(200, "ok\n");
    if (this.body === undefined) return text(503, "no scan has completed yet\n", { "retry-after": "5" });
    const body = this.body + "\n" + (await this.own.metrics());
    text(200, body, { "content-type": CONTENT_TYPE });
  }

  /** Bind the port; the URL of /metrics is in `url` afterwards. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        const where = `${this.opts.host}:${this.opts.port}`;
        if (e.code === "EADDRINUSE") reject(new ListenError(`port ${this.opts.port} on ${this.opts.host} is already in use (choose another with --port)`));
        else if (e.code === "EACCES") reject(new ListenError(`not permitted to listen on ${where} (ports below 1024 need privileges)`));
        else if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") reject(new ListenError(`cannot listen on ${where}: no such local address`));
        else reject(new ListenError(`cannot listen on ${where}: ${e.message}`));
      };
      this.server.once("error", onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off("error", onError);
        const { address, port } = this.server.address() as AddressInfo;
        this.url = `http://${address.includes(":") ? `[${address}]` : address}:${port}/metrics`;
        resolve(this.url);
      });
    });
  }

  /** Run one scan; on success its metrics replace the served ones. Throws what the scan threw. */
  async scanOnce(): Promise<ScanReport> {
    try {
      const scanner = await (this.scanner ??= Scanner.create());
      const report = await scanner.scan(this.opts.scan);
      this.body = await renderPrometheus(report);
      this.lastSuccess.set(1);
      return report;
    } catch (e) {
      this.errors.inc();
      this.lastSuccess.set(0);
      throw e;
    } finally {
      this.lastScan.set(Date.now() / 1000);
    }
  }

  /** Re-scan every interval seconds, each after the previous one has finished; failures are logged and counted. */
  scheduleRescans(): void {
    if (this.opts.intervalSeconds <= 0 || this.stopped) return;
    this.timer = setTimeout(() => {
      this.scanOnce()
        .then(
          () => undefined,
          (e: unknown) => this.opts.log(`warning: scan failed, still serving the last good result: ${e instanceof Error ? e.message : String(e)}`),
        )
        .finally(() => this.scheduleRescans());
    }, this.opts.intervalSeconds * 1000);
  }

  /** Stop scanning and close the server and its open connections. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.scanner?.then((s) => s.close()).catch(() => undefined);
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
