import fs from "node:fs";
import tls from "node:tls";
import { Command, Flags } from "@oclif/core";
import { fail, oneLine } from "../../cli/errors.js";
import { operatorFlags, parseDuration, list } from "../../cli/operator-flags.js";
import { UserError } from "../../core/errors.js";

export default class OperatorRun extends Command {
  static summary = "Run the operator: watch the cluster, rescan what changes, keep Kubescape-shaped results in the cluster";
  static description =
    "Keeps the kinds the selected controls need in memory (list + watch), rescans a changed object within about a second and writes WorkloadConfigurationScan, WorkloadConfigurationScanSummary and ConfigurationScanSummary objects (group spdx.softwarecomposition.kubescape.io/v1beta1; our CRDs are installed when Kubescape's storage API is not served). A full scan runs at start and every --interval. With several replicas a Lease elects the one that writes. Serves /healthz, /readyz, /metrics and the Kubescape operator's POST /v1/triggerAction. In a pod it uses the service account; outside, the kubeconfig.";
  static examples = ["<%= config.bin %> operator run --kubeconfig ~/.kube/config --namespace kubescape", "<%= config.bin %> operator run --interval 6h --framework nsa --port 4002"];
  static flags = {
    ...operatorFlags,
    framework: Flags.string({ description: "only the controls of these frameworks (comma-separated; default: every implemented control)", exclusive: ["control"] }),
    control: Flags.string({ description: "only these control IDs (comma-separated)" }),
    interval: Flags.string({ description: "between full scans: 24h, 30m, 90s, or seconds", default: "24h" }),
    port: Flags.integer({ description: "port for /healthz, /readyz, /metrics and /v1/triggerAction (0: any free port)", default: 4002, min: 0, max: 65535 }),
    host: Flags.string({ description: "address to listen on", default: "0.0.0.0" }),
    "lease-duration": Flags.integer({ description: "seconds a leader's Lease lasts without renewal; another replica takes over after it", default: 15, min: 1 }),
    "leader-elect": Flags.boolean({ description: "elect a leader with a Lease (--no-leader-elect: this replica always writes)", default: true, allowNo: true }),
    identity: Flags.string({ description: "this replica's name in the Lease (default: host name and PID)" }),
    "install-crds": Flags.boolean({ description: "install our CRDs when Kubescape's storage API is not served", default: true, allowNo: true }),
    "skip-kinds": Flags.string({ description: "kinds not to read (comma-separated, e.g. Secret): their controls are skipped with that reason" }),
    "cluster-name": Flags.string({ description: "cluster name in Kubescape's wlid annotation (default: the kubeconfig context)" }),
    "debounce-ms": Flags.integer({ description: "how long a change waits for others to batch with", default: 100, min: 0, hidden: true }),
    "max-queue": Flags.integer({ description: "changed objects queued at most before one full scan replaces them", default: 10_000, min: 1, hidden: true }),
    threads: Flags.integer({ description: "rule evaluation threads (default: one per core, at most 8)", min: 1, hidden: true }),
    "serve-storage": Flags.boolean({
      description:
        "serve the storage API (spdx.softwarecomposition.kubescape.io/v1beta1) ourselves, from files in --storage-dir, instead of writing results through the API server; register it with an APIService (the chart does)",
      default: false,
    }),
    "storage-dir": Flags.string({ description: "where --serve-storage keeps results", default: "/data" }),
    "storage-port": Flags.integer({ description: "HTTPS port of --serve-storage (0: any free port)", default: 8443, min: 0, max: 65535 }),
    "tls-cert-file": Flags.string({ description: "serving certificate of --serve-storage (PEM; default: self-signed at start)", dependsOn: ["tls-private-key-file"] }),
    "tls-private-key-file": Flags.string({ description: "its private key (PEM)", dependsOn: ["tls-cert-file"] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorRun);
    const intervalMs = parseDuration(flags.interval);
    if (intervalMs === undefined || intervalMs < 1000) fail(`--interval ${flags.interval}: expected a duration of at least 1s, like 24h, 30m or 90s`);
    // long-running: the young and old generations kept small, as for a scan and the TUI
    const { smallYoungGeneration } = await import("../../cli/scan-command.js");
    smallYoungGeneration();
    const { Operator } = await import("../../operator/operator.js");
    const { kubeOptions } = await import("../../cli/operator-flags.js");
    const readPem = (file: string | undefined, flag: string) => {
      if (!file) return undefined;
      try {
        return fs.readFileSync(file, "utf8");
      } catch (e) {
        return fail(`--${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    };
    const cert = readPem(flags["tls-cert-file"], "tls-cert-file");
    const key = readPem(flags["tls-private-key-file"], "tls-private-key-file");
    if (cert && key) {
      // a pair TLS cannot use is the user's to fix, said before anything starts
      try {
        tls.createSecureContext({ cert, key });
      } catch (e) {
        fail(`--tls-cert-file ${flags["tls-cert-file"]} and --tls-private-key-file ${flags["tls-private-key-file"]}: not a usable certificate and key (${(e as Error).message})`);
      }
    }
    const serveStorage = flags["serve-storage"] ? { dir: flags["storage-dir"], host: flags.host, port: flags["storage-port"], cert, key } : undefined;
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${oneLine(line)}\n`);
    const op = new Operator({
      kube: kubeOptions(flags),
      namespace: flags["operator-namespace"],
      frameworks: list(flags.framework),
      controls: list(flags.control),
      intervalMs,
      debounceMs: flags["debounce-ms"],
      maxQueue: flags["max-queue"],
      leaseSeconds: flags["lease-duration"],
      leaderElection: flags["leader-elect"],
      identity: flags.identity,
      host: flags.host,
      port: flags.port,
      installCrds: flags["install-crds"],
      clusterName: flags["cluster-name"],
      skipKinds: list(flags["skip-kinds"]),
      threads: flags.threads,
      serveStorage,
      log,
    });
    const onSignal = () => {
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
      setTimeout(() => process.exit(0), 5000).unref();
      op.stop().finally(() => process.exit(0));
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    try {
      await op.start();
    } catch (e) {
      await op.stop().catch(() => {});
      if (e instanceof UserError) fail(e.message);
      throw e;
    }
    log(`operator ${op.url} (namespace ${op.namespace})`);
    await new Promise<never>(() => {});
  }
}
