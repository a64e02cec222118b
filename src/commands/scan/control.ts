import { Args, Command } from "@oclif/core";
import { scanFlags, scanAndReport, splitSelection } from "../../cli/scan-command.js";
import { fail } from "../../cli/errors.js";

export default class ScanControl extends Command {
  static summary = "Scan against specific controls by ID";
  static examples = ["<%= config.bin %> scan control C-0057 examples/", "<%= config.bin %> scan control C-0057,C-0041 k8s/"];
  static strict = false;
  static args = { controls: Args.string({ description: "control IDs (comma-separated or several), then paths", required: true }) };
  static flags = scanFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ScanControl);
    const { names, paths } = splitSelection(argv as string[], (s) => /^(C-)?\d{1,4}$/i.test(s), "control");
    if (names.length === 0) fail(`"${(argv as string[])[0]}" is not a control ID such as C-0057`);
    await scanAndReport(flags, { paths, controls: names });
  }
}
