// Report formats by name. Every format renders the same ScanReport (src/core/scoring/result.ts);
// each lives in its own module, loaded only when asked for so a scan pays for one format.
import type { ScanReport } from "../core/scoring/result.js";
import type { ControlDoc } from "../core/engine/registry.js";

export interface RenderOptions {
  /** colour the output (pretty only) */
  color: boolean;
  /** the control's own text (description, why, remediation), for formats that carry help; never throws */
  doc?: (controlID: string) => ControlDoc | undefined;
  /** pretty only: the terminal's width in columns (default 80) */
  width?: number;
  /** pretty only: every failed resource in detail, and the passed controls */
  verbose?: boolean;
  /** pretty only: list the passed controls */
  showPassed?: boolean;
  /** pretty only: how many failed resources are shown in detail without verbose (default 10) */
  details?: number;
  /** pretty only: the frameworks the scan selected, each with its own compliance score */
  frameworks?: string[];
}

export interface Reporter {
  /** file extension for `--output <base>` with several formats */
  ext: string;
  render(report: ScanReport, opts: RenderOptions): string | Uint8Array | Promise<string | Uint8Array>;
  /** the same output in pieces, for formats whose output can pass what one string holds */
  chunks?(report: ScanReport, opts: RenderOptions): Iterable<string>;
}

const LOADERS = {
  pretty: () => import("./pretty.js"),
  json: () => import("./json.js"),
  yaml: () => import("./yaml.js"),
  junit: () => import("./junit.js"),
  sarif: () => import("./sarif.js"),
  html: () => import("./html.js"),
  pdf: () => import("./pdf.js"),
  prometheus: () => import("./prometheus.js"),
  csv: () => import("./csv.js"),
  markdown: () => import("./markdown.js"),
  "gitlab-sast": () => import("./gitlab-sast.js"),
  policyreport: () => import("./policyreport.js"),
} satisfies Record<string, () => Promise<{ reporter: Reporter }>>;

export type Format = keyof typeof LOADERS;
export const FORMATS = Object.keys(LOADERS) as Format[];

export function isFormat(s: string): s is Format {
  return Object.hasOwn(LOADERS, s);
}

export async function loadReporter(format: Format): Promise<Reporter> {
  return (await LOADERS[format]()).reporter;
}

export async function render(format: Format, report: ScanReport, opts: RenderOptions): Promise<string | Uint8Array> {
  return (await loadReporter(format)).render(report, opts);
}

/** The format an output file name implies by its extension (report.sarif → sarif), if any. */
export function formatFromExtension(file: string): Format | undefined {
  const m = /\.([a-z]+)$/i.exec(file);
  if (!m) return undefined;
  const ext = m[1].toLowerCase();
  const byExt: Record<string, Format> = { yml: "yaml", md: "markdown", xml: "junit", htm: "html", prom: "prometheus" };
  return Object.hasOwn(byExt, ext) ? byExt[ext] : isFormat(ext) ? ext : undefined;
}
