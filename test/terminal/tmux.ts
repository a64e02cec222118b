// A real terminal for tests: a detached tmux session of a given size running a command
// (argv, no shell of ours), keys sent one at a time, the screen read back as text.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { repoRoot } from "../support/cli.js";

export const outDir = path.join(repoRoot, "test-output", "terminal");

export class Tmux {
  constructor(readonly name: string) {}

  static start(name: string, cols: number, rows: number, argv: string[], env: Record<string, string> = {}): Tmux {
    const t = new Tmux(`${name}-${process.pid}`);
    t.run(["kill-session", "-t", t.name], true);
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    // remain-on-exit keeps the pane after the command ends, so its exit can be read
    t.run(["new-session", "-d", "-s", t.name, "-x", String(cols), "-y", String(rows), ...envArgs, "--", ...argv]);
    t.run(["set-option", "-t", t.name, "remain-on-exit", "on"]);
    t.run(["set-option", "-t", t.name, "escape-time", "0"], true);
    return t;
  }

  run(args: string[], allowFail = false): string {
    const r = spawnSync("tmux", args, { encoding: "utf8" });
    if (r.status !== 0 && !allowFail) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  /** One key (tmux key name: Enter, Escape, BSpace, Down, j, E, …). */
  key(k: string): void {
    this.run(["send-keys", "-t", this.name, k]);
  }

  screen(): string {
    return this.run(["capture-pane", "-p", "-t", this.name]);
  }

  dead(): boolean {
    return this.run(["display-message", "-p", "-t", this.name, "#{pane_dead} #{pane_dead_status}"]).trim().startsWith("1");
  }

  /** Wait until the screen matches (or throw with the last screen). */
  async waitFor(what: string | RegExp, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let s = "";
    while (Date.now() < end) {
      s = this.screen();
      if (typeof what === "string" ? s.includes(what) : what.test(s)) return s;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${String(what)}; the screen:\n${s}`);
  }

  save(file: string, text: string): void {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, file), text);
  }

  kill(): void {
    this.run(["kill-session", "-t", this.name], true);
  }
}
