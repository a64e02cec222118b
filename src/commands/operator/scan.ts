import { Command, Flags } from "@oclif/core";
import { oneLine } from "../../cli/errors.js";
import { operatorFlags, kubeOptions, list } from "../../cli/operator-flags.js";
import { renderResults, resultFlags } from "../../cli/operator-results.js";

export default class OperatorScan extends Command {
  static summary = "Ask the in-cluster operator for a scan, wait for it, then print the stored result";
  static description =
    "Creates a ScanCommand resource (operator.kubescape-ts.io/v1alpha1) and follows its status conditions, or with --via rest posts the Kubescape operator's trigger (POST /v1/triggerAction, command kubescapeScan) through the API server's service proxy — no port-forward, and a real Kubescape operator answers it too. Then prints the stored results like `kubescape operator results`.";
  static examples = [
    "<%= config.bin %> operator scan",
    "<%= config.bin %> operator scan -n shop --workload Deployment/web",
    "<%= config.bin %> operator scan --via rest --framework nsa --format json",
  ];
  static flags = {
    ...operatorFlags,
    ...resultFlags,
    via: Flags.string({ description: "cr: a ScanCommand resource; rest: POST /v1/triggerAction through the service proxy", options: ["cr", "rest"], default: "cr" }),
    timeout: Flags.integer({ description: "seconds to wait for the scan", default: 300, min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorScan);
    const { triggerScan } = await import("../../operator/client.js");
    const r = await triggerScan(kubeOptions(flags), {
      operatorNamespace: flags["operator-namespace"],
      namespace: flags.namespace,
      workload: flags.workload,
      frameworks: list(flags.framework),
      via: flags.via as "cr" | "rest",
      timeoutMs: flags.timeout * 1000,
      onProgress: (line) => process.stderr.write(`${oneLine(line)}\n`),
    });
    process.stderr.write(`scan ${r.phase.toLowerCase()}${r.scanned !== undefined ? `: ${r.scanned} objects` : ""}\n`);
    await renderResults(flags);
  }
}
