// `kubescape tui` on a cluster where our operator runs (out of cluster, as a process, against
// the real test API server): the real CLI in tmux opens on the operator's stored results (no
// scan of its own), lists C-0057 failed for a privileged Deployment, and `r` has the operator
// scan and the results read again. On a cluster without an operator it scans itself and
// offers the install. No mocks.
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";
import { startCluster, type TestCluster } from "../integration/support.js";
import { Tmux } from "./tmux.js";

const cli = path.join(repoRoot, "bin", "run.js");
const privileged = `apiVersion: apps/v1
kind: Deployment
metadata: {name: priv-app, namespace: shop}
spec:
  selector: {matchLabels: {app: priv-app}}
  template:
    metadata: {labels: {app: priv-app}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {privileged: true}
`;

async function waitFor(fn: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("kubescape tui with the in-cluster operator", () => {
  let c: TestCluster;
  let op: ChildProcess | undefined;
  let log = "";
  beforeAll(() => {
    c = startCluster("tui-operator");
    for (const ns of ["kubescape", "shop"]) c.kubectl(["create", "namespace", ns]);
    const r = c.kubectl(["apply", "-f", "-"], privileged);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => {
    if (op && op.exitCode === null) op.kill("SIGKILL");
    c?.stop();
  });

  it("no operator: scans the cluster itself and i offers the install (n cancels)", async () => {
    const t = Tmux.start("tui-noop", 100, 30, [process.execPath, cli, "tui", "--kubeconfig", c.kubeconfig], { NO_COLOR: "1", TERM: "xterm-256color" });
    try {
      let s = await t.waitFor("Compliance score", 120_000);
      expect(s).toContain("Scope: cluster admin");
      expect(s).not.toContain("stored results");
      expect(s).toContain("i: install the in-cluster operator (none found)");
      t.key("i");
      s = await t.waitFor("Install the kubescape-ts operator into namespace kubescape? y/N");
      t.key("n");
      s = await t.waitFor("install cancelled");
      t.save("tui-operator-offer.txt", s);
      t.key("q");
    } finally {
      t.kill();
    }
  });

  it("opens on the operator's stored results, lists C-0057 failed for the privileged Deployment, r has the operator scan", async () => {
    op = spawn(process.execPath, [cli, "operator", "run", "--kubeconfig", c.kubeconfig, "--operator-namespace", "kubescape", "--port", "0", "--threads", "1"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    op.stdout!.on("data", (d) => (log += d));
    op.stderr!.on("data", (d) => (log += d));
    await waitFor(
      () => /full scan: \d+ objects/.test(log),
      150_000,
      () => log,
    );

    const t = Tmux.start("tui-op", 120, 30, [process.execPath, cli, "tui", "--kubeconfig", c.kubeconfig], { NO_COLOR: "1", TERM: "xterm-256color" });
    try {
      let s = await t.waitFor("Compliance score", 60_000);
      expect(s).toContain("kubescape tui — cluster (in-cluster operator)");
      expect(s).toMatch(/From: {2}stored results of the in-cluster operator, last scan \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(s).toMatch(/stored results read in \d+\.\d\d s/);
      expect(s).toContain("r operator scan");
      t.save("tui-operator-overview.txt", s);

      t.key("Enter");
      await t.waitFor("[overview › controls]");
      for (const k of ["/", "C", "-", "0", "0", "5", "7"]) t.key(k);
      await t.waitFor("filter: C-0057");
      t.key("Enter");
      s = await t.waitFor(/› High\s+C-0057/);
      t.key("Enter");
      s = await t.waitFor("[overview › controls › C-0057]");
      expect(s).toMatch(/failed\s+shop\/Deployment\/priv-app/);
      t.save("tui-operator-c0057.txt", s);

      t.key("r");
      s = await t.waitFor(/operator scanned, results read in \d+\.\d\d s/, 120_000);
      expect(s).toMatch(/failed\s+shop\/Deployment\/priv-app/);
      // the operator really ran a scan for it: our ScanCommand is there, completed
      const cmds = JSON.parse(c.kubectl(["get", "scancommands", "-n", "kubescape", "-o", "json"]).stdout).items as { status?: { phase?: string } }[];
      expect(cmds.length).toBeGreaterThan(0);
      expect(cmds.at(-1)?.status?.phase).toBe("Completed");
      t.key("q");
    } finally {
      t.kill();
    }
  });
});
