// The K9s round trip: the real k9s (scripts/install-tools.sh k9s) in tmux against the real test
// API server, with our plugin installed by `kubescape k9s install`: open pods, press our
// shortcut on a pod, see our TUI on that pod, quit back to K9s.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/cli.js";
import { startCluster, type TestCluster } from "../integration/support.js";
import { K9S_SHORTCUT } from "../../src/cli/k9s.js";
import { Tmux } from "./tmux.js";

const k9s = path.join(process.env.KUBESCAPE_DEV_CACHE ?? path.join(os.homedir(), ".cache", "kubescape-dev"), "bin", "k9s");

describe("K9s plugin round trip", () => {
  let cluster: TestCluster;
  let home: string;
  beforeAll(() => {
    if (!fs.existsSync(k9s)) throw new Error(`${k9s} is missing: run scripts/install-tools.sh k9s`);
    cluster = startCluster("k9s", { seed: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "ks-k9s-"));
  });
  afterAll(() => cluster?.stop());

  it(`pods → ${K9S_SHORTCUT} on a pod → our TUI on that pod → q → back in K9s`, async () => {
    // a `kubescape` executable as K9s runs it: the built CLI
    const bin = path.join(home, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "kubescape"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repoRoot, "bin", "run.js"))} "$@"\n`, { mode: 0o755 });
    const config = path.join(home, "k9s");
    const env = {
      HOME: home,
      K9S_CONFIG_DIR: config,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      XDG_STATE_HOME: path.join(home, ".state"),
      XDG_DATA_HOME: path.join(home, ".data"),
      XDG_CACHE_HOME: path.join(home, ".cache"),
    };
    // --command: K9s runs the built CLI through this shim (the default is kubescape on PATH)
    const install = runCli(["k9s", "install", "--command", path.join(bin, "kubescape")], { env });
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toContain(path.join(config, "plugins.yaml"));

    const t = Tmux.start("k9s", 160, 45, [k9s, "--kubeconfig", cluster.kubeconfig, "--context", "admin", "-n", "ks-bad", "--logoless"], {
      ...env,
      KUBECONFIG: cluster.kubeconfig,
      TERM: "xterm-256color",
      NO_COLOR: "1",
    });
    try {
      await t.waitFor(/Context:\s*admin|admin/, 60_000);
      for (const k of [":", "p", "o", "d", "s"]) t.key(k);
      t.key("Enter");
      let s = await t.waitFor("debug-shell", 60_000);
      // filter the list down to the pod, so it is the row under the cursor
      for (const k of ["/", "d", "e", "b", "u", "g"]) t.key(k);
      t.key("Enter");
      s = await t.waitFor(/pods\(ks-bad\)\[1\]/i, 30_000);
      // our shortcut is in K9s' menu of the pods view (K9s refuses a plugin on a taken key)
      expect(s).toContain(`<${K9S_SHORTCUT.toLowerCase()}> Kubescape scan of this Pod`);
      t.save("k9s-pods.txt", s);

      t.key(K9S_SHORTCUT.replace("Shift-", ""));
      s = await t.waitFor("kubescape tui — Pod ks-bad/debug-shell (admin)", 60_000);
      s = await t.waitFor(/\[overview › resource\][\s\S]*Pod\/debug-shell/, 120_000);
      expect(s).toMatch(/ks-bad\/Pod\/debug-shell\s+: \d+ findings/);
      expect(s).toMatch(/› (Critical|High)\s+C-\d{4}\s+failed/);
      t.save("k9s-tui-pod.txt", s);

      t.key("q");
      s = await t.waitFor(/pods\(ks-bad\)/i, 30_000);
      expect(s).not.toContain("kubescape tui —");
      t.save("k9s-back.txt", s);
      t.key(":");
      t.key("q");
      t.key("Enter");
    } finally {
      t.kill();
    }
  });
});
