// The connection to the API server, read in a short-lived worker thread where that is
// possible, so client-node is loaded there and freed with it (a 20,000-object cluster scan
// peaks about 50 MB lower). The bundled CLI and the single executable have no worker file to
// start, and a proxy agent cannot cross threads: there the kubeconfig is read here.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ApiError } from "./client.js";
import { ClusterConfigError, loadConnection, type ClusterConnection, type KubeConfigOptions } from "./kubeconfig.js";

type Reply = { conn: Omit<ClusterConnection, "agent"> } | { proxy: true } | { error: { type: string; message: string; status?: number; transient?: boolean; code?: string } };

const bytes = (v: Buffer | string | Uint8Array | undefined) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v);

export async function connect(opts: KubeConfigOptions): Promise<ClusterConnection> {
  const url = new URL("./config-worker.js", import.meta.url);
  if (url.protocol !== "file:" || !fs.existsSync(fileURLToPath(url))) return loadConnection(opts);
  const worker = new Worker(url);
  let reply: Reply;
  try {
    reply = await new Promise<Reply>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the kubeconfig worker stopped (exit code ${code})`)));
      worker.postMessage({ ...opts, env: opts.env ?? process.env });
    });
  } finally {
    void worker.terminate();
  }
  if ("proxy" in reply) return loadConnection(opts);
  if ("error" in reply) {
    const { type, message, status, transient, code } = reply.error;
    if (type === "config") throw new ClusterConfigError(message);
    if (type === "api") throw new ApiError(message, status, undefined, { transient, code });
    throw new Error(message);
  }
  const c = reply.conn;
  return { ...c, ca: bytes(c.ca), cert: bytes(c.cert), key: bytes(c.key) };
}
