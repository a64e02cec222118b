import fs from "node:fs";
import path from "node:path";
import { Command, Flags } from "@oclif/core";
import { k9sConfigDir, k9sPlugins, readIfExists, removeK9sPlugins } from "../../cli/k9s.js";
import { oneLine } from "../../cli/errors.js";

export default class K9sUninstall extends Command {
  static summary = "Remove our entries from K9s' plugins file (the other plugins and comments stay)";
  static flags = { file: Flags.string({ description: "the K9s plugins file (default: K9s' own)" }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(K9sUninstall);
    const file = flags.file ?? path.join(k9sConfigDir(), "plugins.yaml");
    const { text, removed } = removeK9sPlugins(readIfExists(file), Object.keys(k9sPlugins()), file);
    if (removed) fs.writeFileSync(file, text);
    process.stdout.write(removed ? `removed ${removed} K9s plugins from ${oneLine(file)}\n` : `no Kubescape plugins in ${oneLine(file)}\n`);
  }
}
