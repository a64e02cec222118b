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
  /**
   * One workload and what its controls look at, read narrowly (see readWorkload): the
   * workload itself, its namespace, its service account with the bindings and roles that name
   * it, the services that select it and the network policies of its namespace.
   */
  workload?: WorkloadRef;
  /** called as each kind's LIST completes (objects read, kinds listed so far of all to list): progress while a large cluster is read */
  onListed?: (kind: string, objects: number, done: number, total: number) => void;
}

/** A workload by kind, name and namespace (Kind as the API names it: Deployment, Pod, …). */
export interface WorkloadRef {
  kind: string;
  name: string;
  namespace: string;
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
    const resources = await discover(client, opts.workload ? new Set([...opts.kinds, opts.workload.kind]) : opts.kinds);
    const unavailable: Record<string, string> = {};
    const lists = new Map<string, K8sObject[]>();
    if (opts.workload) {
      await readWorkload(client, resources, opts.workload, opts, lists, unavailable);
    } else {
      const queue = [...resources.values()];
      const total = queue.length;
      let done = 0;
      const listed = (kind: string, n: number) => opts.onListed?.(kind, n, ++done, total);
      const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, queue.length)) }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          try {
            const items = await listAll(client, r, opts);
            lists.set(r.kind, items);
            listed(r.kind, items.length);
          } catch (e) {
            const err = e as ApiError;
            unavailable[r.kind] = err.status === 403 ? `forbidden to list ${r.resource}` : `could not list ${r.resource}: ${err.message}`;
            listed(r.kind, 0);
          }
        }
      });
      await Promise.all(workers);
    }
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
        namespace: opts.workload?.namespace ?? opts.namespace,
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

/** The pod template of a workload (a Pod is its own), for the labels services select. */
function podTemplate(obj: K8sObject): Record<string, any> | undefined {
  const spec = isObject(obj.spec) ? obj.spec : undefined;
  if (obj.kind === "Pod") return obj as Record<string, any>;
  if (obj.kind === "CronJob") return spec?.jobTemplate?.spec?.template;
  return isObject(spec?.template) ? spec.template : undefined;
}

const selects = (selector: unknown, labels: Record<string, unknown>) => isObject(selector) && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

const namesSubject = (binding: K8sObject, sa: string, ns: string) =>
  arrayOf(binding.subjects).some((s) => s.kind === "ServiceAccount" && s.name === sa && (s.namespace ?? binding.metadata?.namespace) === ns);

/**
 * The narrow read of one workload: a GET of the workload and of its namespace, and LISTs in
 * its namespace only (service accounts, services, network policies, roles, role bindings);
 * cluster role bindings are the one cluster-wide LIST (a binding of any namespace's subject
 * lives there), and only the cluster roles they grant the workload's service account are
 * fetched. Of what was listed, only what concerns the workload is kept: its service account,
 * the bindings that name it and the roles they grant, the services whose selector matches its
 * pod labels, and every network policy of its namespace. Kinds the rules do not need are not
 * read; a kind that cannot be read is reported like a failed LIST.
 */
async function readWorkload(
  client: KubeClient,
  resources: Map<string, ResourceInfo>,
  w: WorkloadRef,
  opts: ClusterScanOptions,
  lists: Map<string, K8sObject[]>,
  unavailable: Record<string, string>,
): Promise<void> {
  const info = resources.get(w.kind);
  if (!info || !info.namespaced) throw new ApiError(`the cluster serves no namespaced kind ${w.kind}`, undefined, undefined, { code: "NO_KIND" });
  const path = (r: ResourceInfo, name?: string) =>
    `${r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`}${r.namespaced ? `/namespaces/${encodeURIComponent(w.namespace)}` : ""}/${r.resource}${name ? `/${encodeURIComponent(name)}` : ""}`;
  const apiVersion = (r: ResourceInfo) => (r.group ? `${r.group}/${r.version}` : r.version);
  const getOne = async (r: ResourceInfo, name: string): Promise<K8sObject | undefined> => {
    try {
      const o = await client.get<unknown>(path(r, name));
      return isObject(o) && isObject(o.metadata) ? clean(o, apiVersion(r), r.kind) : undefined;
    } catch (e) {
      if ((e as ApiError).status === 404) return undefined;
      throw e;
    }
  };
  const workload = await getOne(info, w.name);
  if (!workload) throw new ApiError(`${w.kind} ${w.name} not found in namespace ${w.namespace}`, 404, "NotFound");
  lists.set(w.kind, [workload]);

  const wanted = (kind: string) => (opts.kinds.has(kind) ? resources.get(kind) : undefined);
  const read = async (kind: string, fn: (r: ResourceInfo) => Promise<K8sObject[]>): Promise<K8sObject[]> => {
    const r = wanted(kind);
    if (!r) return [];
    try {
      return await fn(r);
    } catch (e) {
      const err = e as ApiError;
      unavailable[kind] = err.status === 403 ? `forbidden to read ${r.resource}` : `could not read ${r.resource}: ${err.message}`;
      return [];
    }
  };
  const nsOpts = { ...opts, namespace: w.namespace, selector: undefined };
  const template = podTemplate(workload);
  const podLabels = isObject(template?.metadata?.labels) ? template.metadata.labels : {};
  const sa = str(template?.spec?.serviceAccountName) || str(template?.spec?.serviceAccount) || "default";

  const [ns, sas, services, netpols, roleBindings, clusterRoleBindings] = await Promise.all([
    read("Namespace", async (r) => [await getOne(r, w.namespace)].filter((o): o is K8sObject => !!o)),
    read("ServiceAccount", async (r) => [await getOne(r, sa)].filter((o): o is K8sObject => !!o)),
    read("Service", (r) => listAll(client, r, nsOpts)),
    read("NetworkPolicy", (r) => listAll(client, r, nsOpts)),
    read("RoleBinding", (r) => listAll(client, r, nsOpts)),
    read("ClusterRoleBinding", (r) => listAll(client, r, nsOpts)),
  ]);
  const rbs = roleBindings.filter((b) => namesSubject(b, sa, w.namespace));
  const crbs = clusterRoleBindings.filter((b) => namesSubject(b, sa, w.namespace));
  const refs = (bs: K8sObject[], kind: string) => [...new Set(bs.map((b) => (isObject(b.roleRef) && b.roleRef.kind === kind ? str(b.roleRef.name) : "")).filter(Boolean))];
  const roleNames = refs(rbs, "Role");
  const clusterRoleNames = [...new Set([...refs(rbs, "ClusterRole"), ...refs(crbs, "ClusterRole")])];
  const [roles, clusterRoles] = await Promise.all([
    read("Role", async (r) => (await Promise.all(roleNames.map((n) => getOne(r, n)))).filter((o): o is K8sObject => !!o)),
    read("ClusterRole", async (r) => (await Promise.all(clusterRoleNames.map((n) => getOne(r, n)))).filter((o): o is K8sObject => !!o)),
  ]);
  const put = (kind: string, objs: K8sObject[]) => {
    if (kind === w.kind) return;
    if (objs.length) lists.set(kind, objs);
  };
  put("Namespace", ns);
  put("ServiceAccount", sas);
  put(
    "Service",
    services.filter((s) => isObject(s.spec) && selects(s.spec.selector, podLabels)),
  );
  put("NetworkPolicy", netpols);
  put("RoleBinding", rbs);
  put("ClusterRoleBinding", crbs);
  put("Role", roles);
  put("ClusterRole", clusterRoles);
}
