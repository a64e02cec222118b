// Running a rendering tool (helm template, kubectl kustomize): no shell, stdout streamed
// under a byte cap, a deadline, cancellable, and never left running after we exit.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";

export interface ToolRun {
  /** the program (run directly, never through a shell) */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** stop the tool once its output passes this many bytes */
  maxBytes: number;
  /** stop the tool after this long (default 5 minutes) */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** "inherit" hands the tool our stdin (helm's `-f -`); default: none */
  stdin?: "ignore" | "inherit";
  /** what the tool is called in messages (default: the command) */
  label?: string;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export type ToolFailure = "not-found" | "not-permitted" | "failed" | "too-large" | "timeout";

export class ToolError extends UserError {
  constructor(
    message: string,
    readonly failure: ToolFailure,
    /** the tool's stderr (capped), for a caller that knows how to read it */
    readonly stderr = "",
  ) {
    super(message);
  }
}

export const DEFAULT_TOOL_TIMEOUT_MS = 5 * 60_000;
const STDERR_KEEP = 64 * 1024;

// Children still running when this process ends are killed with it: on exit, and on the
// signals that would end it without an exit event (the signal is then raised again, so the
// process ends as it would have).
const running = new Set<ChildProcess>();
const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
const killAll = () => {
  for (const c of running) c.kill("SIGKILL");
};
const onSignal = (sig: NodeJS.Signals) => {
  killAll();
  for (const s of SIGNALS) process.off(s, onSignal);
  process.kill(process.pid, sig);
};
let exitHook = false;
function track(child: ChildProcess): void {
  if (!exitHook) {
    exitHook = true;
    process.once("exit", killAll);
  }
  // only while a child runs, and only where nobody else handles the signal
  if (running.size === 0) for (const s of SIGNALS) if (process.listenerCount(s) === 0) process.on(s, onSignal);
  running.add(child);
  child.once("close", () => {
    running.delete(child);
    if (running.size === 0) for (const s of SIGNALS) process.off(s, onSignal);
  });
}

/**
 * SIGKILL cannot be caught, so the exit hooks above cannot stop a tool when kubescape is
 * killed outright. On Linux the kernel can: util-linux's setpriv sets PR_SET_PDEATHSIG before
 * it execs the tool, and the tool gets SIGKILL when its parent thread ends. Node spawns from
 * the thread whose event loop calls spawn (the main thread here; runTool is never called in a
 * worker, where the tool would die with the worker). Checked once: an old setpriv without
 * --pdeathsig, or none, means a plain spawn.
 */
let deathSignalWrapper: string | null | undefined;
export function pdeathsigWrapper(): string | null {
  if (deathSignalWrapper !== undefined) return deathSignalWrapper;
  deathSignalWrapper = null;
  if (process.platform !== "linux") return null;
  for (const p of ["/usr/bin/setpriv", "/bin/setpriv"]) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch {
      continue;
    }
    const probe = spawnSync(p, ["--pdeathsig", "KILL", "--", "/bin/true"], { stdio: "ignore", timeout: 5000 });
    if (probe.status === 0) deathSignalWrapper = p;
    break;
  }
  return deathSignalWrapper;
}

/**
 * Where the command is, as execvp would find it on the tool's PATH, so that a missing or
 * non-executable tool is still told apart when setpriv is what we spawn.
 */
function locate(command: string, env: NodeJS.ProcessEnv): { file: string } | { failure: "not-found" | "not-permitted" } {
  const candidates = command.includes("/") ? [command] : (env.PATH ?? "").split(":").map((d) => path.join(d || ".", command));
  let denied = false;
  for (const c of candidates) {
    let st: fs.Stats;
    try {
      st = fs.statSync(c);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return { file: c };
    } catch {
      denied = true;
    }
  }
  return { failure: denied ? "not-permitted" : "not-found" };
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1).replace(/\.0$/, "");

/** Run a tool to completion; its stdout as text. Throws ToolError (one line) when it cannot run, fails, runs too long or writes too much. */
export function runTool(run: ToolRun): Promise<ToolResult> {
  const label = run.label ?? run.command;
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) return reject(run.signal.reason);
    const env = run.env ?? process.env;
    const wrapper = pdeathsigWrapper();
    let child: ChildProcess;
    if (wrapper) {
      const found = locate(run.command, env);
      if ("failure" in found)
        return reject(found.failure === "not-found" ? new ToolError(`${label} not found`, "not-found") : new ToolError(`cannot run ${label}: permission denied`, "not-permitted"));
      child = spawn(wrapper, ["--pdeathsig", "KILL", "--", found.file, ...run.args], { env, stdio: [run.stdin ?? "ignore", "pipe", "pipe"], shell: false });
    } else {
      child = spawn(run.command, run.args, { env, stdio: [run.stdin ?? "ignore", "pipe", "pipe"], shell: false });
    }
    track(child);
    const out: Buffer[] = [];
    let size = 0;
    let stderr = "";
    let stopped: "too-large" | "timeout" | "aborted" | undefined;
    const stop = (why: NonNullable<typeof stopped>) => {
      if (stopped) return;
      stopped = why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => stop("timeout"), run.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS);
    const onAbort = () => stop("aborted");
    run.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout!.on("data", (c: Buffer) => {
      if (stopped) return;
      size += c.length;
      if (size > run.maxBytes) return stop("too-large");
      out.push(c);
    });
    child.stderr!.on("data", (c: Buffer) => {
      if (stderr.length < STDERR_KEEP) stderr += c.toString("utf8");
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(new ToolError(`${label} not found`, "not-found"));
      else if (e.code === "EACCES") reject(new ToolError(`cannot run ${label}: permission denied`, "not-permitted"));
      else reject(new ToolError(`cannot run ${label}: ${e.message}`, "failed"));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      if (stopped === "aborted") return reject(run.signal!.reason);
      if (stopped === "too-large") return reject(new ToolError(`${label} output is larger than ${mb(run.maxBytes)} MB`, "too-large", stderr));
      if (stopped === "timeout") return reject(new ToolError(`${label} did not finish within ${+((run.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS) / 1000).toFixed(1)} s`, "timeout", stderr));
      if (code !== 0) return reject(new ToolError(`${label} failed (${signal ? `killed by ${signal}` : `exit code ${code}`})`, "failed", stderr));
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr });
    });
  });
}
