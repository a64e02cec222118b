// Cluster source: the objects of the kinds the selected controls need, LISTed from the API
// server of a kubeconfig context. Kinds come from discovery (kinds the server does not serve
// are simply absent), lists are paginated, and several run at once. A kind that cannot be
// listed (403, or still failing after retries) is reported, so the controls that need it are
// skipped with the reason instead of passing on a short list.
import type { ClusterInfo, K8sObject, ScanObject } from "../../model.js";
import { KubeClient, ApiError, type ClientOptions } from "./client.js";
import type { KubeConfigOptions } from "./kubeconfig.js";
import { connect } from "./connect.js";

export interface ClusterScanOptions extends ClientOptions, Pick<KubeConfigOptions, "inCluster" | "serviceAccountRoot" | "execTimeoutMs" | "env"> {
  kubeconfig?: string;
  context?: string;
  /** only this namespace (namespaced kinds); cluster-scoped kinds are still listed */
  namespace?: string;
  selector?: string;
  excludeNamespaces?: string[];
  /** kinds to list */
  kinds: Set<string>;
  concurrency?: number;
  pageSize?: number;
  /** pages per LIST before giving up on that kind (default 10,000) */
  maxPages?: number;
}

export interface ClusterSourceResult {
  objects: ScanObject[];
  info: ClusterInfo;
}

export interface ResourceInfo {
  kind: string;
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

export async function readCluster(opts: ClusterScanOptions): Promise<ClusterSourceResult> {
  const conn = await connect({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    inCluster: opts.inCluster,
    serviceAccountRoot: opts.serviceAccountRoot,
    execTimeoutMs: opts.execTimeoutMs,
    env: opts.env,
  });
  const client = new KubeClient(conn, opts);
  const t0 = performance.now();
  try {
    const version = await client.get<unknown>("/version");
    const resources = await discover(client, opts.kinds);
    const unavailable: Record<string, string> = {};
    const lists = new Map<string, K8sObject[]>();
    const queue = [...resources.values()];
    const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, queue.length)) }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        try {
          lists.set(r.kind, await listAll(client, r, opts));
        } catch (e) {
          const err = e as ApiError;
          unavailable[r.kind] = err.status === 403 ? `forbidden to list ${r.resource}` : `could not list ${r.resource}: ${err.message}`;
        }
      }
    });
    await Promise.all(workers);
    const objects: ScanObject[] = [];
    const counts: Record<string, number> = {};
    // -n narrows the LISTs themselves; --exclude-namespaces and the scope of objects alerts
    // name are the scanner's (src/core/scanner.ts), in one place for every source
    for (const r of resources.values()) {
      for (const obj of lists.get(r.kind) ?? []) {
        objects.push({ id: objects.length, object: obj, source: { file: `cluster:${conn.context}`, docIndex: 0, itemPath: [] } });
        counts[r.kind] = (counts[r.kind] ?? 0) + 1;
      }
    }
    return {
      objects,
      info: {
        context: conn.context,
        server: conn.server,
        version: isObject(version) && typeof version.gitVersion === "string" ? version.gitVersion : "",
        namespace: opts.namespace,
        counts,
        unavailable,
        listMs: performance.now() - t0,
        requests: client.requests,
      },
    };
  } finally {
    client.close();
  }
}

const DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown): any[] => (Array.isArray(v) ? v.filter(isObject) : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Which of the wanted kinds the server serves, and where (preferred version of each group). Malformed entries are skipped. */
export async function discover(client: KubeClient, kinds: Set<string>): Promise<Map<string, ResourceInfo>> {
  const found = new Map<string, ResourceInfo>();
  const add = (r: ResourceInfo, verbs: unknown) => {
    if (!r.kind || !r.resource || !r.version || !kinds.has(r.kind) || found.has(r.kind) || r.resource.includes("/")) return;
    if (Array.isArray(verbs) && !verbs.includes("list")) return;
    found.set(r.kind, r);
  };
  const core = await client.get<unknown>("/api", DISCOVERY_V2);
  const groups = await client.get<unknown>("/apis", DISCOVERY_V2);
  if (isObject(core) && isObject(groups) && core.kind === "APIGroupDiscoveryList" && groups.kind === "APIGroupDiscoveryList") {
    for (const g of [...arrayOf(core.items), ...arrayOf(groups.items)]) {
      const v = arrayOf(g.versions)[0]; // versions are listed in preference order
      for (const res of arrayOf(v?.resources)) {
        add({ kind: str(res.responseKind?.kind), group: str(g.metadata?.name), version: str(v.version), resource: str(res.resource), namespaced: res.scope === "Namespaced" }, res.verbs);
      }
    }
    return found;
  }
  // legacy discovery: one request per group version
  const v1 = await client.get<unknown>("/api/v1");
  for (const res of arrayOf(isObject(v1) ? v1.resources : undefined)) add({ kind: str(res.kind), group: "", version: "v1", resource: str(res.name), namespaced: res.namespaced === true }, res.verbs);
  const gvs: string[] = arrayOf(isObject(groups) ? groups.groups : undefined)
    .map((g) => str(g.preferredVersion?.groupVersion))
    .filter((gv) => /^[^/]+\/[^/]+$/.test(gv));
  const docs = await Promise.all(gvs.map((gv) => client.get<unknown>(`/apis/${gv}`).catch(() => undefined)));
  docs.forEach((doc, i) => {
    const [group, version] = gvs[i].split("/");
    for (const res of arrayOf(isObject(doc) ? doc.resources : undefined)) add({ kind: str(res.kind), group, version, resource: str(res.name), namespaced: res.namespaced === true }, res.verbs);
  });
  return found;
}

/**
 * LIST one resource with pagination. An expired continue token restarts the list once. Bounded:
 * at most maxPages pages, a continue token the server repeats stops the list, and a page whose
 * shape is not a list (items not an array, an item or its metadata not an object) fails the kind.
 */
async function listAll(client: KubeClient, r: ResourceInfo, opts: ClusterScanOptions): Promise<K8sObject[]> {
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const base = r.namespaced && opts.namespace ? `${prefix}/namespaces/${encodeURIComponent(opts.namespace)}/${r.resource}` : `${prefix}/${r.resource}`;
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  const maxPages = opts.maxPages ?? 10_000;
  const bad = (what: string) => new ApiError(`${base}: ${what}`, undefined, undefined, { code: "BAD_LIST" });
  for (let restart = 0; ; restart++) {
    const items: K8sObject[] = [];
    const seen = new Set<string>();
    let cont: string | undefined;
    let pages = 0;
    try {
      do {
        if (++pages > maxPages) throw bad(`more than ${maxPages} pages; stopped listing`);
        const q = new URLSearchParams({ limit: String(opts.pageSize ?? 500) });
        if (cont) q.set("continue", cont);
        if (opts.selector) q.set("labelSelector", opts.selector);
        const page = await client.get<unknown>(`${base}?${q}`);
        if (!isObject(page)) throw bad("the response is not a list object");
        const list = page.items ?? [];
        if (!Array.isArray(list)) throw bad(`"items" is ${typeName(list)}, not an array`);
        for (let i = 0; i < list.length; i++) {
          const item = list[i];
          if (!isObject(item)) throw bad(`items[${i}] is ${typeName(item)}, not an object`);
          if (!isObject(item.metadata)) throw bad(`items[${i}].metadata is ${typeName(item.metadata)}, not an object`);
          items.push(clean(item, apiVersion, r.kind));
        }
        const next = page.metadata === undefined ? undefined : isObject(page.metadata) ? page.metadata.continue : bad("metadata is not an object");
        if (next instanceof ApiError) throw next;
        if (next !== undefined && next !== null && typeof next !== "string") throw bad(`metadata.continue is ${typeName(next)}, not a string`);
        cont = next || undefined;
        if (cont) {
          if (seen.has(cont)) throw bad(`the server sent the same continue token twice (page ${pages}); stopped listing`);
          seen.add(cont);
        }
      } while (cont);
      return items;
    } catch (e) {
      if ((e as ApiError).status === 410 && restart === 0) continue; // continue token expired: list again from the start
      throw e;
    }
  }
}

function typeName(v: unknown): string {
  return v === undefined ? "missing" : v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * List items lack apiVersion/kind; managed fields are noise. Secret values never leave this
 * function: data and stringData keep their keys with empty values, and the
 * last-applied-configuration annotation (which repeats them) is dropped.
 */
export function clean(item: Record<string, unknown>, apiVersion: string, kind: string): K8sObject {
  const obj = { ...item, apiVersion, kind } as K8sObject;
  if (obj.metadata && typeof obj.metadata === "object") {
    const { managedFields: _drop, ...md } = obj.metadata as Record<string, unknown>;
    obj.metadata = md;
    if (kind === "Secret" && md.annotations && typeof md.annotations === "object") {
      const { "kubectl.kubernetes.io/last-applied-configuration": _secret, ...rest } = md.annotations as Record<string, string>;
      md.annotations = rest;
    }
  }
  if (kind === "Secret") {
    for (const key of ["data", "stringData"]) {
      const v = obj[key];
      if (v && typeof v === "object") obj[key] = Object.fromEntries(Object.keys(v).map((k) => [k, ""]));
    }
  }
  return obj;
}
