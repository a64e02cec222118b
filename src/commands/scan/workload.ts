import { Args, Command } from "@oclif/core";
import { scanFlags, scanAndReport, clusterScanOptions } from "../../cli/scan-command.js";
import { clusterSource, parseWorkload } from "../../core/sources/cluster-source.js";

// the manifest-only flags make no sense for one live workload
const { "follow-symlinks": _f, "max-file-size": _m, "all-namespaces": _a, selector: _s, "exclude-namespaces": _e, ...workloadFlags } = scanFlags;

export default class ScanWorkload extends Command {
  static summary = "Scan one workload of the cluster (Kind/name), with what its controls look at";
  static description =
    "Reads the workload, its namespace, its service account with the role bindings and roles that name it, the services that select it and the network policies of its namespace: namespace-scoped reads (cluster role bindings are the one cluster-wide list), not the whole cluster.";
  static examples = ["<%= config.bin %> scan workload Deployment/web -n shop", "<%= config.bin %> scan workload pod/debug-shell -n default --context prod --format json"];
  static args = { workload: Args.string({ description: "Kind/name: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob", required: true }) };
  static flags = workloadFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ScanWorkload);
    const workload = parseWorkload(args.workload, flags.namespace);
    const source = clusterSource({ ...clusterScanOptions(flags), namespace: workload.namespace, workload });
    await scanAndReport({ ...flags, "max-file-size": 1 }, { paths: [], source });
  }
}
