// Runs the built CLI on a real pseudo-terminal (util-linux `script`) of a given size, as a
// person at a terminal would: stdout and stderr are the terminal, so isTTY, the width and
// colour are the real ones. The command line is fixed test data, quoted for script's shell.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./cli.js";

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** SGR colour sequences */
export const SGR = /\x1b\[[0-9;]*m/g;

export function runPty(args: string[], opts: { cols: number; rows?: number; env?: Record<string, string | undefined>; cwd?: string; stderrTo?: string }) {
  const cmd = [process.execPath, path.join(repoRoot, "bin", "run.js"), ...args].map(quote).join(" ");
  const redirect = opts.stderrTo ? ` 2>${quote(opts.stderrTo)}` : "";
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  // the terminal decides, not the environment of whoever runs the tests
  for (const k of ["NO_COLOR", "FORCE_COLOR", "CI", "COLUMNS", "LINES"]) if (opts.env?.[k] === undefined) delete env[k];
  const r = spawnSync("script", ["-qec", `stty cols ${opts.cols} rows ${opts.rows ?? 24}; exec ${cmd}${redirect}`, "/dev/null"], {
    cwd: opts.cwd ?? repoRoot,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout.replace(/\r\n/g, "\n") };
}

/** What a reader sees: colours removed, and each progress line as the last text written after its carriage return. */
export function screenLines(out: string): string[] {
  return out
    .replace(SGR, "")
    .split("\n")
    .map((l) =>
      l
        .replace(/\x1b\[K/g, "")
        .split("\r")
        .at(-1)!,
    );
}
