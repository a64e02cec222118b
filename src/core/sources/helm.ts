// Helm chart source: `helm template` renders the chart, and the rendered stream is scanned
// like stdin. helm runs without a shell; the chart and release come after "--" so that
// neither can be read as a helm flag (e.g. --post-renderer, which runs a program).
import { spawn } from "node:child_process";
import { UserError } from "../errors.js";

export interface HelmTemplateOptions {
  chart: string;
  /** release name; helm's own default for `helm template` is "release-name" */
  release?: string;
  namespace?: string;
  /** values files, in order (later ones win, as in helm) */
  values?: string[];
  /** K=V overrides, in order */
  set?: string[];
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
  args.push("--", o.release || DEFAULT_RELEASE, o.chart);
  return args;
}

/** The line of helm's stderr that says what went wrong ("Error: …" first, then any non-warning). */
export function helmErrorLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^Error:/.test(l));
  const line = error ?? lines.find((l) => !/^(WARNING|walk\.go)/i.test(l)) ?? lines[0];
  return line?.replace(/^Error:\s*/, "");
}

const STDERR_KEEP = 64 * 1024;

/**
 * Run `helm template` and return the rendered manifests. Output past maxBytes stops helm.
 * Throws HelmError (one line) when helm is missing, fails, or renders too much.
 */
export function renderChart(o: HelmTemplateOptions, opts: { maxBytes: number; env?: NodeJS.ProcessEnv; onWarning?: (line: string) => void }): Promise<string> {
  const env = opts.env ?? process.env;
  const bin = helmBinary(env);
  const args = helmTemplateArgs(o);
  // `-f -` reads values from stdin: only then does helm get ours
  const stdin = o.values?.includes("-") ? "inherit" : "ignore";
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [stdin, "pipe", "pipe"], shell: false });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = "";
    let tooLarge = false;
    child.stdout.on("data", (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > opts.maxBytes) {
        tooLarge = true;
        child.kill();
        return;
      }
      out.push(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      if (stderr.length < STDERR_KEEP) stderr += c.toString("utf8");
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      const where = env.HELM_BIN?.trim() ? ` at ${bin}` : "";
      if (e.code === "ENOENT") reject(new HelmError(`helm not found${where} (set HELM_BIN or put helm on PATH)`));
      else if (e.code === "EACCES") reject(new HelmError(`cannot run helm${where}: permission denied`));
      else reject(new HelmError(`cannot run helm${where}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      if (tooLarge) {
        const mb = (opts.maxBytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "");
        return reject(new HelmError(`helm template output is larger than ${mb} MB (see --max-file-size)`));
      }
      if (code !== 0) {
        const why = helmErrorLine(stderr) ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
        return reject(new HelmError(`helm template failed: ${why}`));
      }
      for (const l of stderr.split(/\r?\n/)) if (l.trim()) opts.onWarning?.(l.trim());
      resolve(Buffer.concat(out).toString("utf8"));
    });
  });
}
