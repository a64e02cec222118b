import { Args, Command } from "@oclif/core";
import { Registry } from "../../core/engine/registry.js";
import { scanFlags, scanAndReport, splitSelection } from "../../cli/scan-command.js";
import { fail } from "../../cli/errors.js";

export default class ScanFramework extends Command {
  static summary = "Scan against one or more frameworks (NSA, MITRE, cis-v1.10.0, …); each gets its own compliance score";
  static examples = ["<%= config.bin %> scan framework nsa examples/", "<%= config.bin %> scan framework nsa,mitre k8s/"];
  static strict = false;
  static args = { frameworks: Args.string({ description: "framework names (comma-separated or several), then paths", required: true }) };
  static flags = scanFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ScanFramework);
    const registry = Registry.load();
    const { names, paths } = splitSelection(argv as string[], (s) => registry.framework(s)?.name, "framework", [...registry.frameworks.keys()]);
    if (names.length === 0) fail("name a framework first (such as nsa; see: kubescape list frameworks), then the paths to scan");
    await scanAndReport(flags, { paths, frameworks: [...new Set(names)] });
  }
}
