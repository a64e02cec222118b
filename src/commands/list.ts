import { Args, Command, Flags } from "@oclif/core";
import { table } from "../report/table.js";
import { Registry } from "../core/engine/registry.js";
import { listControls, listFrameworks } from "../core/catalogue.js";

export default class List extends Command {
  static summary = "List frameworks or controls";
  static examples = ["<%= config.bin %> list frameworks", "<%= config.bin %> list controls --format json"];
  static args = { what: Args.string({ options: ["frameworks", "controls"], required: true }) };
  static flags = { format: Flags.string({ char: "f", options: ["table", "json"], default: "table" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(List);
    const registry = Registry.load();
    if (args.what === "frameworks") {
      const rows = listFrameworks(registry);
      if (flags.format === "json") return void process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      const t = table(["Framework", "Controls", "Evaluated here"]);
      rows.forEach((r) => t.push([r.name, r.controls, r.implemented]));
      process.stdout.write(t.toString() + "\n");
      return;
    }
    const rows = listControls(registry);
    if (flags.format === "json") return void process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    const t = table(["ID", "Control", "Severity", "Status"]);
    rows.forEach((r) => t.push([r.id, r.name, r.severity, r.skipReason ? `skipped: ${r.skipReason}` : r.status]));
    process.stdout.write(t.toString() + "\n");
  }
}
