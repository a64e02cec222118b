// Kubeconfig: which API server to talk to and how to authenticate, as kubectl reads it —
// --kubeconfig, else $KUBECONFIG (several files, first one wins per key), else ~/.kube/config;
// --context, else current-context.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import YAML from "yaml";
import { UserError } from "../../errors.js";

export class ClusterConfigError extends UserError {}

export interface ClusterConnection {
  context: string;
  server: string;
  namespace?: string;
  ca?: Buffer;
  insecure: boolean;
  tlsServerName?: string;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  basicAuth?: string;
}

type Doc = {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
  clusters?: { name: string; cluster?: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
};

export function kubeconfigPaths(explicit?: string, env = process.env): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  return [path.join(os.homedir(), ".kube", "config")];
}

function readDocs(paths: string[]): { doc: Doc; dir: string }[] {
  const out: { doc: Doc; dir: string }[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      if (paths.length > 1 && (e as NodeJS.ErrnoException).code === "ENOENT") continue; // kubectl skips missing files in a list
      throw new ClusterConfigError(`${p}: cannot read kubeconfig (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let doc: unknown;
    try {
      doc = YAML.parse(text);
    } catch (e) {
      throw new ClusterConfigError(`${p}: invalid kubeconfig: ${(e as Error).message.split("\n")[0]}`);
    }
    if (doc && typeof doc === "object") out.push({ doc: doc as Doc, dir: path.dirname(path.resolve(p)) });
  }
  if (out.length === 0) throw new ClusterConfigError(`no kubeconfig found (looked at ${paths.join(", ")}); pass --kubeconfig or set KUBECONFIG`);
  return out;
}

function find<T extends { name: string }>(docs: { doc: Doc; dir: string }[], key: "contexts" | "clusters" | "users", name: string): { item: T; dir: string } | undefined {
  for (const d of docs) {
    const list = (d.doc[key] ?? []) as unknown as T[];
    const item = Array.isArray(list) ? list.find((x) => x && x.name === name) : undefined;
    if (item) return { item, dir: d.dir };
  }
  return undefined;
}

function fileOrData(obj: Record<string, unknown>, fileKey: string, dataKey: string, dir: string, what: string): Buffer | undefined {
  const data = obj[dataKey];
  if (typeof data === "string" && data) return Buffer.from(data, "base64");
  const file = obj[fileKey];
  if (typeof file === "string" && file) {
    const p = path.isAbsolute(file) ? file : path.join(dir, file);
    try {
      return fs.readFileSync(p);
    } catch (e) {
      throw new ClusterConfigError(`cannot read ${what} ${p} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return undefined;
}

export function loadConnection(opts: { kubeconfig?: string; context?: string; env?: NodeJS.ProcessEnv } = {}): ClusterConnection {
  const docs = readDocs(kubeconfigPaths(opts.kubeconfig, opts.env));
  const contextName = opts.context ?? docs.map((d) => d.doc["current-context"]).find((c) => typeof c === "string" && c);
  if (!contextName) throw new ClusterConfigError("no current context in kubeconfig; pass --context");
  const ctx = find<NonNullable<Doc["contexts"]>[number]>(docs, "contexts", contextName);
  if (!ctx) throw new ClusterConfigError(`context "${contextName}" not found in kubeconfig`);
  const clusterName = ctx.item.context?.cluster;
  const cluster = clusterName ? find<NonNullable<Doc["clusters"]>[number]>(docs, "clusters", clusterName) : undefined;
  if (!cluster?.item.cluster) throw new ClusterConfigError(`context "${contextName}" names cluster "${clusterName ?? ""}", which is not in kubeconfig`);
  const c = cluster.item.cluster;
  const server = typeof c.server === "string" ? c.server.replace(/\/+$/, "") : "";
  if (!/^https?:\/\//.test(server)) throw new ClusterConfigError(`cluster "${clusterName}" has no valid server URL`);
  const conn: ClusterConnection = {
    context: contextName,
    server,
    namespace: ctx.item.context?.namespace,
    ca: fileOrData(c, "certificate-authority", "certificate-authority-data", cluster.dir, "certificate authority"),
    insecure: c["insecure-skip-tls-verify"] === true,
    tlsServerName: typeof c["tls-server-name"] === "string" ? c["tls-server-name"] : undefined,
  };
  const userName = ctx.item.context?.user;
  const user = userName ? find<NonNullable<Doc["users"]>[number]>(docs, "users", userName) : undefined;
  const u = user?.item.user ?? {};
  const dir = user?.dir ?? cluster.dir;
  conn.cert = fileOrData(u, "client-certificate", "client-certificate-data", dir, "client certificate");
  conn.key = fileOrData(u, "client-key", "client-key-data", dir, "client key");
  if (typeof u.token === "string" && u.token) conn.token = u.token;
  else if (typeof u.tokenFile === "string") conn.token = fileOrData(u, "tokenFile", "-", dir, "token file")?.toString("utf8").trim();
  if (typeof u.username === "string" && typeof u.password === "string") conn.basicAuth = `${u.username}:${u.password}`;
  if (u.exec && typeof u.exec === "object") Object.assign(conn, runExecPlugin(u.exec as Record<string, unknown>, userName!));
  return conn;
}

/** client.authentication.k8s.io exec credential plugin (run directly, never through a shell). */
function runExecPlugin(exec: Record<string, unknown>, user: string): Partial<ClusterConnection> {
  const command = exec.command;
  if (typeof command !== "string" || !command) throw new ClusterConfigError(`user "${user}": exec plugin has no command`);
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const env = { ...process.env };
  if (Array.isArray(exec.env)) for (const e of exec.env as { name?: string; value?: string }[]) if (e?.name) env[e.name] = String(e.value ?? "");
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1", kind: "ExecCredential", spec: { interactive: false } });
  let out: string;
  try {
    out = execFileSync(command, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  } catch (e) {
    throw new ClusterConfigError(`user "${user}": credential plugin ${command} failed: ${((e as { stderr?: string }).stderr || (e as Error).message).split("\n")[0]}`);
  }
  let cred: { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string } };
  try {
    cred = JSON.parse(out);
  } catch {
    throw new ClusterConfigError(`user "${user}": credential plugin ${command} did not print an ExecCredential`);
  }
  const s = cred.status ?? {};
  return {
    token: s.token,
    cert: s.clientCertificateData ? Buffer.from(s.clientCertificateData) : undefined,
    key: s.clientKeyData ? Buffer.from(s.clientKeyData) : undefined,
  };
}
