import { Command } from "@oclif/core";
import { operatorFlags } from "../../cli/operator-flags.js";
import { renderResults, resultFlags } from "../../cli/operator-results.js";

export default class OperatorResults extends Command {
  static summary = "Print the results the operator stored in the cluster, in any report format, without rescanning";
  static description =
    "Reads the WorkloadConfigurationScan objects (ours, or a Kubescape operator's) and renders them as a report: pretty, json, sarif, html, … Exits 2 when the cluster has no stored results.";
  static examples = [
    "<%= config.bin %> operator results",
    "<%= config.bin %> operator results -n shop --workload Deployment/web --format json",
    "<%= config.bin %> operator results --framework nsa -o report.html",
  ];
  static flags = { ...operatorFlags, ...resultFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorResults);
    await renderResults(flags);
  }
}
