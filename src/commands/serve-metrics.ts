import { Args, Command, Flags } from "@oclif/core";
import { scanFlags, scanRequest } from "../cli/scan-command.js";
import { fail, oneLine } from "../cli/errors.js";
import { ApiError } from "../core/sources/cluster/client.js";
import { ListenError, MetricsServer } from "../services/metrics-server.js";
import { UserError } from "../core/errors.js";
import { loc } from "../report/text.js";

// the scan flags that make sense for a server (no report file, colour or exit-code gate)
const { kubeconfig, context, namespace, selector } = scanFlags;
const shared = {
  "controls-config": scanFlags["controls-config"],
  exceptions: scanFlags.exceptions,
  "annotation-exceptions": scanFlags["annotation-exceptions"],
  "max-file-size": scanFlags["max-file-size"],
  "follow-symlinks": scanFlags["follow-symlinks"],
  "max-objects": scanFlags["max-objects"],
  kubeconfig,
  context,
  namespace,
  "all-namespaces": scanFlags["all-namespaces"],
  selector,
  "exclude-namespaces": scanFlags["exclude-namespaces"],
  "page-size": scanFlags["page-size"],
};

export default class ServeMetrics extends Command {
  static summary = "Scan, then serve the result as Prometheus metrics on /metrics (re-scanning every --interval seconds)";
  static description =
    "Scans the given paths, or the cluster of the current kubeconfig context when no path is given, and serves the result in the Prometheus text format on GET /metrics (GET /healthz answers 200 while the server runs). With --interval N it re-scans every N seconds in the background and keeps serving the last good result when a scan fails.";
  static examples = [
    "<%= config.bin %> serve-metrics k8s/",
    "<%= config.bin %> serve-metrics --context prod --interval 300 --host 0.0.0.0 --port 9090",
    "<%= config.bin %> serve-metrics examples/ --port 0   # any free port; the URL is printed",
  ];
  static strict = false;
  static args = { paths: Args.string({ description: "files or directories to scan (none: the cluster)" }) };
  static flags = {
    port: Flags.integer({ char: "p", description: "port to listen on (0: any free port, printed on start)", default: 8080, min: 0, max: 65535 }),
    host: Flags.string({ description: "address to listen on (0.0.0.0 for every interface)", default: "127.0.0.1" }),
    interval: Flags.integer({ description: "re-scan every this many seconds (0: scan once at start)", default: 0, min: 0 }),
    framework: Flags.string({ description: "only the controls of these frameworks (comma-separated)", exclusive: ["control"] }),
    control: Flags.string({ description: "only these control IDs (comma-separated)" }),
    ...shared,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ServeMetrics);
    const paths = argv as string[];
    if (paths.includes("-") && flags.interval > 0) fail("stdin (-) can be read only once: use --interval 0, or scan files");
    const list = (s: string | undefined) =>
      s
        ?.split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    const server = new MetricsServer({
      host: flags.host,
      port: flags.port,
      intervalSeconds: flags.interval,
      log: (line) => process.stderr.write(`${oneLine(line)}\n`),
      scan: scanRequest(flags, { paths, frameworks: list(flags.framework), controls: list(flags.control) }),
    });

    // bind first: a busy port is reported at once, not after a long cluster scan
    try {
      process.stderr.write(`serving metrics on ${await server.listen()}\n`);
    } catch (e) {
      if (e instanceof ListenError) fail(e.message);
      throw e;
    }
    // clean shutdown: stop re-scans, close the listener and its connections, exit 0 (at once,
    // even when a scan is running in worker threads)
    const onSignal = () => {
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal).off("SIGHUP", onSignal);
      // whatever is still running (a scan in the workers, a slow client) has 2 s
      setTimeout(() => process.exit(0), 2000).unref();
      server.stop().finally(() => process.exit(0));
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal).on("SIGHUP", onSignal);
    // SIGUSR1 would open Node's inspector on a long-running server; with a listener it does not
    process.on("SIGUSR1", () => process.stderr.write("SIGUSR1 ignored (no inspector in serve-metrics)\n"));

    try {
      const report = await server.scanOnce();
      for (const f of report.skippedFiles) process.stderr.write(`${oneLine(loc(f.file, f.line))}: ${oneLine(f.reason)}\n`);
    } catch (e) {
      // what the user asked for is wrong, or there is nothing to serve without re-scans
      const transient = e instanceof ApiError && flags.interval > 0;
      if (!transient) {
        await server.stop();
        if (e instanceof UserError) fail(e.message);
        throw e;
      }
      process.stderr.write(`warning: scan failed, retrying in ${flags.interval}s: ${oneLine((e as Error).message)}\n`);
    }
    server.scheduleRescans();
    // keep serving until a signal ends the process
    await new Promise<never>(() => {});
  }
}
