// Flags every `kubescape operator …` command shares: where the cluster is and where the
// operator lives. The service-account directory is for tests of the in-cluster path.
import { Flags } from "@oclif/core";
import { oneLine } from "./errors.js";
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

/** Flags of the commands that render the operator's chart: install, upgrade, uninstall. */
export const chartCommandFlags = {
  ...operatorFlags,
  "dry-run": Flags.boolean({ description: "print the manifests instead of applying them" }),
  set: Flags.string({ description: "chart value overrides, key=value (repeatable)", multiple: true }),
  renderer: Flags.string({ description: "how to render the chart: helm, builtin, or auto (helm when on PATH)", options: ["auto", "helm", "builtin"], default: "auto" }),
};

type ChartCommandFlags = Parameters<typeof kubeOptions>[0] & { "operator-namespace": string; "dry-run"?: boolean; set?: string[]; renderer: string };

const objectKey = (o: Record<string, any>) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

/**
 * Render the operator's chart, then print it (--dry-run), apply it (install, upgrade: server-side
 * apply over what is there) or delete what it names (uninstall); progress on stderr.
 */
export async function runChartCommand(flags: ChartCommandFlags, action: "install" | "upgrade" | "uninstall"): Promise<void> {
  const { installManifests, applyManifests, deleteManifests } = await import("../operator/client.js");
  const render = (set: string[] = []) => installManifests({ namespace: flags["operator-namespace"], set: [...(flags.set ?? []), ...set], renderer: flags.renderer as "auto" });
  // an uninstall removes what either storage mode installs (its CRDs, or its APIService),
  // whatever --set the install was given: the chart rendered in both
  const m = await render(action === "uninstall" ? ["storage.serve=false"] : []);
  if (action === "uninstall") {
    const { default: YAML } = await import("yaml");
    const seen = new Set(m.objects.map(objectKey));
    for (const o of (await render(["storage.serve=true"])).objects) {
      if (seen.has(objectKey(o))) continue;
      seen.add(objectKey(o));
      m.objects.push(o);
      m.yaml += `---\n${YAML.stringify(o)}`;
    }
  }
  if (flags["dry-run"]) {
    process.stdout.write(m.yaml);
    return;
  }
  const progress = (line: string) => process.stderr.write(`${oneLine(line)}\n`);
  await (action === "uninstall" ? deleteManifests : applyManifests)(kubeOptions(flags), m.objects, progress);
  process.stderr.write(`${action === "uninstall" ? "uninstalled" : action === "upgrade" ? "upgraded" : "installed"} (${m.objects.length} objects, rendered with ${m.renderer})\n`);
}
