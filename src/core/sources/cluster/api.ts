// Writes and watches for the operator: thin typed helpers over @kubernetes/client-node (loaded
// lazily, like everything in the cluster source), with client-node's errors turned into our
// one-line ApiError. Reads for scans go through client.ts instead, which keeps objects exactly
// as the server sent them and bounds every request.
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node";
import { ApiError } from "./client.js";
import { loadClientNode, loadKubeConfig, type KubeConfigOptions } from "./kubeconfig.js";
import { oneLine, redactUrl } from "./text.js";

export { loadKubeConfig, type KubeConfigOptions };
export type { KubeConfig, KubernetesObject };

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
export interface WatchEvent<T = KubernetesObject> {
  type: WatchEventType;
  object: T;
}

/**
 * Watch a collection path (e.g. /api/v1/namespaces/x/configmaps) until the server ends the watch
 * or the signal aborts it. Resolves then; rejects with an ApiError when the watch cannot start or
 * breaks. Query: resourceVersion, labelSelector, allowWatchBookmarks, timeoutSeconds, …
 */
export async function watch<T = KubernetesObject>(
  kc: KubeConfig,
  path: string,
  onEvent: (event: WatchEvent<T>) => void,
  signal?: AbortSignal,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<void> {
  if (signal?.aborted) return;
  const { Watch } = await loadClientNode();
  const server = redactUrl(kc.getCurrentCluster()?.server ?? "");
  return new Promise<void>((resolve, reject) => {
    let controller: AbortController | undefined;
    let finished = false;
    const onAbort = () => controller?.abort();
    const done = (err: unknown) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      // an abort we asked for is a normal end, not a failure
      if (!err || signal?.aborted || (err as Error).name === "AbortError") resolve();
      else reject(toApiError(err, `watch ${path}`, server));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    new Watch(kc)
      .watch(path, query, (type, object) => onEvent({ type: type as WatchEventType, object: object as T }), done)
      .then((c) => {
        controller = c;
        if (signal?.aborted) c.abort();
      }, done);
  });
}

const objectApis = new WeakMap<KubeConfig, KubernetesObjectApi>();
async function objectApi(kc: KubeConfig): Promise<KubernetesObjectApi> {
  let api = objectApis.get(kc);
  if (!api) {
    const { KubernetesObjectApi } = await loadClientNode();
    api = KubernetesObjectApi.makeApiClient(kc);
    objectApis.set(kc, api);
  }
  return api;
}

export interface WriteOptions {
  /** who makes the change (managedFields); default kubescape-ts */
  fieldManager?: string;
  /** validate on the server without persisting */
  dryRun?: boolean;
}

/** Create an object (it must not exist yet: 409 otherwise). */
export async function create<T extends KubernetesObject>(kc: KubeConfig, obj: T, opts: WriteOptions = {}): Promise<T> {
  const api = await objectApi(kc);
  return call(kc, `create ${describe(obj)}`, () => api.create<T>(obj, undefined, opts.dryRun ? "All" : undefined, opts.fieldManager ?? "kubescape-ts"));
}

export type PatchType = "merge" | "strategic" | "json";

/** Patch an existing object: a merge patch by default (obj holds apiVersion, kind, metadata.name/namespace and the changes). */
export async function patch<T extends KubernetesObject>(kc: KubeConfig, obj: T, opts: WriteOptions & { type?: PatchType } = {}): Promise<T> {
  const k8s = await loadClientNode();
  const api = await objectApi(kc);
  const strategy = { merge: k8s.PatchStrategy.MergePatch, strategic: k8s.PatchStrategy.StrategicMergePatch, json: k8s.PatchStrategy.JsonPatch }[opts.type ?? "merge"];
  return call(kc, `patch ${describe(obj)}`, () => api.patch<T>(obj, undefined, opts.dryRun ? "All" : undefined, opts.fieldManager ?? "kubescape-ts", undefined, strategy));
}

/** Server-side apply: create or update the fields this field manager owns (force takes over conflicting fields). */
export async function apply<T extends KubernetesObject>(kc: KubeConfig, obj: T, opts: WriteOptions & { force?: boolean } = {}): Promise<T> {
  const k8s = await loadClientNode();
  const api = await objectApi(kc);
  return call(kc, `apply ${describe(obj)}`, () =>
    api.patch<T>(obj, undefined, opts.dryRun ? "All" : undefined, opts.fieldManager ?? "kubescape-ts", opts.force ?? false, k8s.PatchStrategy.ServerSideApply),
  );
}

function describe(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind ?? "object"} ${ns}${obj.metadata?.name ?? ""}`;
}

async function call<T>(kc: KubeConfig, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toApiError(e, what, redactUrl(kc.getCurrentCluster()?.server ?? ""));
  }
}

/** client-node's ApiException (code, body) or a fetch/socket error as one ApiError line. */
function toApiError(e: unknown, what: string, server: string): ApiError {
  const err = e as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string };
  const status = typeof err.code === "number" ? err.code : typeof err.statusCode === "number" ? err.statusCode : undefined;
  if (status !== undefined) {
    let body = err.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        // a plain-text body
      }
    }
    const b = (body && typeof body === "object" ? body : {}) as { message?: unknown; reason?: unknown };
    const message = typeof b.message === "string" ? b.message : typeof body === "string" ? body : "";
    return new ApiError(`${what}: ${status}${message ? ` ${oneLine(message, 200)}` : ""}`, status, typeof b.reason === "string" ? b.reason : undefined, { transient: status === 429 || status >= 500 });
  }
  const code = typeof err.code === "string" ? err.code : undefined;
  const transient = code !== undefined && /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN/.test(code);
  return new ApiError(`${server}: ${what}: ${oneLine(err.message ?? String(e), 200)}`, undefined, undefined, { transient, code });
}
