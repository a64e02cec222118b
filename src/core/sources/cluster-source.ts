// The live cluster of a kubeconfig context (or the service account in a pod) as a source.
// The cluster client is imported only when this source reads, so file scans never load it.
import type { ClusterScanOptions } from "./cluster/index.js";
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
      const cluster = await readCluster({ ...opts, kinds: new Set(ctx.kinds) });
      for (const [kind, objects] of Object.entries(cluster.info.counts)) ctx.onEvent({ type: "listed", kind, objects });
      return {
        objects: cluster.objects,
        skippedFiles: [],
        ignoredDocuments: 0,
        filesRead: 0,
        target: { kind: "cluster", paths: [], cluster: cluster.info },
        unavailable: cluster.info.unavailable,
        inScope: (ns) => inNamespaceScope(ns, opts),
      };
    },
  };
}
