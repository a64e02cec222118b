// Kubeconfig: which API server to talk to and how to authenticate, as kubectl reads it —
// --kubeconfig, else $KUBECONFIG (several files, first one wins per name), else ~/.kube/config;
// --context, else current-context. Inside a pod without a kubeconfig (or with inCluster), the
// service account. Parsing, credentials and auth plugins are @kubernetes/client-node's
// KubeConfig; this module picks the files, merges them the way kubectl does, and turns every
// failure into one ClusterConfigError line that names the file or context and never carries a
// credential. client-node is imported lazily: file scans and `version` never load it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import type http from "node:http";
import type https from "node:https";
import type { KubeConfig, Cluster, User, Context } from "@kubernetes/client-node";
import YAML from "yaml";
import { UserError } from "../../errors.js";
import { oneLine, redactUrl, scrub } from "./text.js";

export class ClusterConfigError extends UserError {}

/** How to reach the API server: what our own GET client needs (see client.ts). */
export interface ClusterConnection {
  context: string;
  /** the server URL as shown to users: never with user:password@ */
  server: string;
  namespace?: string;
  ca?: Buffer | string;
  insecure: boolean;
  tlsServerName?: string;
  cert?: Buffer | string;
  key?: Buffer | string;
  /** Authorization (bearer token or basic auth), Impersonate-User, … */
  headers?: Record<string, string>;
  /** client-node's agent when the cluster has a proxy-url; otherwise the client makes its own */
  agent?: http.Agent;
}

export interface KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** use the pod's service account (KUBERNETES_SERVICE_HOST/PORT and its token and CA files) */
  inCluster?: boolean;
  /** KUBECONFIG and KUBERNETES_SERVICE_HOST are read from here (tests); default process.env */
  env?: NodeJS.ProcessEnv;
  /** tests: a directory standing in for / when reading /var/run/secrets/kubernetes.io/serviceaccount */
  serviceAccountRoot?: string;
  /** how long an exec credential plugin may run (default 30 s) */
  execTimeoutMs?: number;
}

type ClientNode = typeof import("@kubernetes/client-node");
let clientNode: Promise<ClientNode> | undefined;
/** client-node costs ~0.6 s and ~75 MB to load: only the cluster path pays for it. */
export function loadClientNode(): Promise<ClientNode> {
  return (clientNode ??= import("@kubernetes/client-node"));
}

export function kubeconfigPaths(explicit?: string, env = process.env): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  return [path.join(env.HOME || os.homedir(), ".kube", "config")];
}

const IN_CLUSTER_SA = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Whether to use the service account: asked for, or in a pod with no kubeconfig to read. */
function wantsInCluster(opts: KubeConfigOptions, env: NodeJS.ProcessEnv, paths: string[]): boolean {
  if (opts.inCluster) return true;
  if (opts.kubeconfig || env.KUBECONFIG || !env.KUBERNETES_SERVICE_HOST) return false;
  return !fs.existsSync(paths[0]);
}

/**
 * client-node's KubeConfig for these options, with the context selected and checked (it exists,
 * names a cluster that exists, whose server is an http(s) URL). For the operator and our client.
 */
export async function loadKubeConfig(opts: KubeConfigOptions = {}): Promise<KubeConfig> {
  const env = opts.env ?? process.env;
  const paths = kubeconfigPaths(opts.kubeconfig, env);
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  if (wantsInCluster(opts, env, paths)) {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!host || !port) throw new ClusterConfigError("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?); pass --kubeconfig");
    const prefix = opts.serviceAccountRoot ?? "";
    // loadFromCluster reads process.env: hand it the environment we were given
    withEnv({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port }, () => kc.loadFromCluster(prefix));
    const token = path.join(prefix, IN_CLUSTER_SA, "token");
    if (!fs.existsSync(token)) throw new ClusterConfigError(`in-cluster config: no service account token at ${token}; pass --kubeconfig`);
    const ctx = kc.getContextObject(kc.getCurrentContext());
    if (ctx?.namespace) (ctx as { namespace?: string }).namespace = ctx.namespace.trim();
    return kc;
  }
  const loaded = readFiles(k8s, paths);
  kc.loadFromOptions(loaded.merged);
  const contextName = opts.context ?? loaded.merged.currentContext;
  const invalid = loaded.invalid ? ` (kubeconfig has entries client-node could not read: ${loaded.invalid})` : "";
  if (!contextName) throw new ClusterConfigError(`no current context in kubeconfig; pass --context${invalid}`);
  const ctx = kc.getContextObject(contextName);
  if (!ctx) throw new ClusterConfigError(`context "${contextName}" not found in kubeconfig${invalid}`);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) throw new ClusterConfigError(`context "${contextName}" names cluster "${ctx.cluster ?? ""}", which is not in kubeconfig${invalid}`);
  if (!/^https?:\/\/[^/]/.test(cluster.server)) throw new ClusterConfigError(`cluster "${cluster.name}" has no valid server URL`);
  kc.setCurrentContext(contextName);
  return kc;
}

function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

interface Merged {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

/** Each file through client-node's parser, merged as kubectl merges: first file wins per name. */
function readFiles(k8s: ClientNode, paths: string[]): { merged: Merged; invalid?: string } {
  const merged: Merged = { clusters: [], users: [], contexts: [], currentContext: "" };
  let invalid: string | undefined;
  let found = 0;
  for (const p of paths) {
    let text: string;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      if (paths.length > 1 && (e as NodeJS.ErrnoException).code === "ENOENT") continue; // kubectl skips missing files in a list
      throw new ClusterConfigError(`${p}: cannot read kubeconfig (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    found++;
    if (!text.trim()) continue;
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromString(text);
    } catch (e) {
      if ((e as Error).name === "YAMLException") throw new ClusterConfigError(`${p}: invalid kubeconfig: ${oneLine((e as Error).message.split("\n")[0])}`);
      // an entry client-node cannot use (a cluster without server, …): kubectl ignores the
      // entries it does not need, so read the rest and name the reason only if it matters
      invalid ??= `${p}: ${oneLine(errorText(e))}`;
      try {
        kc.loadFromString(text, { onInvalidEntry: "filter" });
      } catch (e2) {
        throw new ClusterConfigError(`${p}: invalid kubeconfig: ${oneLine(errorText(e2))}`);
      }
    }
    const dir = path.dirname(path.resolve(p));
    kc.makePathsAbsolute(dir);
    applyTokenFiles(kc, text, dir);
    const add = <T extends { name: string }>(into: T[], items: T[] | undefined) => {
      for (const item of items ?? []) if (!into.some((x) => x.name === item.name)) into.push(item);
    };
    add(merged.clusters, kc.getClusters());
    add(merged.users, kc.getUsers());
    add(merged.contexts, kc.getContexts());
    merged.currentContext ||= kc.getCurrentContext() ?? "";
  }
  if (found === 0) throw new ClusterConfigError(`no kubeconfig found (looked at ${paths.join(", ")}); pass --kubeconfig or set KUBECONFIG`);
  return { merged, invalid };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * kubectl's `tokenFile` user field (client-node reads only `token-file`): hand it to client-node's
 * tokenFile auth provider, which reads the file per request and re-reads it after a minute.
 */
function applyTokenFiles(kc: KubeConfig, text: string, dir: string): void {
  if (!text.includes("tokenFile")) return;
  let doc: { users?: { name?: unknown; user?: { tokenFile?: unknown } }[] };
  try {
    doc = YAML.parse(text);
  } catch {
    return;
  }
  if (!Array.isArray(doc?.users)) return;
  for (const u of doc.users) {
    const file = u?.user?.tokenFile;
    if (typeof file !== "string" || !file) continue;
    const user = kc.getUsers().find((x) => x.name === u.name) as { token?: string; authProvider?: unknown; exec?: unknown } | undefined;
    if (!user || user.token || user.authProvider || user.exec) continue;
    user.authProvider = { name: "tokenFile", config: { tokenFile: path.isAbsolute(file) ? file : path.join(dir, file) } };
  }
}

/** The TLS material and headers of the selected context, from client-node, for our own GET client. */
export async function connectionOf(kc: KubeConfig, opts: Pick<KubeConfigOptions, "execTimeoutMs"> = {}): Promise<ClusterConnection> {
  const contextName = kc.getCurrentContext();
  const ctx = kc.getContextObject(contextName);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterConfigError(`context "${contextName}" has no cluster`);
  if (!URL.canParse(cluster.server) || !/^https?:\/\/[^/]/.test(cluster.server)) throw new ClusterConfigError(`cluster "${cluster.name}" has no valid server URL`);
  const user = kc.getCurrentUser();
  const plugin = hookExecPlugin(kc, opts.execTimeoutMs ?? 30_000);
  const o: https.RequestOptions = {};
  // client-node refuses to make an agent for plain http unless TLS checks are off, which mean
  // nothing for http: give it a view of the cluster that says so (kubectl talks http fine)
  const view = cluster.server.startsWith("http:") && !cluster.skipTLSVerify ? withCluster(kc, { ...cluster, skipTLSVerify: true }) : kc;
  try {
    await view.applyToHTTPSOptions(o);
  } catch (e) {
    throw credentialError(e, contextName, cluster, user, plugin.run);
  }
  const headers: Record<string, string> = {};
  // trimmed: client-node's token-file reader keeps the file's final newline, which is no valid header
  for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k] = (Array.isArray(v) ? v.join(", ") : String(v)).trim();
  if (typeof o.auth === "string" && o.auth && !headers.Authorization) headers.Authorization = `Basic ${Buffer.from(o.auth).toString("base64")}`;
  // user:password@ in the server URL: basic auth, as Go's client (kubectl) sends it
  const url = new URL(cluster.server);
  if ((url.username || url.password) && !headers.Authorization) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  }
  return {
    context: contextName,
    server: redactUrl(cluster.server),
    namespace: ctx?.namespace,
    ca: o.ca as Buffer | undefined,
    cert: o.cert as Buffer | undefined,
    key: o.key as Buffer | undefined,
    insecure: cluster.skipTLSVerify === true,
    tlsServerName: cluster.tlsServerName,
    headers,
    agent: cluster.proxyUrl ? (o.agent as http.Agent) : undefined,
  };
}

/** Kubeconfig + context + credentials: everything the cluster source needs to connect. */
export async function loadConnection(opts: KubeConfigOptions = {}): Promise<ClusterConnection> {
  return connectionOf(await loadKubeConfig(opts), opts);
}

function withCluster(kc: KubeConfig, cluster: Cluster): KubeConfig {
  const view = Object.create(Object.getPrototypeOf(kc)) as KubeConfig;
  Object.assign(view, kc);
  view.loadFromOptions({ clusters: kc.getClusters().map((c) => (c.name === cluster.name ? cluster : c)), users: kc.getUsers(), contexts: kc.getContexts(), currentContext: kc.getCurrentContext() });
  return view;
}

interface PluginRun {
  command: string;
  words: string[];
  code?: number | null;
  signal?: NodeJS.Signals | null;
  stderr: string;
  error?: NodeJS.ErrnoException;
  timedOut?: boolean;
}

/**
 * client-node runs exec credential plugins itself (spawn, no shell) but without a deadline, with
 * stdin open, without KUBERNETES_EXEC_INFO, and reports only stderr. Its ExecAuth keeps the spawn
 * function in a field: put ours there to add those and to learn the exit status. If a later
 * client-node moves it, plugins still run, with client-node's behaviour and our generic message.
 */
function hookExecPlugin(kc: KubeConfig, timeoutMs: number): { run?: PluginRun } {
  const state: { run?: PluginRun } = {};
  // (a view made by withCluster shares this authenticator list, so hooking kc covers it)
  const authenticators = (kc as unknown as { authenticators?: { execFn?: unknown }[] }).authenticators;
  const execAuth = Array.isArray(authenticators) ? authenticators.find((a) => a && typeof a.execFn === "function") : undefined;
  if (!execAuth) return state;
  execAuth.execFn = (command: string, args: string[] | undefined, options: SpawnOptions = {}): ChildProcess => {
    const exec = (kc.getCurrentUser()?.exec ?? {}) as { apiVersion?: string; env?: { name?: string; value?: string }[] };
    const words = [...(args ?? []), ...(exec.env ?? []).map((e) => String(e?.value ?? ""))];
    const run: PluginRun = { command, words, stderr: "" };
    state.run = run;
    const env = {
      ...(options.env ?? process.env),
      KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1", kind: "ExecCredential", spec: { interactive: false } }),
    };
    const child = spawn(command, args ?? [], { ...options, env, stdio: ["ignore", "pipe", "pipe"], shell: false });
    const timer = setTimeout(() => {
      run.timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stderr?.on("data", (d) => {
      if (run.stderr.length < 4096) run.stderr += String(d);
    });
    child.on("error", (e) => {
      run.error = e;
      clearTimeout(timer);
    });
    child.on("exit", (code, signal) => {
      run.code = code;
      run.signal = signal;
      clearTimeout(timer);
    });
    return child;
  };
  return state;
}

function credentialError(e: unknown, context: string, cluster: Cluster, user: User | null, run: PluginRun | undefined): ClusterConfigError {
  const who = user ? `user "${user.name}"` : `context "${context}"`;
  const exec = user?.exec as { command?: unknown } | undefined;
  if (exec) {
    const command = typeof exec.command === "string" && exec.command ? exec.command : "";
    if (!command) return new ClusterConfigError(`${who}: exec credential plugin has no command`);
    if (run?.error) return new ClusterConfigError(`${who}: credential plugin ${command} could not be started (${run.error.code ?? "error"})`);
    if (run?.timedOut) return new ClusterConfigError(`${who}: credential plugin ${command} did not finish within its deadline`);
    if (run && run.code !== 0) {
      const first = run.stderr.split("\n").find((l) => l.trim()) ?? "";
      const line = first ? `: ${oneLine(scrub(first, run.words), 160)}` : "";
      return new ClusterConfigError(`${who}: credential plugin ${command} failed (${run.code === null ? `signal ${run.signal}` : `exit ${run.code}`})${line}`);
    }
    if (run) return new ClusterConfigError(`${who}: credential plugin ${command} did not print an ExecCredential`);
    return new ClusterConfigError(`${who}: credential plugin ${command} failed`);
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code && err.path) {
    const u = (user ?? {}) as { certFile?: string; keyFile?: string; authProvider?: { config?: { tokenFile?: string } } };
    const what =
      err.path === cluster.caFile
        ? "certificate authority"
        : err.path === u.certFile
          ? "client certificate"
          : err.path === u.keyFile
            ? "client key"
            : err.path === u.authProvider?.config?.tokenFile
              ? "token file"
              : "file";
    return new ClusterConfigError(`${who}: cannot read ${what} ${err.path} (${err.code})`);
  }
  return new ClusterConfigError(`${who}: cannot use the credentials: ${oneLine(scrub(errorText(e)))}`);
}
