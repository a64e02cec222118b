import { Args, Command, Flags } from "@oclif/core";
import { columns } from "../report/table.js";
import { Registry } from "../core/engine/registry.js";
import { listControls, listFrameworks } from "../core/catalogue.js";
import { terminalWidth } from "../cli/terminal.js";
import { fail } from "../cli/errors.js";
import { didYouMean } from "../cli/suggest.js";

const WHAT = ["frameworks", "controls"] as const;

export default class List extends Command {
  static summary = "List frameworks and controls (or only one of them)";
  static examples = ["<%= config.bin %> list", "<%= config.bin %> list frameworks", "<%= config.bin %> list controls --format json"];
  static args = { what: Args.string({ description: `what to list: ${WHAT.join(" or ")} (default: both)` }) };
  static flags = { format: Flags.string({ char: "f", options: ["table", "json"], default: "table" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(List);
    const what = args.what?.toLowerCase();
    if (what !== undefined && !(WHAT as readonly string[]).includes(what)) fail(`cannot list "${args.what}"${didYouMean(what, WHAT)}: frameworks or controls`);
    const registry = Registry.load();
    const frameworks = what === "controls" ? undefined : listFrameworks(registry);
    const controls = what === "frameworks" ? undefined : listControls(registry);
    if (flags.format === "json") {
      const doc = what === "frameworks" ? frameworks : what === "controls" ? controls : { frameworks, controls };
      return void process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    }
    const width = terminalWidth();
    const out: string[] = [];
    if (frameworks) {
      if (!what) out.push(`Frameworks (${frameworks.length})`);
      out.push(
        ...columns(
          [
            { header: "Framework", flex: true, min: 16 },
            { header: "Controls", align: "right" },
            { header: "Evaluated here", align: "right" },
          ],
          frameworks.map((r) => [r.name, String(r.controls), String(r.implemented)]),
          { width },
        ),
      );
    }
    if (controls) {
      if (!what) out.push("", `Controls (${controls.length})`);
      out.push(
        ...columns(
          [{ header: "ID" }, { header: "Severity" }, { header: "Control", flex: true, min: 24, overflow: "wrap" }, { header: "Status", flex: true, min: 12 }],
          controls.map((r) => [r.id, r.severity, r.name, r.skipReason ? `skipped: ${r.skipReason}` : r.partial ? `partial: ${r.partial}` : r.status]),
          { width },
        ),
      );
    }
    process.stdout.write(out.join("\n") + "\n");
  }
}
