import { Command } from "@oclif/core";
import { chartCommandFlags, runChartCommand } from "../../cli/operator-flags.js";

export default class OperatorUninstall extends Command {
  static summary = "Remove the operator, its CRDs and the results stored in them (--dry-run prints what would be deleted)";
  static examples = ["<%= config.bin %> operator uninstall --dry-run", "<%= config.bin %> operator uninstall --operator-namespace kubescape"];
  static flags = chartCommandFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorUninstall);
    await runChartCommand(flags, "uninstall");
  }
}
