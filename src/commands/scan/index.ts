import { Args, Command } from "@oclif/core";
import fs from "node:fs";
import { scanFlags, scanAndReport } from "../../cli/scan-command.js";
import { fail } from "../../cli/errors.js";
import { closest } from "../../cli/suggest.js";

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
    const first = (argv as string[])[0];
    // `scan contrl C-0057`: a mistyped subcommand, not a path to scan
    if (first !== undefined && first !== "-" && !fs.existsSync(first)) {
      const sub = closest(first, ["control", "framework"]);
      if (sub) fail(`${first}: no such file or directory (did you mean: ${this.config.bin} scan ${sub}?)`);
    }
    await scanAndReport(flags, { paths: argv as string[] });
  }
}
