import { Args, Command } from "@oclif/core";
import Helm, { chartFlags, scanChart } from "../helm.js";

export default class ScanChart extends Command {
  static summary = "Render a Helm chart (a folder or a packaged .tgz) with helm template and scan it";
  static description = Helm.description;
  static examples = ["<%= config.bin %> scan chart ./charts/web -f prod.yaml --set image.tag=1.2.3", "<%= config.bin %> scan chart web-1.0.0.tgz --kube-version 1.33.0 -- --include-crds"];
  static strict = false;
  static args = { chart: Args.string({ required: true, description: "chart directory or packaged chart (.tgz)" }) };
  static flags = chartFlags;

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(ScanChart);
    await scanChart(args.chart, flags, (argv as string[]).slice(1));
  }
}
