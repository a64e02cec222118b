import { Args, Command } from "@oclif/core";
import { Registry } from "../../core/engine/registry.js";
import { scanFlags, scanAndReport, splitSelection } from "../../cli/scan-command.js";
import { fail } from "../../cli/errors.js";

export default class ScanFramework extends Command {
  static summary = "Scan against one or more frameworks (NSA, MITRE, cis-v1.10.0, …)";
  static examples = ["<%= config.bin %> scan framework nsa examples/", "<%= config.bin %> scan framework nsa,mitre k8s/"];
  static strict = false;
  static args = { frameworks: Args.string({ description: "framework names (comma-separated or several), then paths", required: true }) };
  static flags = scanFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ScanFramework);
    const registry = Registry.load();
    const { names, paths } = splitSelection(argv as string[], (s) => !!registry.framework(s), "framework");
    if (names.length === 0) fail(`unknown framework "${(argv as string[])[0]}" (see: kubescape list frameworks)`);
    await scanAndReport(flags, { paths, frameworks: names });
  }
}
