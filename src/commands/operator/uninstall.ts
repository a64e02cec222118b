import { Command, Flags } from "@oclif/core";
import { oneLine } from "../../cli/errors.js";
import { operatorFlags, kubeOptions } from "../../cli/operator-flags.js";

export default class OperatorUninstall extends Command {
  static summary = "Remove the operator, its CRDs and the results stored in them (--dry-run prints what would be deleted)";
  static examples = ["<%= config.bin %> operator uninstall --dry-run", "<%= config.bin %> operator uninstall --operator-namespace kubescape"];
  static flags = {
    ...operatorFlags,
    "dry-run": Flags.boolean({ description: "print the manifests instead of applying them" }),
    set: Flags.string({ description: "chart value overrides, key=value (repeatable)", multiple: true }),
    renderer: Flags.string({ description: "how to render the chart: helm, builtin, or auto (helm when on PATH)", options: ["auto", "helm", "builtin"], default: "auto" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorUninstall);
    const { installManifests, deleteManifests } = await import("../../operator/client.js");
    const m = await installManifests({ namespace: flags["operator-namespace"], set: flags.set, renderer: flags.renderer as "auto" });
    if (flags["dry-run"]) {
      process.stdout.write(m.yaml);
      return;
    }
    const progress = (line: string) => process.stderr.write(`${oneLine(line)}\n`);
    await deleteManifests(kubeOptions(flags), m.objects, progress);
    process.stderr.write(`uninstalled (${m.objects.length} objects, rendered with ${m.renderer})\n`);
  }
}
