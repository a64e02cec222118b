// Bounds and credential hygiene of the cluster source. The faults here (a server trickling one
// byte a second, a 5 MB body, a continue token repeated forever, `items: "x"`) are ones a real
// API server does not produce on demand, so a plain node:http server on 127.0.0.1 plays the
// server; everything an API server does produce is tested against a real one (test/integration).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import net from "node:net";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { describe, expect, it, afterAll, beforeAll } from "vitest";
import { KubeClient, ApiError } from "../src/core/sources/cluster/client.js";
import { loadConnection, loadClientNode, ClusterConfigError } from "../src/core/sources/cluster/kubeconfig.js";
import { readCluster } from "../src/core/sources/cluster/index.js";
import { oneLine, redactUrl, scrub } from "../src/core/sources/cluster/text.js";
import { runCli, repoRoot } from "./support/cli.js";
import { freePort } from "./support/net.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-bounds-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// the bounds below are about the client, not about loading client-node (~0.6 s, once per process)
beforeAll(async () => void (await loadClientNode()));

interface Fake {
  port: number;
  url: string;
  hits: { url: string; auth?: string }[];
  close: () => Promise<void>;
}

async function fake(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, port = 0): Promise<Fake> {
  const hits: Fake["hits"] = [];
  const server = http.createServer((req, res) => {
    hits.push({ url: req.url ?? "", auth: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const p = (server.address() as net.AddressInfo).port;
  return {
    port: p,
    url: `http://127.0.0.1:${p}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A fake API server that serves ConfigMaps only (legacy discovery); `list` answers the LISTs. */
function apiServer(list: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  return fake((req, res) => {
    const json = (v: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(v));
    const p = new URL(req.url!, "http://x").pathname;
    if (p === "/version") return json({ gitVersion: "v1.99.0-fake" });
    if (p === "/api") return json({ kind: "APIVersions", versions: ["v1"] });
    if (p === "/apis") return json({ kind: "APIGroupList", groups: [] });
    if (p === "/api/v1") return json({ kind: "APIResourceList", resources: [{ name: "configmaps", kind: "ConfigMap", namespaced: true, verbs: ["list"] }] });
    if (p === "/api/v1/configmaps") return list(req, res);
    res.writeHead(404).end("{}");
  });
}

let n = 0;
function kubeconfig(server: string, user = "{token: t0k3n}"): string {
  const file = path.join(dir, `kc-${n++}`);
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: k, cluster: {server: "${server}"}}]\nusers: [{name: u, user: ${user}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n`,
  );
  return file;
}

const cm = (name: string) => ({ metadata: { name, namespace: "ns" }, data: { a: "b" } });

describe("an unreachable API server", () => {
  it("connection refused on the first request fails at once, without the retry loop", async () => {
    const port = await freePort();
    const retries: number[] = [];
    const t0 = performance.now();
    const err = await readCluster({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`), kinds: new Set(["ConfigMap"]), onRetry: (i) => retries.push(i.attempt) }).catch((e) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/connection refused — is the API server running\?/);
    expect(err.transient).toBe(true); // serve-metrics and the operator try again later
    expect(retries).toEqual([]);
    expect(ms).toBeLessThan(2000);
  });

  it("a connection dropped after the server answered (a restart) keeps its retries", async () => {
    const ok = (n: number) => (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n }));
    const first = await fake(ok(1));
    const retries: string[] = [];
    const client = new KubeClient({ context: "t", server: first.url, insecure: false }, { backoffMs: 100, attempts: 6, onRetry: (i) => retries.push(i.reason) });
    expect(await client.get("/a")).toEqual({ n: 1 });
    await first.close(); // the server goes away (its sockets too) and comes back on the same port
    let second: Fake | undefined;
    setTimeout(() => void fake(ok(2), first.port).then((f) => (second = f)), 400);
    expect(await client.get("/b")).toEqual({ n: 2 });
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatch(/connection refused|connection lost/);
    client.close();
    await second?.close();
  });
});

describe("per-request bounds", () => {
  it("a body trickling one byte a second hits the request deadline (the idle timer alone would never fire)", async () => {
    const srv = await fake((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const t = setInterval(() => res.write(" "), 1000);
      res.on("close", () => clearInterval(t));
    });
    const client = new KubeClient({ context: "t", server: srv.url, insecure: false }, { requestTimeoutMs: 2500, idleTimeoutMs: 5000, attempts: 3, backoffMs: 10 });
    const t0 = performance.now();
    const err = await client.get("/slow").catch((e) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(`${srv.url}: /slow did not complete within 2500 ms (request deadline)`);
    expect(ms).toBeGreaterThan(2000);
    expect(ms).toBeLessThan(4500); // not retried: a deadline already spent its time
    expect(srv.hits).toHaveLength(1);
    client.close();
    await srv.close();
  });

  it("a server that never sends headers hits the header deadline", async () => {
    const srv = await fake(() => undefined);
    const client = new KubeClient({ context: "t", server: srv.url, insecure: false }, { headerTimeoutMs: 300, attempts: 1 });
    await expect(client.get("/silent")).rejects.toThrow(/no response to \/silent within 300 ms/);
    client.close();
    await srv.close();
  });

  it("a body over the byte cap stops the read with one line, declared or streamed", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, "a");
    const srv = await fake((req, res) => {
      if (req.url === "/declared") return res.writeHead(200, { "content-length": big.length + 2 }).end(`"${big}"`);
      res.writeHead(200, { "content-type": "application/json" }); // chunked, no length
      res.write('"');
      let sent = 0;
      const push = () => {
        while (sent < 64 && res.write(big.subarray(0, 64 * 1024))) sent++;
        if (sent < 64) res.once("drain", push);
        else res.end('"');
      };
      push();
    });
    const client = new KubeClient({ context: "t", server: srv.url, insecure: false }, { maxResponseBytes: 1024 * 1024, attempts: 3 });
    for (const p of ["/declared", "/streamed"]) {
      const err = await client.get(p).catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.message).toBe(`${srv.url}: response to ${p} is larger than 1 MiB; stopped reading`);
      expect(err.transient).toBe(false);
    }
    expect(srv.hits).toHaveLength(2); // no retries
    client.close();
    await srv.close();
  });

  it("a 5 MB error body becomes one short line with control characters escaped", async () => {
    const srv = await fake((req, res) => {
      const junk = "\u001b[31mboom\r\nsecond line\t" + "x".repeat(5 * 1024 * 1024);
      if (req.url === "/json") return res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", message: junk }));
      res.writeHead(500, { "content-type": "text/plain" }).end(junk);
    });
    const client = new KubeClient({ context: "t", server: srv.url, insecure: false }, { attempts: 1 });
    for (const p of ["/text", "/json"]) {
      const err = await client.get(p).catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.status).toBe(500);
      expect(err.message).not.toMatch(/[\u0000-\u001f]/);
      expect(err.message.length).toBeLessThan(260);
      expect(err.message).toMatch(new RegExp(`^${p}: 500 `));
    }
    // the text body has its escape sequence shown, not sent to the terminal
    expect((await client.get("/text").catch((e) => e)).message).toContain("\\x1b[31mboom second line");
    client.close();
    await srv.close();
  });
});

describe("LIST bounds and wrong API types", () => {
  it("a continue token the server repeats is detected: that kind fails with the reason, no endless loop", async () => {
    const srv = await apiServer((_req, res) => res.writeHead(200).end(JSON.stringify({ kind: "ConfigMapList", metadata: { continue: "same-token" }, items: [cm("a")] })));
    const r = await readCluster({ kubeconfig: kubeconfig(srv.url), kinds: new Set(["ConfigMap"]) });
    expect(r.info.unavailable.ConfigMap).toBe("could not list configmaps: /api/v1/configmaps: the server sent the same continue token twice (page 2); stopped listing");
    expect(r.objects).toHaveLength(0); // never a silently short list
    expect(srv.hits.filter((h) => h.url.startsWith("/api/v1/configmaps"))).toHaveLength(2);
    await srv.close();
  });

  it("a LIST that never ends stops at the page limit", async () => {
    let i = 0;
    const srv = await apiServer((_req, res) => res.writeHead(200).end(JSON.stringify({ metadata: { continue: `t${i++}` }, items: [cm(`c${i}`)] })));
    const r = await readCluster({ kubeconfig: kubeconfig(srv.url), kinds: new Set(["ConfigMap"]), maxPages: 5 });
    expect(r.info.unavailable.ConfigMap).toMatch(/more than 5 pages; stopped listing$/);
    expect(i).toBe(5);
    await srv.close();
  });

  it.each([
    [{ items: "x" }, '"items" is a string, not an array'],
    [{ items: [cm("a"), 7] }, "items[1] is a number, not an object"],
    [{ items: [{ metadata: "x" }] }, "items[0].metadata is a string, not an object"],
    [{ items: [{ kind: "ConfigMap" }] }, "items[0].metadata is missing, not an object"],
    [[1, 2], "the response is not a list object"],
    [{ items: [], metadata: { continue: 5 } }, "metadata.continue is a number, not a string"],
  ])("wrong types %j → one line for that kind, not a TypeError", async (body, reason) => {
    const srv = await apiServer((_req, res) => res.writeHead(200).end(JSON.stringify(body)));
    const r = await readCluster({ kubeconfig: kubeconfig(srv.url), kinds: new Set(["ConfigMap"]) });
    expect(r.info.unavailable).toEqual({ ConfigMap: `could not list configmaps: /api/v1/configmaps: ${reason}` });
    await srv.close();
  });

  it("odd discovery and version documents are skipped, not a crash", async () => {
    const srv = await fake((req, res) => {
      const p = new URL(req.url!, "http://x").pathname;
      const body =
        p === "/version"
          ? "null"
          : p === "/api"
            ? '{"kind":"APIVersions"}'
            : p === "/apis"
              ? '{"groups":[{"preferredVersion":{"groupVersion":7}},"x"]}'
              : p === "/api/v1"
                ? '{"resources":"nope"}'
                : "{}";
      res.writeHead(200).end(body);
    });
    const r = await readCluster({ kubeconfig: kubeconfig(srv.url), kinds: new Set(["ConfigMap"]) });
    expect(r.info.version).toBe("");
    expect(r.objects).toEqual([]);
    await srv.close();
  });
});

describe("credentials stay out of messages and reports", () => {
  it("user:password@ in the server URL: sent as basic auth (as kubectl does), never shown", async () => {
    const srv = await apiServer((_req, res) => res.writeHead(200).end(JSON.stringify({ items: [cm("a")] })));
    const server = `http://admin:hunter2pass@127.0.0.1:${srv.port}`;
    const r = await readCluster({ kubeconfig: kubeconfig(server, "{}"), kinds: new Set(["ConfigMap"]) });
    expect(r.info.server).toBe(srv.url);
    expect(r.info.counts.ConfigMap).toBe(1);
    expect(JSON.stringify(r)).not.toContain("hunter2pass");
    expect(srv.hits[0].auth).toBe(`Basic ${Buffer.from("admin:hunter2pass").toString("base64")}`);
    await srv.close();
    const down = await readCluster({ kubeconfig: kubeconfig(server, "{}"), kinds: new Set(["ConfigMap"]) }).catch((e) => e);
    expect(down.message).toMatch(/connection refused/);
    expect(down.message).not.toContain("hunter2pass");
    // the CLI's one line too
    const cli = runCli(["scan", "--kubeconfig", kubeconfig(server, "{}")]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`http://127.0.0.1:${srv.port}: connection refused`);
    expect(cli.stdout + cli.stderr).not.toContain("hunter2pass");
  });

  it("a failing exec credential plugin: its exit status, never its arguments or their secrets", async () => {
    const script = "console.error('login failed: --password ' + process.argv.at(-1) + ' rejected'); process.exit(3)";
    const user = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: "${process.execPath}", args: ["-e", "${script}", "--", "--password", "secret123"]}}`;
    const err = await loadConnection({ kubeconfig: kubeconfig("https://127.0.0.1:1", user) }).catch((e) => e);
    expect(err).toBeInstanceOf(ClusterConfigError);
    expect(err.message).toMatch(/^user "u": credential plugin .+ failed \(exit 3\)/);
    expect(err.message).not.toContain("secret123");
    expect(err.message).not.toContain("process.exit");
    const cli = runCli(["scan", "--kubeconfig", kubeconfig("https://127.0.0.1:1", user)]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/credential plugin .+ failed \(exit 3\)/);
    expect(cli.stdout + cli.stderr).not.toContain("secret123");
  });

  it("an exec plugin that hangs is stopped at its deadline; one that cannot start is named", async () => {
    const hang = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: "${process.execPath}", args: ["-e", "setTimeout(() => {}, 60000)"]}}`;
    const t0 = performance.now();
    await expect(loadConnection({ kubeconfig: kubeconfig("https://127.0.0.1:1", hang), execTimeoutMs: 300 })).rejects.toThrow(/credential plugin .+ did not finish within its deadline/);
    expect(performance.now() - t0).toBeLessThan(5000);
    const missing = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: /nonexistent/kubelogin, args: ["--token", "abc"]}}`;
    await expect(loadConnection({ kubeconfig: kubeconfig("https://127.0.0.1:1", missing) })).rejects.toThrow('user "u": credential plugin /nonexistent/kubelogin could not be started (ENOENT)');
  });

  it("scrub and redactUrl", () => {
    expect(redactUrl("https://a:b@h:6443")).toBe("https://h:6443");
    expect(redactUrl("https://h:6443/")).toBe("https://h:6443/");
    expect(redactUrl("https://u@h/k8s/clusters/c-1")).toBe("https://h/k8s/clusters/c-1");
    expect(scrub("error: --password hunter2 and token=abc, Bearer xyz; client_secret: s3cr3t", ["zzz"])).toBe("error: --password *** and token=***, Bearer ***; client_secret: ***");
    expect(scrub("arg leaked: mysecretvalue", ["mysecretvalue"])).toBe("arg leaked: ***");
    expect(oneLine("a\nb\u0007", 10)).toBe("a b\\x07");
  });
});

describe("kubeconfig through client-node", () => {
  it("tokenFile (relative, with a final newline), basic auth and an impersonated user", async () => {
    fs.writeFileSync(path.join(dir, "tok"), "file-token\n");
    expect((await loadConnection({ kubeconfig: kubeconfig("https://h:1", "{tokenFile: tok}") })).headers?.Authorization).toBe("Bearer file-token");
    expect((await loadConnection({ kubeconfig: kubeconfig("https://h:1", "{username: bob, password: pw}") })).headers?.Authorization).toBe(`Basic ${Buffer.from("bob:pw").toString("base64")}`);
    expect((await loadConnection({ kubeconfig: kubeconfig("https://h:1", "{token: t, as: alice}") })).headers).toMatchObject({ Authorization: "Bearer t", "Impersonate-User": "alice" });
    await expect(loadConnection({ kubeconfig: kubeconfig("https://h:1", "{tokenFile: missing-tok}") })).rejects.toThrow(/^user "u": cannot read token file .*missing-tok \(ENOENT\)$/);
  });

  it("a missing CA file and an invalid entry elsewhere in the file", async () => {
    const file = path.join(dir, "ca-missing");
    fs.writeFileSync(
      file,
      `current-context: c\nclusters: [{name: k, cluster: {server: "https://h:1", certificate-authority: nope.crt}}, {name: junk, cluster: {}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n`,
    );
    await expect(loadConnection({ kubeconfig: file })).rejects.toThrow(`user "u": cannot read certificate authority ${path.join(dir, "nope.crt")} (ENOENT)`);
    await expect(loadConnection({ kubeconfig: file, context: "other" })).rejects.toThrow(
      /context "other" not found in kubeconfig \(kubeconfig has entries client-node could not read: .*clusters\[1\]\.cluster\.server is missing\)/,
    );
    fs.writeFileSync(file, "clusters: [\n");
    await expect(loadConnection({ kubeconfig: file })).rejects.toThrow(new RegExp(`^${file}: invalid kubeconfig: `));
  });

  it("in a pod: the service account (explicitly, or when there is no kubeconfig)", async () => {
    const root = path.join(dir, "pod");
    const sa = path.join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, "token"), "sa-token");
    fs.writeFileSync(path.join(sa, "ca.crt"), "SACA");
    fs.writeFileSync(path.join(sa, "namespace"), "team-x\n");
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443", HOME: path.join(dir, "empty-home") };
    for (const opts of [{ inCluster: true }, {}]) {
      const c = await loadConnection({ ...opts, env, serviceAccountRoot: root });
      expect(c).toMatchObject({ server: "https://10.0.0.1:443", namespace: "team-x", headers: { Authorization: "Bearer sa-token" } });
      expect(c.ca?.toString()).toBe("SACA");
    }
    // a kubeconfig present wins over the service account
    const home = path.join(dir, "home");
    fs.mkdirSync(path.join(home, ".kube"), { recursive: true });
    fs.copyFileSync(kubeconfig("https://from-kubeconfig:6443"), path.join(home, ".kube", "config"));
    await expect(loadConnection({ env: { ...env, HOME: home }, serviceAccountRoot: root })).resolves.toMatchObject({ server: "https://from-kubeconfig:6443", context: "c" });
    await expect(loadConnection({ inCluster: true, env: { ...env, KUBERNETES_SERVICE_HOST: "bad host" }, serviceAccountRoot: root })).rejects.toThrow('cluster "inCluster" has no valid server URL');
    await expect(loadConnection({ inCluster: true, env: {} })).rejects.toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/);
    await expect(loadConnection({ inCluster: true, env, serviceAccountRoot: path.join(dir, "no-pod") })).rejects.toThrow(/no service account token at/);
  });
});

describe("client-node is loaded only for cluster scans", () => {
  // An ESM resolve hook that refuses @kubernetes/client-node: a command that loads it, even
  // lazily, fails; one that never loads it runs as usual.
  const hooks = path.join(dir, "hooks.mjs");
  const register = path.join(dir, "register.mjs");
  fs.writeFileSync(
    hooks,
    `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes("/@kubernetes/client-node/")) throw new Error("KS-TEST: client-node loaded"); return r; }\n`,
  );
  fs.writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = (args: string[]) => spawnSync(process.execPath, ["--import", pathToFileURL(register).href, ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

  it("the hook works: importing client-node, or a cluster scan, fails under it", () => {
    const direct = run(["-e", "import('@kubernetes/client-node').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(7); })"]);
    expect(direct.status).toBe(7);
    expect(direct.stderr).toContain("KS-TEST: client-node loaded");
    const cluster = run([path.join(repoRoot, "bin", "run.js"), "scan", "--kubeconfig", kubeconfig("https://127.0.0.1:1")]);
    expect(cluster.status).not.toBe(0);
    expect(cluster.stderr).toContain("KS-TEST: client-node loaded");
  });

  it("version and a file scan never load it", () => {
    const version = run([path.join(repoRoot, "bin", "run.js"), "version"]);
    expect(version.stderr).not.toContain("KS-TEST");
    expect(version.status, version.stderr).toBe(0);
    const scan = run([path.join(repoRoot, "bin", "run.js"), "scan", "examples/risky/log-agent.yaml", "--format", "json"]);
    expect(scan.stderr).not.toContain("KS-TEST");
    expect(JSON.parse(scan.stdout).target.kind).not.toBe("cluster");
  });
});
