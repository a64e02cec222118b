import fs from "node:fs";
import { Args, Command, Flags } from "@oclif/core";
import { scanFlags, scanAndReport } from "../cli/scan-command.js";
import { oneLine } from "../cli/errors.js";
import { helmSource, type HelmTemplateOptions } from "../core/sources/helm.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/sources/files.js";
import { UsageError } from "../core/errors.js";
import { isFormat } from "../report/index.js";

// The scan flags that apply to manifests (not the cluster ones). -f is helm's --values here,
// as Helm users type it, so --format has no short form in this command.
const {
  format,
  kubeconfig: _k,
  context: _c,
  namespace: _n,
  "all-namespaces": _a,
  selector: _s,
  "exclude-namespaces": _e,
  "page-size": _p,
  "fail-on-partial": _f,
  render: _r,
  exclude: _x,
  ...manifestFlags
} = scanFlags;

const many = { multiple: true, multipleNonGreedy: true, helpGroup: "HELM" } as const;

/** The flags of a chart scan (`kubescape helm`, `kubescape scan chart`, `helm kubescape`). */
export const chartFlags = {
  ...manifestFlags,
  format: { ...format, char: undefined },
  "max-file-size": Flags.integer({ description: "stop helm when the manifests it renders pass this many MB", default: DEFAULT_MAX_FILE_BYTES / 1024 / 1024, min: 1 }),
  values: Flags.string({ char: "f", description: "values file for helm template (repeatable; - reads stdin)", ...many }),
  set: Flags.string({ description: "set a value, K=V, as helm template --set (repeatable)", ...many }),
  "set-string": Flags.string({ description: "set a STRING value, K=V, as helm template --set-string (repeatable)", ...many }),
  "set-file": Flags.string({ description: "set a value from a file, K=PATH, as helm template --set-file (repeatable)", ...many }),
  namespace: Flags.string({ char: "n", description: "namespace to render the release in (helm template --namespace)", helpGroup: "HELM" }),
  release: Flags.string({ description: "release name (default: release-name, as helm template)", helpGroup: "HELM", aliases: ["release-name"] }),
  "kube-version": Flags.string({ description: "Kubernetes version for .Capabilities.KubeVersion (helm template --kube-version), e.g. 1.33.0", helpGroup: "HELM" }),
  "api-versions": Flags.string({ description: "API version for .Capabilities.APIVersions (helm template --api-versions; repeatable)", ...many }),
};

type ChartFlagValues = { release?: string; namespace?: string; values?: string[]; set?: string[]; "set-string"?: string[]; "set-file"?: string[]; "kube-version"?: string; "api-versions"?: string[] };

/** This command's chart and HELM flags as helm template options (`extra`: what followed `--`). */
export function templateOptions(chart: string, flags: ChartFlagValues, extra: string[] = []): HelmTemplateOptions {
  return {
    chart,
    release: flags.release,
    namespace: flags.namespace,
    values: flags.values,
    set: flags.set,
    setString: flags["set-string"],
    setFile: flags["set-file"],
    kubeVersion: flags["kube-version"],
    apiVersions: flags["api-versions"],
    extra: extra.length ? extra : undefined,
  };
}

/** Render the chart and scan it (the run of every chart command). */
export async function scanChart(chart: string, flags: ChartFlagValues & { "max-file-size": number } & Parameters<typeof scanAndReport>[0], extra: string[]): Promise<void> {
  // -f is helm's values file here; `-f json` is someone asking for a report format
  const format = flags.values?.find((v) => isFormat(v) && !fs.existsSync(v));
  if (format) throw new UsageError(`-f takes a values file here, as in helm, and there is no file "${format}": for the report format use --format ${format}`);
  const source = helmSource(templateOptions(chart, flags, extra), {
    maxBytes: flags["max-file-size"] * 1024 * 1024,
    onWarning: (l) => process.stderr.write(`helm: ${oneLine(l)}\n`),
  });
  await scanAndReport(flags, { paths: [], source });
}

export default class Helm extends Command {
  static summary = "Render a Helm chart with helm template and scan the manifests it renders";
  static description =
    "Runs `helm template <release> <chart>` ($HELM_BIN, else helm on PATH; no shell) and scans its output. Findings name the template line that writes the failed field and, where it comes from a value, the values key and its line. Any other helm template flag goes after `--`. Installed as a Helm plugin (plugins/helm), it runs as `helm kubescape <chart>`; Helm then takes -n/--namespace itself and passes it on as $HELM_NAMESPACE, which helm template reads.";
  static examples = [
    "<%= config.bin %> helm ./charts/web",
    "<%= config.bin %> helm ./charts/web -f prod-values.yaml --set image.tag=1.2.3 --kube-version 1.33.0 --severity-threshold high",
    "<%= config.bin %> helm ./charts/web -- --include-crds --skip-tests",
    "helm kubescape ./charts/web --format sarif --output chart.sarif",
  ];
  static strict = false;
  static args = { chart: Args.string({ required: true, description: "chart directory, packaged chart (.tgz) or chart reference, as helm template takes it" }) };
  static flags = chartFlags;

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Helm);
    await scanChart(args.chart, flags, (argv as string[]).slice(1));
  }
}
