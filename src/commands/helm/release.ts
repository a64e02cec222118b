import { Args, Command } from "@oclif/core";
import { scanAndReport } from "../../cli/scan-command.js";
import { helmReleaseSource } from "../../core/sources/helm.js";
import { chartFlags } from "../helm.js";

const { values: _v, set: _s, "set-string": _ss, "set-file": _sf, release: _r, "kube-version": _k, "api-versions": _a, ...releaseFlags } = chartFlags;

export default class HelmRelease extends Command {
  static summary = "Scan an installed Helm release: the manifest helm get manifest prints";
  static description =
    "Runs `helm get manifest <release>` ($HELM_BIN, else helm on PATH; the cluster of helm's kubeconfig) and scans it. As a Helm plugin: `helm kubescape release <name> -n <namespace>`.";
  static examples = ["<%= config.bin %> helm release web -n prod", "helm kubescape release web -n prod --format sarif --output web.sarif"];
  static args = { release: Args.string({ required: true, description: "release name" }) };
  static flags = releaseFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HelmRelease);
    await scanAndReport(flags, { paths: [], source: helmReleaseSource(args.release, { namespace: flags.namespace, maxBytes: flags["max-file-size"] * 1024 * 1024 }) });
  }
}
