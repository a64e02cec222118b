import fs from "node:fs";
import path from "node:path";
import { Args, Command, Flags } from "@oclif/core";
import { fail, oneLine } from "../cli/errors.js";
import { clusterScanOptions, smallYoungGeneration } from "../cli/scan-command.js";
import { readReport } from "../cli/inputs.js";
import type { InstallOffer, ReportProvider } from "../tui/provider.js";

export default class Tui extends Command {
  static summary = "Explore a scan interactively: overview, controls, resources, finding detail with the fix";
  static description =
    "With no argument it opens on the cluster of the current kubeconfig context: on the stored results of the in-cluster operator when one is installed (r asks it for a scan; --local scans here instead), else it scans the cluster itself and i offers to install the operator. Else a file or folder of manifests, a Helm chart (a folder with Chart.yaml, or a .tgz), or a json report saved with --format json. Keys: arrows or j/k, Enter, Esc/Backspace, / filter, s sort, r rescan, e export, ? help, q quit. Ink and React are loaded by this command only.";
  static examples = ["<%= config.bin %> tui", "<%= config.bin %> tui examples/", "<%= config.bin %> tui report.json", "<%= config.bin %> tui --resource Deployment/web -n shop --context prod"];
  static args = { target: Args.string({ description: "manifests (file or folder), a chart, or a json report; none: the cluster" }) };
  static flags = {
    resource: Flags.string({ description: "open straight on this resource, Kind/name (with no target: scan only it, narrowly)" }),
    namespace: Flags.string({ char: "n", description: "the resource's namespace; with no target and no --resource, scan only this namespace" }),
    context: Flags.string({ description: "kubeconfig context (default: current-context)" }),
    kubeconfig: Flags.string({ description: "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config; an empty value means the default)" }),
    local: Flags.boolean({ description: "scan the cluster here even when the in-cluster operator has stored results" }),
    "operator-namespace": Flags.string({ description: "the operator's namespace (where r asks for scans, i installs)", default: "kubescape" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Tui);
    // K9s passes --kubeconfig=$KUBECONFIG, empty when it uses the default
    if (flags.kubeconfig === "") flags.kubeconfig = undefined;
    if (!process.stdin.isTTY || !process.stdout.isTTY) fail("kubescape tui needs a terminal (for a report on a pipe, use kubescape scan)");
    const { provider, resource, offerInstall } = await makeProvider(args.target, flags);
    const { renderTui } = await importInteractive(() => import("../tui/render.js"));
    try {
      await renderTui({ provider, resource, offerInstall, color: !process.env.NO_COLOR && process.env.TERM !== "dumb" });
    } finally {
      await provider.close?.();
    }
  }
}

/**
 * Ink draws only its last frame when CI or CONTINUOUS_INTEGRATION is set (its is-in-ci reads them
 * once, when Ink is loaded). Here stdin and stdout are a terminal, so someone is looking: a CI
 * variable inherited into that terminal (a dev container, a K9s started from a CI shell) must not
 * blank the screen. Ink is loaded with them off; the process keeps its own values.
 */
async function importInteractive<T>(load: () => Promise<T>): Promise<T> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.CI = "0";
  process.env.CONTINUOUS_INTEGRATION = "0";
  try {
    return await load();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

type TuiFlags = { resource?: string; namespace?: string; context?: string; kubeconfig?: string; local?: boolean; "operator-namespace"?: string };

/** The report provider the target and flags describe (exported for the tests). */
export async function makeProvider(
  target: string | undefined,
  flags: TuiFlags,
): Promise<{ provider: ReportProvider; resource?: { kind: string; name: string; namespace?: string }; offerInstall?: InstallOffer }> {
  const { scannerProvider, staticProvider } = await import("../tui/provider.js");
  const { parseWorkload } = await import("../core/sources/cluster-source.js");
  let resource: { kind: string; name: string; namespace?: string } | undefined;
  if (flags.resource) {
    const slash = flags.resource.indexOf("/");
    if (slash <= 0) fail(`--resource ${oneLine(flags.resource)}: expected Kind/name`);
    resource = { kind: flags.resource.slice(0, slash), name: flags.resource.slice(slash + 1), namespace: flags.namespace };
  }
  if (target && /\.json$/i.test(target) && isReportFile(target)) {
    const report = readReport(target);
    const { Registry } = await import("../core/engine/registry.js");
    return {
      provider: staticProvider(
        () => report,
        target,
        () => Registry.load(),
      ),
      resource,
    };
  }
  let offerInstall: InstallOffer | undefined;
  if (!target && !flags.resource) {
    // the operator's client is loaded only when the TUI opens on a cluster
    const operator = await openOperator(flags);
    if ("provider" in operator) return { provider: operator.provider, resource };
    offerInstall = operator.offerInstall;
  }
  const { Scanner } = await import("../core/scanner.js");
  let source;
  let title: string;
  if (!target) {
    const { clusterSource } = await import("../core/sources/cluster-source.js");
    const opts = clusterScanOptions({ kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace });
    if (flags.resource) {
      const workload = parseWorkload(flags.resource, flags.namespace);
      resource = { kind: workload.kind, name: workload.name, namespace: workload.namespace };
      source = clusterSource({ ...opts, namespace: workload.namespace, workload });
      title = `${workload.kind} ${workload.namespace}/${workload.name}${flags.context ? ` (${flags.context})` : ""}`;
    } else {
      source = clusterSource(opts);
      title = `cluster${flags.context ? ` ${flags.context}` : ""}${flags.namespace ? `, namespace ${flags.namespace}` : ""}`;
    }
  } else if (isChart(target)) {
    const { helmSource } = await import("../core/sources/helm.js");
    source = helmSource({ chart: target, namespace: flags.namespace }, { maxBytes: 64 * 1024 * 1024 });
    title = `chart ${target}`;
  } else {
    if (!fs.existsSync(target)) fail(`${oneLine(target)}: no such file or folder`);
    const { fileSource } = await import("../core/sources/local.js");
    source = fileSource([target]);
    title = target;
  }
  smallYoungGeneration();
  const scanner = await Scanner.create();
  return { provider: scannerProvider(scanner, { source }, title), resource, offerInstall };
}

/**
 * The cluster's in-cluster operator: its stored results when one is installed (and not
 * --local), else the offer to install it. A cluster that cannot be asked gets neither: the
 * local scan that follows says what is wrong with it.
 */
async function openOperator(flags: TuiFlags): Promise<{ provider: ReportProvider } | { offerInstall?: InstallOffer }> {
  const client = await import("../operator/client.js");
  const kube = { kubeconfig: flags.kubeconfig, context: flags.context };
  const operatorNamespace = flags["operator-namespace"] ?? "kubescape";
  let installed: boolean;
  try {
    installed = await client.hasOperator(kube);
  } catch {
    return {};
  }
  if (!installed) {
    return {
      offerInstall: {
        namespace: operatorNamespace,
        install: async (onProgress) => {
          onProgress("rendering the operator's chart…");
          const m = await client.installManifests({ namespace: operatorNamespace });
          await client.applyManifests(kube, m.objects, onProgress);
        },
      },
    };
  }
  if (flags.local) return {};
  const { operatorProvider } = await import("../tui/provider.js");
  const { Registry } = await import("../core/engine/registry.js");
  let registry: InstanceType<typeof Registry> | undefined;
  const reg = () => (registry ??= Registry.load());
  const scope = { namespace: flags.namespace };
  const title = `cluster${flags.context ? ` ${flags.context}` : ""}${flags.namespace ? `, namespace ${flags.namespace}` : ""} (in-cluster operator)`;
  const provider = operatorProvider(
    {
      read: async () => {
        const report = await client.readStoredReport(kube, scope, reg());
        if (!report) return undefined;
        // the operator's own record of its last scan; a Kubescape operator has none: the oldest result's time
        const status = await client.operatorStatus(kube, operatorNamespace).catch(() => undefined);
        return { report, lastScan: status?.status?.lastScan || undefined };
      },
      trigger: ({ onProgress, signal }) => client.triggerScan(kube, { operatorNamespace, namespace: flags.namespace, onProgress, signal }),
    },
    title,
    reg,
  );
  return { provider };
}

function isChart(target: string): boolean {
  if (/\.tgz$/i.test(target)) return true;
  try {
    return fs.statSync(target).isDirectory() && fs.existsSync(path.join(target, "Chart.yaml"));
  } catch {
    return false;
  }
}

/** A json file that looks like our report (else it is scanned as a manifest). */
function isReportFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    return /"schemaVersion"\s*:/.test(buf.subarray(0, n).toString("utf8"));
  } catch {
    return false;
  }
}
