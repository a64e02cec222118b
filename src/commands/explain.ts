import { Args, Command } from "@oclif/core";
import { Registry } from "../core/engine/registry.js";
import { explainControl } from "../core/catalogue.js";
import { fail } from "../cli/errors.js";

export default class Explain extends Command {
  static summary = "Explain a control: what it checks, why it matters, how to fix it";
  static examples = ["<%= config.bin %> explain C-0057"];
  static args = { control: Args.string({ description: "control ID, e.g. C-0057", required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Explain);
    const registry = Registry.load();
    const c = explainControl(registry, args.control);
    if (!c) fail(`unknown control "${args.control}" (see: kubescape list controls)`);
    const doc = c.doc;
    const out: string[] = [];
    out.push(`${c.id} ${c.name}`);
    out.push(`Severity: ${c.severity} (base score ${c.baseScore})`);
    if (c.frameworks.length) out.push(`Frameworks: ${c.frameworks.join(", ")}`);
    out.push(`Checks: ${c.kinds.join(", ") || "-"}`);
    if (c.configInputs.length) out.push(`Config inputs: ${c.configInputs.join(", ")} (see --controls-config)`);
    if (c.skipReason) out.push(`Status here: skipped — ${c.skipReason}`);
    else if (c.partial) out.push(`Status here: partial — ${c.partial}`);
    if (doc) {
      out.push("", "What it checks", indent(doc.description), "", "Why it matters", indent(doc.why), "", "How to fix", indent(doc.remediation));
      if (doc.example) out.push("", "Example", indent(doc.example.trimEnd()));
    } else {
      out.push("", "No further description is available for this control yet.");
    }
    process.stdout.write(out.join("\n") + "\n");
  }
}

const indent = (s: string) =>
  s
    .trim()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
