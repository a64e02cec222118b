import fs from "node:fs";
import path from "node:path";
import { Command, Flags } from "@oclif/core";
import { k9sConfigDir, k9sPlugins, mergeK9sPlugins, readIfExists, K9S_SHORTCUT } from "../../cli/k9s.js";
import { oneLine } from "../../cli/errors.js";

export default class K9sInstall extends Command {
  static summary = `Add the Kubescape shortcut (${K9S_SHORTCUT}) to K9s: scan the workload, namespace or cluster under the cursor`;
  static description =
    "Merges our entries into K9s' plugins.yaml ($K9S_CONFIG_DIR, else $XDG_CONFIG_HOME/k9s, else ~/.config/k9s), keeping the other plugins and the comments. Run it again to update; `kubescape k9s uninstall` removes only ours.";
  static examples = ["<%= config.bin %> k9s install", "<%= config.bin %> k9s install --command kubectl-kubescape"];
  static flags = {
    command: Flags.string({ description: "how K9s starts this tool", default: "kubescape" }),
    file: Flags.string({ description: "the K9s plugins file (default: K9s' own)" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(K9sInstall);
    const file = flags.file ?? path.join(k9sConfigDir(), "plugins.yaml");
    const plugins = k9sPlugins(flags.command);
    const text = mergeK9sPlugins(readIfExists(file), plugins, file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    process.stdout.write(
      `added ${Object.keys(plugins).length} K9s plugins (${K9S_SHORTCUT} on pods, deployments, statefulsets, daemonsets, jobs, cronjobs, namespaces, contexts) to ${oneLine(file)}\n`,
    );
  }
}
