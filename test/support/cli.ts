// Runs the built CLI (bin/run.js → dist/) as a user would, without a shell.
import { spawnSync } from "node:child_process";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..");

export function runCli(args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "run.js"), ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
