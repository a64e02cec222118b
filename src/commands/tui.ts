import fs from "node:fs";
import path from "node:path";
import { Args, Command, Flags } from "@oclif/core";
import { fail, oneLine } from "../cli/errors.js";
import { clusterScanOptions, smallYoungGeneration } from "../cli/scan-command.js";
import { readReport } from "../cli/inputs.js";

export default class Tui extends Command {
  static summary = "Explore a scan interactively: overview, controls, resources, finding detail with the fix";
  static description =
    "With no argument it scans the cluster of the current kubeconfig context; else a file or folder of manifests, a Helm chart (a folder with Chart.yaml, or a .tgz), or a json report saved with --format json. Keys: arrows or j/k, Enter, Esc/Backspace, / filter, s sort, r rescan, e export, ? help, q quit. Ink and React are loaded by this command only.";
  static examples = ["<%= config.bin %> tui", "<%= config.bin %> tui examples/", "<%= config.bin %> tui report.json", "<%= config.bin %> tui --resource Deployment/web -n shop --context prod"];
  static args = { target: Args.string({ description: "manifests (file or folder), a chart, or a json report; none: the cluster" }) };
  static flags = {
    resource: Flags.string({ description: "open straight on this resource, Kind/name (with no target: scan only it, narrowly)" }),
    namespace: Flags.string({ char: "n", description: "the resource's namespace; with no target and no --resource, scan only this namespace" }),
    context: Flags.string({ description: "kubeconfig context (default: current-context)" }),
    kubeconfig: Flags.string({ description: "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config; an empty value means the default)" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Tui);
    // K9s passes --kubeconfig=$KUBECONFIG, empty when it uses the default
    if (flags.kubeconfig === "") flags.kubeconfig = undefined;
    if (!process.stdin.isTTY || !process.stdout.isTTY) fail("kubescape tui needs a terminal (for a report on a pipe, use kubescape scan)");
    const { provider, resource } = await makeProvider(args.target, flags);
    const { renderTui } = await import("../tui/render.js");
    try {
      await renderTui({ provider, resource, color: !process.env.NO_COLOR && process.env.TERM !== "dumb" });
    } finally {
      await provider.close?.();
    }
  }
}

type TuiFlags = { resource?: string; namespace?: string; context?: string; kubeconfig?: string };

/** The report provider the target and flags describe (exported for the tests). */
export async function makeProvider(target: string | undefined, flags: TuiFlags) {
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
  return { provider: scannerProvider(scanner, { source }, title), resource };
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
