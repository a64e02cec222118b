import { Args, Command } from "@oclif/core";
import { scanFlags, scanAndReport } from "../../cli/scan-command.js";

export default class Scan extends Command {
  static summary = "Scan manifests, or the cluster of the current kubeconfig context, against every implemented control";
  static description =
    "Reads files, directories (recursively: .yaml, .yml, .json) or - for stdin, and reports failed controls with file:line:column. With no path it scans the cluster of the current kubeconfig context (see the CLUSTER flags).";
  static examples = [
    "<%= config.bin %> scan examples/",
    "kubectl get deploy -o yaml | <%= config.bin %> scan -",
    "<%= config.bin %> scan k8s/ --format json --output report.json",
    "kubectl kubescape scan --context prod -n payments",
  ];
  static strict = false;
  static args = { paths: Args.string({ description: "files, directories, or - for stdin" }) };
  static flags = scanFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Scan);
    await scanAndReport(flags, { paths: argv as string[] });
  }
}
