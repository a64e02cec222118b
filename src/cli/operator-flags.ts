// Flags every `kubescape operator …` command shares: where the cluster is and where the
// operator lives. The service-account directory is for tests of the in-cluster path.
import { Flags } from "@oclif/core";
import type { KubeConfigOptions } from "../core/sources/cluster/kubeconfig.js";

export const operatorFlags = {
  kubeconfig: Flags.string({ description: "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config; in a pod: its service account)", helpGroup: "CLUSTER" }),
  context: Flags.string({ description: "kubeconfig context (default: current-context)", helpGroup: "CLUSTER" }),
  "operator-namespace": Flags.string({ description: "the operator's namespace", default: process.env.POD_NAMESPACE || "kubescape", helpGroup: "CLUSTER" }),
  "in-cluster": Flags.boolean({ description: "use the pod's service account (KUBERNETES_SERVICE_HOST/PORT, its token and CA) even when a kubeconfig exists", helpGroup: "CLUSTER" }),
  "service-account-root": Flags.string({
    description: "a directory standing in for / when reading var/run/secrets/kubernetes.io/serviceaccount (tests)",
    env: "KUBESCAPE_SERVICE_ACCOUNT_ROOT",
    hidden: true,
  }),
};

export function kubeOptions(flags: { kubeconfig?: string; context?: string; "in-cluster"?: boolean; "service-account-root"?: string }): KubeConfigOptions {
  return { kubeconfig: flags.kubeconfig, context: flags.context, inCluster: flags["in-cluster"], serviceAccountRoot: flags["service-account-root"] };
}

export const list = (s: string | undefined) =>
  s
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** "24h", "30m", "90s", "1500ms" or plain seconds → ms; undefined when it is none of these. */
export function parseDuration(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(s);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "s").toLowerCase() as "s"];
  return Number(m[1]) * unit;
}
