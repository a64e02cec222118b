// A worker thread that reads the kubeconfig (or the service account) with client-node and
// hands back the connection as plain data, then ends: client-node's ~40 MB of code and data
// leave with it instead of staying in the process for the rest of the scan.
// Message in: KubeConfigOptions; out: {conn} | {proxy: true} | {error: {type, message, status?}}.
import { parentPort } from "node:worker_threads";
import { loadConnection, ClusterConfigError, type KubeConfigOptions } from "./kubeconfig.js";
import { ApiError } from "./client.js";

parentPort!.once("message", async (opts: KubeConfigOptions) => {
  try {
    const { agent, ...conn } = await loadConnection(opts);
    // a proxy agent cannot cross threads: the caller reads the kubeconfig itself then
    parentPort!.postMessage(agent ? { proxy: true } : { conn });
  } catch (e) {
    const type = e instanceof ClusterConfigError ? "config" : e instanceof ApiError ? "api" : "other";
    parentPort!.postMessage({ error: { type, message: (e as Error)?.message ?? String(e), status: (e as ApiError)?.status, transient: (e as ApiError)?.transient, code: (e as ApiError)?.code } });
  }
});
