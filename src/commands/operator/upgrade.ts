import { Command, Flags } from "@oclif/core";
import { oneLine } from "../../cli/errors.js";
import { operatorFlags, kubeOptions } from "../../cli/operator-flags.js";

export default class OperatorUpgrade extends Command {
  static summary = "Upgrade the operator: render the chart of this CLI version and apply it over the installed one (server-side apply)";
  static examples = ["<%= config.bin %> operator upgrade --dry-run", "<%= config.bin %> operator upgrade --operator-namespace kubescape"];
  static flags = {
    ...operatorFlags,
    "dry-run": Flags.boolean({ description: "print the manifests instead of applying them" }),
    set: Flags.string({ description: "chart value overrides, key=value (repeatable)", multiple: true }),
    renderer: Flags.string({ description: "how to render the chart: helm, builtin, or auto (helm when on PATH)", options: ["auto", "helm", "builtin"], default: "auto" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorUpgrade);
    const { installManifests, applyManifests } = await import("../../operator/client.js");
    const m = await installManifests({ namespace: flags["operator-namespace"], set: flags.set, renderer: flags.renderer as "auto" });
    if (flags["dry-run"]) {
      process.stdout.write(m.yaml);
      return;
    }
    const progress = (line: string) => process.stderr.write(`${oneLine(line)}\n`);
    await applyManifests(kubeOptions(flags), m.objects, progress);
    process.stderr.write(`upgraded (${m.objects.length} objects, rendered with ${m.renderer})\n`);
  }
}
