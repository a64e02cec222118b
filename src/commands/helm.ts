import { Args, Command, Flags } from "@oclif/core";
import { scanFlags, scanAndReport } from "../cli/scan-command.js";
import { oneLine } from "../cli/errors.js";
import { helmSource, type HelmTemplateOptions } from "../core/sources/helm.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/sources/files.js";

// The scan flags that apply to manifests (not the cluster ones). -f is helm's --values here,
// as Helm users type it, so --format has no short form in this command.
const { format, kubeconfig: _k, context: _c, namespace: _n, "all-namespaces": _a, selector: _s, "exclude-namespaces": _e, "page-size": _p, "fail-on-partial": _f, ...manifestFlags } = scanFlags;

/** This command's chart and HELM flags as helm template options. */
export function templateOptions(chart: string, flags: { release?: string; namespace?: string; values?: string[]; set?: string[] }): HelmTemplateOptions {
  return { chart, release: flags.release, namespace: flags.namespace, values: flags.values, set: flags.set };
}

export default class Helm extends Command {
  static summary = "Render a Helm chart with helm template and scan the manifests it renders";
  static description =
    "Runs `helm template <release> <chart>` ($HELM_BIN, else helm on PATH; no shell) and scans its output. Findings point into the rendered stream, named <helm template CHART>. Installed as a Helm plugin (plugins/helm), it runs as `helm kubescape <chart>`; Helm then takes -n/--namespace itself and passes it on as $HELM_NAMESPACE, which helm template reads.";
  static examples = [
    "<%= config.bin %> helm ./charts/web",
    "<%= config.bin %> helm ./charts/web -f prod-values.yaml --set image.tag=1.2.3 --severity-threshold high",
    "helm kubescape ./charts/web --format sarif --output chart.sarif",
  ];
  static args = { chart: Args.string({ required: true, description: "chart directory, packaged chart (.tgz) or chart reference, as helm template takes it" }) };
  static flags = {
    ...manifestFlags,
    format: { ...format, char: undefined },
    "max-file-size": Flags.integer({ description: "stop helm when the manifests it renders pass this many MB", default: DEFAULT_MAX_FILE_BYTES / 1024 / 1024, min: 1 }),
    values: Flags.string({ char: "f", description: "values file for helm template (repeatable; - reads stdin)", multiple: true, multipleNonGreedy: true, helpGroup: "HELM" }),
    set: Flags.string({ description: "set a value, K=V, as helm template --set (repeatable)", multiple: true, multipleNonGreedy: true, helpGroup: "HELM" }),
    namespace: Flags.string({ char: "n", description: "namespace to render the release in (helm template --namespace)", helpGroup: "HELM" }),
    release: Flags.string({ description: "release name (default: release-name, as helm template)", helpGroup: "HELM" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Helm);
    const source = helmSource(templateOptions(args.chart, flags), {
      maxBytes: flags["max-file-size"] * 1024 * 1024,
      onWarning: (l) => process.stderr.write(`helm: ${oneLine(l)}\n`),
    });
    await scanAndReport(flags, { paths: [], source });
  }
}
