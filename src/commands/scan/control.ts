import { Args, Command } from "@oclif/core";
import { Registry } from "../../core/engine/registry.js";
import { scanFlags, scanAndReport, splitSelection, resolveControl } from "../../cli/scan-command.js";
import { fail } from "../../cli/errors.js";

export default class ScanControl extends Command {
  static summary = "Scan against specific controls, by ID or by name";
  static examples = ["<%= config.bin %> scan control C-0057 examples/", "<%= config.bin %> scan control C-0057,C-0041 k8s/", '<%= config.bin %> scan control "Privileged container" k8s/'];
  static strict = false;
  static args = { controls: Args.string({ description: "control IDs or names (comma-separated or several), then paths", required: true }) };
  static flags = scanFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ScanControl);
    const registry = Registry.load();
    // a mistyped name is compared with names cut to as many words as it has ("Privilegd" → "Privileged")
    const known = (s: string) => {
      const words = s.trim().split(/\s+/).length;
      return [...registry.controls.values()].flatMap((c) => [c.id, c.name.split(" ").slice(0, words).join(" ")]);
    };
    const { names, paths } = splitSelection(argv as string[], (s) => resolveControl(registry, s), "control", known);
    if (names.length === 0) fail(`name a control first (an ID such as C-0057, or a name such as "Privileged container"), then the paths to scan`);
    await scanAndReport(flags, { paths, controls: names });
  }
}
