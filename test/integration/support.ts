// Starts the real test cluster once per test file and stops it afterwards.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync, type ChildProcess } from "node:child_process";
import type { Kube } from "../../src/operator/kube.js";
import { repoRoot } from "../support/cli.js";

export interface TestCluster {
  dir: string;
  kubeconfig: string;
  kubectl: (args: string[], input?: string) => { code: number | null; stdout: string; stderr: string };
  sh: (cmd: string) => { code: number | null; stdout: string; stderr: string };
  stop: () => void;
}

export function startCluster(name: string, opts: { seed?: boolean } = {}): TestCluster {
  const dir = path.join(os.tmpdir(), `ks-cluster-${name}-${process.pid}`);
  const env = { ...process.env, KS_CLUSTER_DIR: dir };
  const sh = (cmd: string) => {
    const r = spawnSync("bash", [path.join(repoRoot, "test", "cluster", "cluster.sh"), cmd], { env, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const started = sh("start");
  if (started.code !== 0) throw new Error(`cluster did not start: ${started.stderr}`);
  const kubeconfig = path.join(dir, "kubeconfig");
  const kubectl = (args: string[], input?: string) => {
    const r = spawnSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", input });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  if (opts.seed) {
    const r = spawnSync(process.execPath, [path.join(repoRoot, "test", "cluster", "seed.mjs"), "--kubeconfig", kubeconfig], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`seeding failed: ${r.stderr}`);
  }
  return { dir, kubeconfig, kubectl, sh, stop: () => void sh("stop") };
}

export function writeKubeconfig(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** Poll fn every 50 ms until it answers something truthy; fail after timeoutMs, saying what(). */
export async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, what: () => string = () => ""): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A one-container Deployment, privileged or not (C-0057's two sides). */
export const deployment = (name: string, ns: string, privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {privileged: ${privileged}}
`;

/** SIGKILL a child process (unless it has exited) and wait for its exit. */
export const killed = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });

/** The stored WorkloadConfigurationScans of one workload (by Kubescape's workload labels). */
export async function storedResults(kube: Kube, ns: string, kind: string, name: string): Promise<any[]> {
  const selector = encodeURIComponent(`kubescape.io/workload-kind=${kind},kubescape.io/workload-name=${name}`);
  return (await kube.get<any>(`/apis/spdx.softwarecomposition.kubescape.io/v1beta1/namespaces/${ns}/workloadconfigurationscans?labelSelector=${selector}`)).items;
}
