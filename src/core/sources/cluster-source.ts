// The live cluster of a kubeconfig context (or the service account in a pod) as a source.
// The cluster client is imported only when this source reads, so file scans never load it.
import type { ClusterScanOptions, WorkloadRef } from "./cluster/index.js";
import { UsageError } from "../errors.js";

export type { WorkloadRef };
import type { Source, SourceObjects } from "./source.js";

export type ClusterSourceOptions = Omit<ClusterScanOptions, "kinds">;

/**
 * Whether an object of this namespace is in scope (-n, --exclude-namespaces). Cluster-scoped
 * objects (no namespace) always are; for a Namespace pass its own name.
 */
export function inNamespaceScope(namespace: string | undefined, opts: { namespace?: string; excludeNamespaces?: string[] }): boolean {
  if (!namespace) return true;
  if (opts.namespace && namespace !== opts.namespace) return false;
  return !opts.excludeNamespaces?.includes(namespace);
}

export function clusterSource(opts: ClusterSourceOptions = {}): Source {
  return {
    name: "cluster",
    async read(ctx): Promise<SourceObjects> {
      ctx.signal?.throwIfAborted();
      const { readCluster } = await import("./cluster/index.js");
      // each kind as its LIST completes; a workload's narrow read reports what it read at the end
      let live = false;
      const onListed = (kind: string, objects: number, done: number, total: number) => {
        live = true;
        ctx.onEvent({ type: "listed", kind, objects, of: { done, total } });
      };
      const cluster = await readCluster({ ...opts, kinds: new Set(ctx.kinds), onListed });
      if (!live) for (const [kind, objects] of Object.entries(cluster.info.counts)) ctx.onEvent({ type: "listed", kind, objects });
      return {
        objects: cluster.objects,
        skippedFiles: [],
        ignoredDocuments: 0,
        filesRead: 0,
        target: { kind: "cluster", paths: [], cluster: cluster.info },
        unavailable: cluster.info.unavailable,
        inScope: (ns) => inNamespaceScope(ns, opts.workload ? { ...opts, namespace: opts.workload.namespace } : opts),
      };
    },
  };
}

/** The workload kinds `scan workload` and `tui --resource` take, by the names kubectl knows them by. */
const WORKLOAD_KINDS: Record<string, string> = {};
for (const [kind, names] of Object.entries({
  Pod: ["pod", "pods", "po"],
  Deployment: ["deployment", "deployments", "deploy"],
  StatefulSet: ["statefulset", "statefulsets", "sts"],
  DaemonSet: ["daemonset", "daemonsets", "ds"],
  ReplicaSet: ["replicaset", "replicasets", "rs"],
  Job: ["job", "jobs"],
  CronJob: ["cronjob", "cronjobs", "cj"],
})) {
  for (const n of names) WORKLOAD_KINDS[n] = kind;
}

/** "Deployment/web" (or deploy/web, pods/x, …) and a namespace as a WorkloadRef; anything else is a usage error. */
export function parseWorkload(ref: string, namespace: string | undefined): WorkloadRef {
  const slash = ref.indexOf("/");
  const kind = slash > 0 ? WORKLOAD_KINDS[ref.slice(0, slash).toLowerCase()] : undefined;
  const name = slash > 0 ? ref.slice(slash + 1) : "";
  if (!kind || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(`"${ref}" is not a workload: expected Kind/name, Kind one of ${[...new Set(Object.values(WORKLOAD_KINDS))].join(", ")}`);
  }
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new UsageError(`"${namespace}" is not a namespace name`);
  return { kind, name, namespace: namespace ?? "default" };
}
