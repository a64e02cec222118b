// The operator from the outside, for the CLI and the TUI: read stored results back into a
// ScanReport, ask for a scan (our ScanCommand resource, or the Kubescape operator's REST
// trigger through the API server's service proxy), see the operator's status, install it.
import type { KubeConfigOptions } from "../core/sources/cluster/kubeconfig.js";
import type { ScanReport } from "../core/scoring/result.js";
import { Registry } from "../core/engine/registry.js";
import { UserError } from "../core/errors.js";
import { VERSION } from "../version.js";
import { Kube, collectionPath, objectPath, type ApiError } from "./kube.js";
import { KINDS, LABEL, STORAGE_API_VERSION, STORAGE_GROUP, STORAGE_VERSION, reportFromStored } from "./storage.js";
import {
  COMMAND_GROUP,
  COMMAND_KIND,
  COMMAND_PLURAL,
  COMMAND_VERSION,
  DEFAULT_NAMESPACE,
  LEASE_NAME,
  SERVICE_NAME,
  SERVICE_PORT,
  STATUS_CONFIGMAP,
  type Condition,
  type OperatorStatus,
} from "./protocol.js";
import { manifestObjects, renderOperatorChart, type ChartOptions } from "./chart.js";

export interface Scope {
  /** only results of this namespace */
  namespace?: string;
  /** "Kind/name" (with namespace) */
  workload?: string;
  /** only the controls of these frameworks */
  frameworks?: string[];
}

export class NoOperatorError extends UserError {}

function parseWorkload(w: string | undefined): { kind: string; name: string } | undefined {
  if (!w) return undefined;
  const i = w.indexOf("/");
  if (i < 1 || i === w.length - 1) throw new UserError(`--workload ${w}: expected Kind/name, e.g. Deployment/web`);
  return { kind: w.slice(0, i), name: w.slice(i + 1) };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The stored results (ours or a Kubescape operator's) as a ScanReport, without rescanning;
 * undefined when the cluster serves no results at all (no operator installed).
 */
export async function readStoredReport(kube: KubeConfigOptions | Kube, scope: Scope = {}, registry = Registry.load()): Promise<ScanReport | undefined> {
  const k = kube instanceof Kube ? kube : await Kube.connect(kube);
  try {
    const group = await k.find<any>(`/apis/${STORAGE_GROUP}/${STORAGE_VERSION}`);
    if (!group?.resources?.some((r: any) => r?.name === KINDS.scan.plural)) return undefined;
    const w = parseWorkload(scope.workload);
    const selector = w ? `${LABEL.kind}=${cap(w.kind)},${LABEL.name}=${w.name}` : undefined;
    const { items } = await k.list(collectionPath(STORAGE_GROUP, STORAGE_VERSION, KINDS.scan.plural, scope.namespace), selector ? { labelSelector: selector } : {});
    let filtered = items;
    if (w) filtered = items.filter((i) => String(i.metadata?.labels?.[LABEL.kind] ?? "").toLowerCase() === w.kind.toLowerCase());
    // cluster-scoped objects' results live in the operator's namespace: -n names the objects' namespace
    if (scope.namespace) filtered = filtered.filter((i) => (i.metadata?.labels?.[LABEL.namespace] ?? "") === scope.namespace);
    const frameworks = [...registry.frameworks.values()];
    let keep: Set<string> | undefined;
    if (scope.frameworks?.length) {
      keep = new Set();
      for (const name of scope.frameworks) {
        const f = registry.framework(name);
        if (!f) throw new UserError(`unknown framework "${name}" (see: kubescape list frameworks)`);
        f.controls.forEach((id) => keep!.add(id));
      }
      filtered = filtered.map((i) => ({ ...i, spec: { ...i.spec, controls: Object.fromEntries(Object.entries(i.spec?.controls ?? {}).filter(([id]) => keep!.has(id))) } }));
    }
    const controls = new Map([...registry.controls.values()].map((c) => [c.id, { name: c.name, severity: c.severity, baseScore: c.baseScore, frameworks: c.frameworks }]));
    const report = reportFromStored(filtered, {
      controls,
      frameworks: frameworks.filter((f) => !scope.frameworks?.length || scope.frameworks.some((n) => registry.framework(n)?.name === f.name)).map((f) => ({ name: f.name, controls: f.controls })),
      cluster: { context: k.conn.context, server: k.conn.server },
      generator: { name: "kubescape-ts", version: VERSION },
    });
    return report;
  } finally {
    if (!(kube instanceof Kube)) k.close();
  }
}

export interface TriggerOptions extends Scope {
  operatorNamespace?: string;
  /** "cr": our ScanCommand resource (status conditions); "rest": POST /v1/triggerAction through the service proxy */
  via?: "cr" | "rest";
  timeoutMs?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface TriggerResult {
  name?: string;
  phase: string;
  message: string;
  scanned?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ask the operator for a scan and wait until its results are written. */
export async function triggerScan(kube: KubeConfigOptions | Kube, opts: TriggerOptions = {}): Promise<TriggerResult> {
  const k = kube instanceof Kube ? kube : await Kube.connect(kube);
  const ns = opts.operatorNamespace ?? DEFAULT_NAMESPACE;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  parseWorkload(opts.workload);
  try {
    if (opts.via === "rest") {
      const body = {
        commands: [
          {
            commandName: "kubescapeScan",
            args: {
              scanV1: opts.frameworks?.length ? { targetType: "framework", targetNames: opts.frameworks } : {},
              ...(opts.namespace ? { namespace: opts.namespace } : {}),
              ...(opts.workload ? { workload: opts.workload } : {}),
            },
          },
        ],
      };
      const p = `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${SERVICE_NAME}:${SERVICE_PORT}/proxy/v1/triggerAction?wait=true`;
      opts.onProgress?.(`POST ${p}`);
      for (;;) {
        try {
          const r = await k.request<any>("POST", p, body, "application/json", Math.max(1000, deadline - Date.now()));
          return { phase: "Completed", message: typeof r === "object" ? JSON.stringify(r) : String(r ?? "ok"), scanned: typeof r?.scanned === "number" ? r.scanned : undefined };
        } catch (e) {
          const err = e as ApiError;
          // the service routes to any replica: a follower answers 503, the leader accepts
          if (err.status === 503 && Date.now() < deadline) {
            await sleep(300);
            continue;
          }
          if (err.status === 404) throw new NoOperatorError(`no operator service ${ns}/${SERVICE_NAME}:${SERVICE_PORT} (is the operator installed? see: kubescape operator install)`);
          throw err;
        }
      }
    }
    const coll = collectionPath(COMMAND_GROUP, COMMAND_VERSION, COMMAND_PLURAL, ns);
    let created: any;
    try {
      created = await k.request("POST", coll, {
        apiVersion: `${COMMAND_GROUP}/${COMMAND_VERSION}`,
        kind: COMMAND_KIND,
        metadata: { generateName: "scan-", namespace: ns },
        spec: { ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.workload ? { workload: opts.workload } : {}), ...(opts.frameworks?.length ? { frameworks: opts.frameworks } : {}) },
      });
    } catch (e) {
      if ((e as ApiError).status === 404) throw new NoOperatorError(`the cluster has no ${COMMAND_KIND} resource in namespace ${ns} (is the operator installed? see: kubescape operator install)`);
      throw e;
    }
    const name: string = created.metadata.name;
    opts.onProgress?.(`created ${COMMAND_KIND} ${ns}/${name}`);
    let last = "";
    for (;;) {
      opts.signal?.throwIfAborted();
      const cmd = await k.find<any>(objectPath(COMMAND_GROUP, COMMAND_VERSION, COMMAND_PLURAL, name, ns));
      const phase = String(cmd?.status?.phase ?? "Pending");
      const cond = (cmd?.status?.conditions ?? []).find((c: Condition) => c.type === "Complete");
      const line = `${phase}${cond?.message ? `: ${cond.message}` : ""}`;
      if (line !== last) opts.onProgress?.((last = line));
      if (phase === "Completed") return { name, phase, message: String(cond?.message ?? ""), scanned: cmd.status.scanned };
      if (phase === "Failed") throw new UserError(`${COMMAND_KIND} ${ns}/${name} failed: ${cond?.message ?? "no reason given"}`);
      if (Date.now() > deadline) {
        throw new UserError(
          `${COMMAND_KIND} ${ns}/${name} still ${phase} after ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s${phase === "Pending" ? " (no operator picked it up: is one running? see: kubescape operator status)" : ""}`,
        );
      }
      await sleep(200);
    }
  } finally {
    if (!(kube instanceof Kube)) k.close();
  }
}

export interface StatusView {
  namespace: string;
  cliVersion: string;
  storage: "ours (CRDs)" | "ours (served by the operator)" | "Kubescape storage API" | "not served";
  deployment?: { replicas: number; ready: number; image: string };
  lease?: { holder: string; renewTime: string; durationSeconds: number; fresh: boolean };
  status?: OperatorStatus;
  results: number;
}

/** Components, versions, leader, last scan and health, read from the cluster. */
export async function operatorStatus(kube: KubeConfigOptions | Kube, operatorNamespace = DEFAULT_NAMESPACE): Promise<StatusView> {
  const k = kube instanceof Kube ? kube : await Kube.connect(kube);
  try {
    const ns = encodeURIComponent(operatorNamespace);
    const apiservice = await k.find<any>(`/apis/apiregistration.k8s.io/v1/apiservices/${STORAGE_VERSION}.${STORAGE_GROUP}`);
    const group = await k.find<any>(`/apis/${STORAGE_GROUP}/${STORAGE_VERSION}`);
    const served = group?.resources?.some((r: any) => r?.name === KINDS.scan.plural);
    const dep = await k.find<any>(`/apis/apps/v1/namespaces/${ns}/deployments/kubescape-ts-operator`);
    const lease = await k.find<any>(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE_NAME}`);
    const cm = await k.find<any>(`/api/v1/namespaces/${ns}/configmaps/${STATUS_CONFIGMAP}`);
    let status: OperatorStatus | undefined;
    try {
      status = cm?.data?.status ? JSON.parse(cm.data.status) : undefined;
    } catch {
      status = undefined;
    }
    const servedHere = status?.conditions?.some((c) => c.type === "StorageReady" && c.reason === "ServedHere" && c.status === "True");
    const storage = !served ? "not served" : !apiservice?.spec?.service ? "ours (CRDs)" : servedHere ? "ours (served by the operator)" : "Kubescape storage API";
    let results = 0;
    if (served) {
      const page = await k.get<any>(`${collectionPath(STORAGE_GROUP, STORAGE_VERSION, KINDS.scan.plural)}?limit=1`);
      results = (page?.items?.length ?? 0) + (typeof page?.metadata?.remainingItemCount === "number" ? page.metadata.remainingItemCount : 0);
    }
    const renew = Date.parse(lease?.spec?.renewTime ?? "");
    const duration = Number(lease?.spec?.leaseDurationSeconds ?? 0);
    return {
      namespace: operatorNamespace,
      cliVersion: VERSION,
      storage,
      deployment: dep ? { replicas: Number(dep.spec?.replicas ?? 0), ready: Number(dep.status?.readyReplicas ?? 0), image: String(dep.spec?.template?.spec?.containers?.[0]?.image ?? "") } : undefined,
      lease: lease
        ? {
            holder: String(lease.spec?.holderIdentity ?? ""),
            renewTime: String(lease.spec?.renewTime ?? ""),
            durationSeconds: duration,
            fresh: Number.isFinite(renew) && renew + duration * 1000 > Date.now(),
          }
        : undefined,
      status,
      results,
    };
  } finally {
    if (!(kube instanceof Kube)) k.close();
  }
}

/** Whether an operator (ours or Kubescape's) has results in this cluster: for the TUI to decide between stored results and an offer to install. */
export async function hasOperator(kube: KubeConfigOptions): Promise<boolean> {
  const k = await Kube.connect(kube);
  try {
    const group = await k.find<any>(`/apis/${STORAGE_GROUP}/${STORAGE_VERSION}`);
    return !!group?.resources?.some((r: any) => r?.name === KINDS.scan.plural);
  } finally {
    k.close();
  }
}

// --- install ------------------------------------------------------------------------------

/** The manifests `install` applies: the namespace, the chart's CRDs and templates. */
export async function installManifests(opts: ChartOptions): Promise<{ yaml: string; objects: Record<string, any>[]; renderer: string }> {
  const { yaml, renderer } = await renderOperatorChart(opts);
  // Pod Security Admission keeps the namespace to the restricted profile the operator meets
  const ns = `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${opts.namespace}\n  labels:\n    app.kubernetes.io/part-of: kubescape-ts\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/warn: restricted\n`;
  const full = `${ns}${yaml}`;
  return { yaml: full, objects: manifestObjects(full), renderer };
}

/** Where an object lives in the API (from discovery), for applying and deleting any kind. */
async function pathOf(k: Kube, obj: Record<string, any>, cache: Map<string, any>): Promise<string> {
  const [group, version] = String(obj.apiVersion).includes("/") ? String(obj.apiVersion).split("/") : ["", String(obj.apiVersion)];
  const gv = group ? `/apis/${group}/${version}` : `/api/${version}`;
  let doc = cache.get(gv);
  if (!doc) cache.set(gv, (doc = await k.get<any>(gv)));
  const res = (doc?.resources ?? []).find((r: any) => r.kind === obj.kind && !String(r.name).includes("/"));
  if (!res) throw new UserError(`${obj.kind} (${obj.apiVersion}) is not served by this cluster`);
  return objectPath(group, version, res.name, obj.metadata.name, res.namespaced ? obj.metadata.namespace : undefined);
}

/** Server-side apply of the manifests, CRDs first and waited for. */
export async function applyManifests(kube: KubeConfigOptions, objects: Record<string, any>[], onProgress?: (line: string) => void): Promise<void> {
  const k = await Kube.connect(kube);
  try {
    const cache = new Map<string, any>();
    const order = (o: any) => (o.kind === "Namespace" ? 0 : o.kind === "CustomResourceDefinition" ? 1 : 2);
    for (const obj of [...objects].sort((a, b) => order(a) - order(b))) {
      let p: string;
      try {
        p = await pathOf(k, obj, cache);
      } catch (e) {
        // a CRD just applied: discovery catches up within a few seconds
        if (!(e instanceof UserError)) throw e;
        await sleep(1000);
        cache.clear();
        p = await pathOf(k, obj, cache);
      }
      await k.apply(p, obj, "kubescape-ts-install");
      onProgress?.(`applied ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`);
      if (obj.kind === "CustomResourceDefinition") cache.delete(`/apis/${obj.spec.group}/${obj.spec.versions[0].name}`);
    }
  } finally {
    k.close();
  }
}

/** Delete what install applied (and the results, with the CRDs), namespace last. */
export async function deleteManifests(kube: KubeConfigOptions, objects: Record<string, any>[], onProgress?: (line: string) => void): Promise<void> {
  const k = await Kube.connect(kube);
  try {
    const cache = new Map<string, any>();
    const order = (o: any) => (o.kind === "Namespace" ? 2 : o.kind === "CustomResourceDefinition" ? 1 : 0);
    for (const obj of [...objects].sort((a, b) => order(a) - order(b))) {
      let p: string;
      try {
        p = await pathOf(k, obj, cache);
      } catch {
        continue; // its kind is gone already
      }
      await k.delete(p);
      onProgress?.(`deleted ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`);
    }
  } finally {
    k.close();
  }
}

export { STORAGE_API_VERSION };
