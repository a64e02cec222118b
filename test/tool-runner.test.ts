// The one runner for rendering tools (helm template now, kustomize next): real child
// processes standing in for the tool. Output is capped while it streams, a tool that hangs
// is stopped at its deadline or on abort, and a tool never outlives kubescape.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runTool, ToolError } from "../src/core/sources/tool.js";
import { repoRoot } from "./support/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-tool-"));
const script = (name: string, body: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("runTool", () => {
  it("stops an endless writer at the byte cap, without holding more than the cap", async () => {
    const t0 = Date.now();
    const err = await runTool({ command: "/bin/sh", args: ["-c", "exec cat /dev/zero"], maxBytes: 5 * 1024 * 1024, label: "helm template" }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ failure: "too-large", message: "helm template output is larger than 5 MB" });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("stops a tool that hangs at its deadline, and on abort", async () => {
    const sleeper = script("sleeper", "exec sleep 30");
    const t0 = Date.now();
    await expect(runTool({ command: sleeper, args: [], maxBytes: 1024, timeoutMs: 300, label: "helm template" })).rejects.toMatchObject({
      failure: "timeout",
      message: "helm template did not finish within 0.3 s",
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stop")), 200);
    await expect(runTool({ command: sleeper, args: [], maxBytes: 1024, signal: ac.signal })).rejects.toThrow("stop");
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("a tool that fails keeps its stderr for the caller; a missing one is one line", async () => {
    const failing = script("failing", 'echo "Error: bad chart" >&2; exit 3');
    await expect(runTool({ command: failing, args: [], maxBytes: 1024, label: "helm template" })).rejects.toMatchObject({
      failure: "failed",
      stderr: "Error: bad chart\n",
      message: "helm template failed (exit code 3)",
    });
    await expect(runTool({ command: path.join(dir, "nope"), args: [], maxBytes: 1024, label: "kustomize" })).rejects.toMatchObject({ failure: "not-found", message: "kustomize not found" });
  });

  it("never passes arguments through a shell", async () => {
    const echo = script("echo-args", 'printf "%s|" "$@"');
    const r = await runTool({ command: echo, args: ["$(touch pwned)", "a b", ";ls"], maxBytes: 1024 });
    expect(r.stdout).toBe("$(touch pwned)|a b|;ls|");
    expect(fs.existsSync(path.join(process.cwd(), "pwned"))).toBe(false);
  });

  /** `kubescape helm ./chart` with a stand-in helm that writes its pid and sleeps (exec, so the pid is the tool's) */
  async function kubescapeWithHangingHelm(name: string) {
    const pidFile = path.join(dir, `${name}.pid`);
    const helm = script(name, `echo $$ > ${pidFile}\nexec sleep 60`);
    const ks = spawn(process.execPath, [path.join(repoRoot, "bin", "run.js"), "helm", "./chart"], { env: { ...process.env, HELM_BIN: helm }, stdio: "ignore" });
    const deadline = Date.now() + 20_000;
    while (!fs.existsSync(pidFile) || !fs.readFileSync(pidFile, "utf8").trim()) {
      if (Date.now() > deadline) throw new Error("the stand-in helm never started");
      await new Promise((r) => setTimeout(r, 50));
    }
    return { ks, pid: Number(fs.readFileSync(pidFile, "utf8")) };
  }

  it("a helm that hangs does not outlive a kubescape stopped with SIGTERM", async () => {
    const { ks, pid } = await kubescapeWithHangingHelm("helm");
    expect(alive(pid)).toBe(true);
    ks.kill("SIGTERM");
    const exit = await new Promise<NodeJS.Signals | null>((r) => ks.on("exit", (_c, sig) => r(sig)));
    expect(exit).toBe("SIGTERM");
    const gone = Date.now() + 2000;
    while (alive(pid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });

  it.skipIf(process.platform !== "linux" || !fs.existsSync("/usr/bin/setpriv"))(
    "a helm that hangs does not outlive a kubescape killed with SIGKILL (the kernel stops it: setpriv --pdeathsig)",
    async () => {
      const { ks, pid } = await kubescapeWithHangingHelm("helm-kill");
      expect(alive(pid)).toBe(true);
      // the stand-in is the tool itself (exec), under the wrapper's pid: its command line says so
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]).toBe("sleep");
      ks.kill("SIGKILL");
      await new Promise((r) => ks.on("exit", r));
      const gone = Date.now() + 2000;
      // gone, or a zombie its new parent has not reaped yet: either way no longer running
      const running = () => alive(pid) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      while (running() && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
      expect(running()).toBe(false);
    },
  );
});
