import { Command } from "@oclif/core";
import { chartCommandFlags, runChartCommand } from "../../cli/operator-flags.js";

export default class OperatorInstall extends Command {
  static summary = "Install the operator: render charts/kubescape-operator and apply it with server-side apply (--dry-run prints the manifests)";
  static examples = ["<%= config.bin %> operator install --dry-run", "<%= config.bin %> operator install --operator-namespace kubescape"];
  static flags = chartCommandFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorInstall);
    await runChartCommand(flags, "install");
  }
}
