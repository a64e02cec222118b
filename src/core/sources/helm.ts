// Helm chart source: `helm template` renders the chart, and the rendered stream is scanned
// like stdin. helm runs without a shell; the chart and release come after "--" so that
// neither can be read as a helm flag (e.g. --post-renderer, which runs a program).
import { runTool, ToolError } from "./tool.js";
import { streamSource } from "./local.js";
import type { FileSourceOptions } from "./files.js";
import type { Source } from "./source.js";
import { UserError } from "../errors.js";
import { safeName } from "./chart-archive.js";

export interface HelmTemplateOptions {
  chart: string;
  /** release name; helm's own default for `helm template` is "release-name" */
  release?: string;
  namespace?: string;
  /** values files, in order (later ones win, as in helm) */
  values?: string[];
  /** K=V overrides, in order */
  set?: string[];
  /** K=V overrides kept as strings (--set-string) */
  setString?: string[];
  /** K=FILE: the value is the file's content (--set-file) */
  setFile?: string[];
  /** the Kubernetes version .Capabilities.KubeVersion says (--kube-version) */
  kubeVersion?: string;
  /** API versions .Capabilities.APIVersions has (--api-versions) */
  apiVersions?: string[];
  /** any other helm template flags, as the user gave them (after `--` on our command line) */
  extra?: string[];
}

export class HelmError extends UserError {}

export const DEFAULT_RELEASE = "release-name";

/** The helm binary: $HELM_BIN (Helm sets it for the plugins it runs), else helm on PATH. */
export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.HELM_BIN?.trim() || "helm";
}

/** Arguments of `helm template` for these options (flags first, then -- release chart). */
export function helmTemplateArgs(o: HelmTemplateOptions): string[] {
  const args = ["template"];
  if (o.namespace) args.push(`--namespace=${o.namespace}`);
  for (const f of o.values ?? []) args.push(`--values=${f}`);
  for (const s of o.set ?? []) args.push(`--set=${s}`);
  for (const s of o.setString ?? []) args.push(`--set-string=${s}`);
  for (const s of o.setFile ?? []) args.push(`--set-file=${s}`);
  if (o.kubeVersion) args.push(`--kube-version=${o.kubeVersion}`);
  for (const a of o.apiVersions ?? []) args.push(`--api-versions=${a}`);
  args.push(...(o.extra ?? []));
  args.push("--", o.release || DEFAULT_RELEASE, o.chart);
  return args;
}

/** The line of helm's stderr that says what went wrong ("Error: …" first, then any non-warning). */
export function helmErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /^Error:/.test(l));
  const line = error ?? lines.find((l) => !/^(WARNING|walk\.go)/i.test(l)) ?? lines[0];
  return line?.replace(/^Error:\s*/, "");
}

/**
 * Run `helm template` and return the rendered manifests. Output past maxBytes stops helm.
 * Throws HelmError (one line) when helm is missing, fails, runs too long or renders too much.
 */
export async function renderChart(
  o: HelmTemplateOptions,
  opts: { maxBytes: number; timeoutMs?: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv; onWarning?: (line: string) => void },
): Promise<string> {
  const env = opts.env ?? process.env;
  const bin = helmBinary(env);
  const where = env.HELM_BIN?.trim() ? ` at ${bin}` : "";
  try {
    const r = await runTool({
      command: bin,
      args: helmTemplateArgs(o),
      env,
      maxBytes: opts.maxBytes,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      // `-f -` reads values from stdin: only then does helm get ours
      stdin: o.values?.includes("-") ? "inherit" : "ignore",
      label: "helm template",
    });
    for (const l of r.stderr.split(/\r?\n/)) if (l.trim()) opts.onWarning?.(l.trim());
    return r.stdout;
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    switch (e.failure) {
      case "not-found":
        throw new HelmError(`helm not found${where} (set HELM_BIN or put helm on PATH)`);
      case "not-permitted":
        throw new HelmError(`cannot run helm${where}: permission denied`);
      case "too-large":
        throw new HelmError(`${e.message} (see --max-file-size)`);
      case "failed":
        throw new HelmError(`helm template failed: ${helmErrorLine(e.stderr) ?? e.message.replace(/^helm template failed /, "")}`);
      default:
        throw new HelmError(e.message);
    }
  }
}

/** A chart rendered by helm template, read as one manifest stream named `<helm template CHART>`. */
export function helmSource(
  o: HelmTemplateOptions,
  opts: { maxBytes: number; timeoutMs?: number; onWarning?: (line: string) => void; readOptions?: Omit<FileSourceOptions, "readStdin" | "stdinName"> },
): Source {
  const name = `<helm template ${o.chart}>`;
  return {
    name,
    async read(ctx) {
      const text = await renderChart(o, { ...opts, signal: ctx.signal });
      // positions are mapped back to the chart's templates and values files
      const chartMap = { chart: o.chart, values: o.values, set: [...(o.set ?? []), ...(o.setString ?? []), ...(o.setFile ?? [])], maxBytes: opts.maxBytes };
      return streamSource(name, text, { ...opts.readOptions, maxFileBytes: opts.maxBytes, chartMap }).read(ctx);
    },
  };
}

/** An installed release's manifest (`helm get manifest RELEASE`), as helm prints it. */
export async function releaseManifest(release: string, opts: { namespace?: string; maxBytes: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = opts.env ?? process.env;
  const args = ["get", "manifest", ...(opts.namespace ? [`--namespace=${opts.namespace}`] : []), "--", release];
  try {
    return (await runTool({ command: helmBinary(env), args, env, maxBytes: opts.maxBytes, signal: opts.signal, label: "helm get manifest" })).stdout;
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    if (e.failure === "failed") throw new HelmError(`helm get manifest failed: ${helmErrorLine(e.stderr) ?? e.message}`);
    throw new HelmError(e.failure === "not-found" ? "helm not found (set HELM_BIN or put helm on PATH)" : e.message);
  }
}

// helm get all --template runs a Go template over the stored release (text/template's own
// functions only): each template's name and its text in hex, so nothing in it can break a line.
const RELEASE_TEMPLATES =
  '{{$c := .Release.Chart}}N {{$c.Metadata.Name}}{{"\\n"}}{{range $c.Templates}}T {{.Name}} {{printf "%x" .Data}}{{"\\n"}}{{end}}' +
  '{{range $c.Dependencies}}{{$d := .Metadata.Name}}{{range .Templates}}T charts/{{$d}}/{{.Name}} {{printf "%x" .Data}}{{"\\n"}}{{end}}{{end}}';

/**
 * An installed release's chart templates and user-supplied values, as the chart mapper reads
 * them: `<helm release NAME>:CHART/templates/x.yaml` and `<helm get values NAME>`. Undefined
 * when helm cannot give them (the manifest is then scanned unmapped).
 */
export async function releaseChartFiles(
  release: string,
  opts: { namespace?: string; maxBytes: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<{ chart: string; files: Map<string, string>; values: string } | undefined> {
  const env = opts.env ?? process.env;
  const ns = opts.namespace ? [`--namespace=${opts.namespace}`] : [];
  const run = async (args: string[]) => (await runTool({ command: helmBinary(env), args, env, maxBytes: opts.maxBytes, signal: opts.signal, label: `helm ${args[0]} ${args[1]}` })).stdout;
  let listing: string;
  let values: string;
  try {
    listing = await run(["get", "all", ...ns, `--template=${RELEASE_TEMPLATES}`, "--", release]);
    values = await run(["get", "values", ...ns, "--output=yaml", "--", release]);
  } catch (e) {
    if (e instanceof ToolError) return undefined;
    throw e;
  }
  const name = /^N (.+)$/m.exec(listing)?.[1];
  if (!name || /[/\\]/.test(name)) return undefined;
  const chart = `<helm release ${release}>:${name}`;
  const files = new Map<string, string>();
  for (const m of listing.matchAll(/^T (\S+) ([0-9a-f]*)$/gm)) {
    const safe = safeName(m[1]);
    if (safe !== undefined) files.set(`${chart}/${safe}`, Buffer.from(m[2], "hex").toString("utf8"));
  }
  const valuesName = `<helm get values ${release}>`;
  // helm prints "null" when the release was installed without values of its own
  files.set(valuesName, values.trim() === "null" ? "" : values);
  return { chart, files, values: valuesName };
}

/**
 * An installed release, read with helm get manifest, scanned as one stream `<helm release NAME>`;
 * findings are mapped to the release's templates (from `# Source:` markers) and its values.
 */
export function helmReleaseSource(release: string, opts: { namespace?: string; maxBytes: number }): Source {
  const name = `<helm release ${release}>`;
  return {
    name,
    async read(ctx) {
      const text = await releaseManifest(release, { ...opts, signal: ctx.signal });
      const chart = await releaseChartFiles(release, { ...opts, signal: ctx.signal });
      const chartMap = chart && { chart: chart.chart, files: chart.files, values: [chart.values] };
      return streamSource(name, text, { maxFileBytes: opts.maxBytes, ...(chartMap ? { chartMap } : {}) }).read(ctx);
    },
  };
}
