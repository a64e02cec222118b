// The built CLI's TUI in a real terminal (tmux), one key at a time, at 80×24 and 200×50:
// overview → controls → a control's resources → finding detail → back → quit. Each screen is
// saved under test-output/terminal/ (the README shows some of them).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/cli.js";
import { Tmux } from "./tmux.js";

const sizes: [number, number][] = [
  [80, 24],
  [200, 50],
];

// the overview's AllControls score, from the json report of the same scan
const allControls = (JSON.parse(runCli(["scan", "examples/", "--format", "json"]).stdout) as { frameworks: { name: string; score: number }[] }).frameworks.find((f) => f.name === "AllControls")!;

describe.each(sizes)("kubescape tui examples/ at %i×%i", (cols, rows) => {
  it("walks overview → control → resource → detail → back → quit", async () => {
    // the exit status is written to a file by a wrapping shell (tmux does not always keep a dead pane's status)
    const statusFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ks-tui-")), "status");
    const argv = ["/bin/sh", "-c", 'exec 3>"$0"; shift; "$@"; echo $? >&3', statusFile, "sh", process.execPath, path.join(repoRoot, "bin", "run.js"), "tui", "examples/"];
    const t = Tmux.start(`tui-${cols}`, cols, rows, argv, { NO_COLOR: "1", TERM: "xterm-256color" });
    try {
      const size = `${cols}x${rows}`;
      let s = await t.waitFor("Compliance score");
      const lines = s.replace(/\n+$/, "").split("\n");
      expect(lines.length).toBeLessThanOrEqual(rows);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(cols);
      expect(s).toContain("Scope: files examples/");
      expect(s).toMatch(new RegExp(`AllControls\\s+${Math.round(allControls.score)}% █+░+`));
      expect(s).toContain("Most risky workloads");
      t.save(`tui-${size}-overview.txt`, s);

      t.key("Enter");
      s = await t.waitFor("[overview › controls]");
      expect(s).toContain("sorted by severity");
      t.key("s");
      s = await t.waitFor("sorted by score");
      t.key("s");
      s = await t.waitFor("sorted by failed");
      t.key("s");
      s = await t.waitFor("(sorted by severity)");
      for (const k of ["/", "C", "-", "0", "0", "5", "7"]) t.key(k);
      s = await t.waitFor("filter: C-0057");
      t.key("Enter");
      s = await t.waitFor(/› High\s+C-0057/);
      t.save(`tui-${size}-controls.txt`, s);

      t.key("Enter");
      s = await t.waitFor("[overview › controls › C-0057]");
      expect(s).toMatch(/› failed\s+logging\/DaemonSet\/log-agent\s+examples\/risky\/log-agent\.yaml:3/);
      t.save(`tui-${size}-resources.txt`, s);

      t.key("Enter");
      s = await t.waitFor("› detail]");
      expect(s).toContain("C-0057 Privileged container");
      expect(s).toContain("Failed fields");
      // scroll to the object's failed line, one key at a time
      for (let i = 0; i < 40 && !/>23\s+privileged: true/.test(s); i++) {
        t.key("j");
        await new Promise((r) => setTimeout(r, 60));
        s = t.screen();
      }
      expect(s).toMatch(/>23\s+privileged: true/);
      t.save(`tui-${size}-detail.txt`, s);

      t.key("Escape");
      s = await t.waitFor(/\[overview › controls › C-0057\]\s*\n/);
      t.key("BSpace");
      s = await t.waitFor(/\[overview › controls\]\s*\n/);

      t.key("q");
      for (let i = 0; i < 100 && !t.dead(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(t.dead()).toBe(true);
      expect(fs.readFileSync(statusFile, "utf8").trim()).toBe("0");
      // the alternate screen is left: the TUI's frame is gone
      expect(t.screen()).not.toContain("Compliance score");
    } finally {
      t.kill();
    }
  });
});
