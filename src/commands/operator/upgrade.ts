import { Command } from "@oclif/core";
import { chartCommandFlags, runChartCommand } from "../../cli/operator-flags.js";

export default class OperatorUpgrade extends Command {
  static summary = "Upgrade the operator: render the chart of this CLI version and apply it over the installed one (server-side apply)";
  static examples = ["<%= config.bin %> operator upgrade --dry-run", "<%= config.bin %> operator upgrade --operator-namespace kubescape"];
  static flags = chartCommandFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorUpgrade);
    await runChartCommand(flags, "upgrade");
  }
}
