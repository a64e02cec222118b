import { Args, Command, Flags } from "@oclif/core";
import { diffReports } from "../core/scoring/baseline.js";
import { readReport } from "../cli/inputs.js";
import { renderDiffJson, renderDiffPretty } from "../report/diff.js";

export default class Diff extends Command {
  static summary = "Compare two json reports: which failed findings are new, fixed or unchanged";
  static description =
    "Findings are matched by resource ID + control + failed field, so reordered files and shifted lines do not count as changes. Exit code 1 when the newer report has new failed findings.";
  static examples = ["<%= config.bin %> scan k8s/ -o before.json && <%= config.bin %> scan k8s/ -o after.json && <%= config.bin %> diff before.json after.json"];
  static args = {
    old: Args.string({ description: "the earlier json report", required: true }),
    new: Args.string({ description: "the later json report", required: true }),
  };
  static flags = {
    format: Flags.string({ char: "f", description: "output format", options: ["pretty", "json"], default: "pretty" }),
    unchanged: Flags.boolean({ description: "also list unchanged findings (pretty)", default: false }),
    color: Flags.boolean({ description: "colour the output (default: only on a terminal)", allowNo: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff);
    const before = readReport(args.old);
    const after = readReport(args.new);
    const diff = diffReports(before, after);
    const controls = new Map([...before.controls, ...after.controls].map((c) => [c.id, c]));
    const color = flags.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
    process.stdout.write(flags.format === "json" ? renderDiffJson(diff, controls) : renderDiffPretty(diff, controls, { color, unchanged: flags.unchanged }));
    if (diff.new.length) process.exitCode = 1;
  }
}
