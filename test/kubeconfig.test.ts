import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { describe, expect, it, afterAll } from "vitest";
import { loadConnection, kubeconfigPaths } from "../src/core/sources/cluster/kubeconfig.js";
import { KubeClient } from "../src/core/sources/cluster/client.js";
import { clean } from "../src/core/sources/cluster/index.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-kc-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};

const kc = `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev-cluster
    cluster: {server: "https://127.0.0.1:6443/", certificate-authority: ca.crt}
  - name: prod-cluster
    cluster: {server: "https://prod.example:443", certificate-authority-data: ${Buffer.from("PRODCA").toString("base64")}, tls-server-name: api.prod}
users:
  - name: dev-user
    user: {client-certificate: dev.crt, client-key: dev.key}
  - name: prod-user
    user: {token: abc123}
  - name: exec-user
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ${process.execPath}
        args: ["-e", "console.log(JSON.stringify({kind: 'ExecCredential', status: {token: 'from-plugin-' + process.env.EXTRA}}))"]
        env: [{name: EXTRA, value: "x1"}]
contexts:
  - name: dev
    context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
  - name: prod
    context: {cluster: prod-cluster, user: prod-user}
  - name: plugin
    context: {cluster: prod-cluster, user: exec-user}
  - name: broken
    context: {cluster: nowhere, user: dev-user}
`;

describe("kubeconfig", () => {
  write("ca.crt", "DEVCA");
  write("dev.crt", "DEVCERT");
  write("dev.key", "DEVKEY");
  const file = write("config", kc);

  it("reads the current context, with files relative to the kubeconfig", async () => {
    const c = await loadConnection({ kubeconfig: file });
    expect(c).toMatchObject({ context: "dev", server: "https://127.0.0.1:6443", namespace: "team-a", insecure: false });
    expect(c.ca?.toString()).toBe("DEVCA");
    expect(c.cert?.toString()).toBe("DEVCERT");
    expect(c.key?.toString()).toBe("DEVKEY");
  });

  it("--context picks another context; inline data and tokens work", async () => {
    const c = await loadConnection({ kubeconfig: file, context: "prod" });
    expect(c.ca?.toString()).toBe("PRODCA");
    expect(c.headers?.Authorization).toBe("Bearer abc123");
    expect(c.tlsServerName).toBe("api.prod");
  });

  it("runs exec credential plugins without a shell", async () => {
    expect((await loadConnection({ kubeconfig: file, context: "plugin" })).headers?.Authorization).toBe("Bearer from-plugin-x1");
  });

  it("KUBECONFIG may list several files; missing ones are skipped", async () => {
    const other = write("other", "apiVersion: v1\nkind: Config\ncontexts: []\n");
    const env = { KUBECONFIG: [path.join(dir, "missing"), other, file].join(path.delimiter) };
    expect(kubeconfigPaths(undefined, env)).toHaveLength(3);
    expect((await loadConnection({ env })).context).toBe("dev");
  });

  it("one clear error for an unknown context, a missing cluster, or no file", async () => {
    await expect(loadConnection({ kubeconfig: file, context: "nope" })).rejects.toThrow('context "nope" not found in kubeconfig');
    await expect(loadConnection({ kubeconfig: file, context: "broken" })).rejects.toThrow(/names cluster "nowhere"/);
    await expect(loadConnection({ kubeconfig: path.join(dir, "none") })).rejects.toThrow(/cannot read kubeconfig \(ENOENT\)/);
  });
});

describe("secrets from the cluster", () => {
  it("keep their keys but never their values", () => {
    const s = clean(
      {
        metadata: { name: "db", namespace: "x", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"aHVudGVyMg=="}}', keep: "me" }, managedFields: [{}] },
        data: { password: "aHVudGVyMg==" },
        stringData: { token: "t0k" },
      },
      "v1",
      "Secret",
    );
    expect(s).toMatchObject({ apiVersion: "v1", kind: "Secret", data: { password: "" }, stringData: { token: "" } });
    expect(JSON.stringify(s)).not.toMatch(/aHVudGVyMg|t0k/);
    expect(s.metadata).toEqual({ name: "db", namespace: "x", annotations: { keep: "me" } });
  });
});

describe("API client retries", () => {
  // A plain HTTP endpoint that answers 429 then 503 then 200: this exercises the client's
  // backoff, not API server behaviour (which the cluster tier tests against a real server).
  it("retries 429 and 5xx with backoff, honours Retry-After, and gives up after the bound", async () => {
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits++;
      if (req.url === "/always-busy") {
        res.writeHead(503, { "content-type": "application/json" }).end('{"message":"busy"}');
      } else if (hits === 1) res.writeHead(429, { "retry-after": "0" }).end("{}");
      else if (hits === 2) res.writeHead(503).end("{}");
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const retries: number[] = [];
    const client = new KubeClient({ context: "t", server: `http://127.0.0.1:${port}`, insecure: false }, { backoffMs: 5, attempts: 4, onRetry: (i) => retries.push(i.attempt) });
    expect(await client.get("/x")).toEqual({ ok: true });
    expect(retries).toEqual([1, 2]);
    hits = 0;
    await expect(client.get("/always-busy")).rejects.toThrow(/503 busy/);
    expect(hits).toBe(4);
    client.close();
    server.close();
  });
});
