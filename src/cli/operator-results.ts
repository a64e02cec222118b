// `operator results` and the end of `operator scan`: stored results → a report in the chosen formats.
import { Flags } from "@oclif/core";
import { FORMATS } from "../report/index.js";
import { kubeOptions, list } from "./operator-flags.js";
import { parseFormats } from "./scan-command.js";
import { writeOutput, batched } from "./output.js";
import { fail } from "./errors.js";

export const resultFlags = {
  namespace: Flags.string({ char: "n", description: "only this namespace" }),
  workload: Flags.string({ description: "only this workload: Kind/name (with -n)" }),
  framework: Flags.string({ description: "only the controls of these frameworks (comma-separated)" }),
  format: Flags.string({ char: "f", description: `report format, or several comma-separated: ${FORMATS.join(", ")} (default: from --output's extension, else pretty)` }),
  output: Flags.string({ char: "o", description: "write the report to this file instead of stdout" }),
  color: Flags.boolean({ description: "colour the pretty report (default: only on a terminal)", allowNo: true }),
};

export async function renderResults(flags: {
  kubeconfig?: string;
  context?: string;
  "in-cluster"?: boolean;
  "service-account-root"?: string;
  namespace?: string;
  workload?: string;
  framework?: string;
  format?: string;
  output?: string;
  color?: boolean;
}): Promise<void> {
  const formats = parseFormats(flags.format, flags.output);
  const { readStoredReport } = await import("../operator/client.js");
  const report = await readStoredReport(kubeOptions(flags), { namespace: flags.namespace, workload: flags.workload, frameworks: list(flags.framework) });
  if (!report) fail("no stored results in this cluster: spdx.softwarecomposition.kubescape.io/v1beta1 is not served (install the operator: kubescape operator install)");
  if (flags.workload && !report.summary.resources.total) fail(`no stored result for ${flags.workload}${flags.namespace ? ` in namespace ${flags.namespace}` : ""}`);
  const { render } = await import("../report/index.js");
  const color = flags.color ?? (!flags.output && process.stdout.isTTY === true && !process.env.NO_COLOR);
  for (const format of formats) {
    const out = await render(format, report, { color });
    if (flags.output) writeOutput(formats.length > 1 ? `${flags.output}.${format}` : flags.output, out);
    else for (const piece of batched(out)) process.stdout.write(piece);
  }
}
