#!/usr/bin/env node
// Seeds the test cluster (test/cluster/cluster.sh) with objects, via
// `kubectl apply --server-side`.
//
//   node test/cluster/seed.mjs                 apply test/cluster/seed/*.yaml: namespaces,
//                                              workloads, RBAC, services, network policies,
//                                              configmaps and secrets, good and bad
//   node test/cluster/seed.mjs --count 20000   generate and apply 20,000 objects (plus the
//                                              namespaces they live in) in batches, several
//                                              kubectl processes in parallel; prints timings
//
// Options: --kubeconfig PATH (default: $KUBECONFIG, else $KS_CLUSTER_DIR/kubeconfig, else
// /tmp/ks-cluster/kubeconfig), --context NAME (default admin), and for --count:
// --batch N objects per kubectl (default 500), --parallel N kubectl at once (default 4),
// --per-namespace N objects per generated namespace (default 1000), --prefix P (default gen).
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = {
    kubeconfig: process.env.KUBECONFIG || path.join(process.env.KS_CLUSTER_DIR || "/tmp/ks-cluster", "kubeconfig"),
    context: "admin",
    count: 0,
    batch: 500,
    parallel: 4,
    perNamespace: 1000,
    prefix: "gen",
  };
  const num = (v, name) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a whole number, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--kubeconfig":
        opts.kubeconfig = v();
        break;
      case "--context":
        opts.context = v();
        break;
      case "--count":
        opts.count = num(v(), "count");
        break;
      case "--batch":
        opts.batch = Math.max(1, num(v(), "batch"));
        break;
      case "--parallel":
        opts.parallel = Math.max(1, num(v(), "parallel"));
        break;
      case "--per-namespace":
        opts.perNamespace = Math.max(1, num(v(), "per-namespace"));
        break;
      case "--prefix":
        opts.prefix = v();
        break;
      case "-h":
      case "--help":
        console.log("usage: seed.mjs [--count N [--batch N] [--parallel N] [--per-namespace N] [--prefix P]] [--kubeconfig PATH] [--context NAME]");
        process.exit(0);
        break; // not reached: keeps the case from falling into default
      default:
        throw new Error(`unknown argument: ${a}`);
    }
  }
  return opts;
}

/** Runs `kubectl apply --server-side` on the given files or on YAML fed to stdin. */
// validate: kubectl's --validate. "strict" (its default) costs kubectl ~30 ms of CPU per
// object against a v1.37 server (client-side OpenAPI work before the first request), so the
// generator, whose objects are known-good, turns it off: 100 objects then take 0.3 s, not 3 s.
function kubectlApply(opts, { files = [], stdin, validate = "strict" } = {}) {
  const args = [
    "--kubeconfig",
    opts.kubeconfig,
    "--context",
    opts.context,
    "apply",
    "--server-side",
    "--force-conflicts",
    "--field-manager=ks-seed",
    `--validate=${validate}`,
    "-o",
    "name",
    ...files.flatMap((f) => ["-f", f]),
    ...(stdin !== undefined ? ["-f", "-"] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out.split("\n").filter(Boolean).length);
      else reject(new Error(`kubectl apply failed (exit ${code}):\n${err.trim().split("\n").slice(0, 20).join("\n")}`));
    });
    child.stdin.end(stdin ?? "");
  });
}

async function seedFixtures(opts) {
  const dir = path.join(here, "seed");
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  const [nsFiles, rest] = [files.filter((f) => /namespace/.test(path.basename(f))), files.filter((f) => !/namespace/.test(path.basename(f)))];
  const t0 = performance.now();
  let n = 0;
  if (nsFiles.length) n += await kubectlApply(opts, { files: nsFiles });
  if (rest.length) n += await kubectlApply(opts, { files: rest });
  console.log(`seeded ${n} objects from ${path.relative(process.cwd(), dir) || dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// --- generator ---------------------------------------------------------------------------

const podSpec = (i, bad) =>
  bad
    ? {
        hostNetwork: i % 2 === 0,
        containers: [
          {
            name: "app",
            image: `example.com/app-${i % 50}:latest`,
            env: [{ name: "API_TOKEN", value: `tok-${i}` }],
            securityContext: { privileged: i % 4 === 0, runAsUser: 0, allowPrivilegeEscalation: true },
            ...(i % 5 === 0 ? { volumeMounts: [{ name: "host", mountPath: "/host" }] } : {}),
          },
        ],
        ...(i % 5 === 0 ? { volumes: [{ name: "host", hostPath: { path: "/var/log" } }] } : {}),
      }
    : {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "app",
            image: `registry.example.com/app-${i % 50}:1.${i % 20}.0`,
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            livenessProbe: { tcpSocket: { port: 8080 } },
            readinessProbe: { tcpSocket: { port: 8080 } },
          },
        ],
      };

/** The i-th generated object: a deterministic mix of kinds, about a third of them bad. */
function generate(i, ns) {
  const bad = i % 3 === 0;
  const name = `obj-${i}`;
  const labels = { app: name, "ks-seed": bad ? "gen-bad" : "gen-good" };
  const meta = { name, namespace: ns, labels };
  const tmpl = { metadata: { labels: { app: name } }, spec: podSpec(i, bad) };
  switch (i % 16) {
    case 0:
    case 1:
    case 2:
      return { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { replicas: 1 + (i % 3), selector: { matchLabels: { app: name } }, template: tmpl } };
    case 3:
      return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta, spec: { serviceName: name, selector: { matchLabels: { app: name } }, template: tmpl } };
    case 4:
      return { apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta, spec: { selector: { matchLabels: { app: name } }, template: tmpl } };
    case 5:
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: meta,
        spec: { schedule: `${i % 60} * * * *`, jobTemplate: { spec: { template: { spec: { ...podSpec(i, bad), restartPolicy: "OnFailure" } } } } },
      };
    case 6:
    case 7:
      return { apiVersion: "v1", kind: "Pod", metadata: meta, spec: podSpec(i, bad) };
    case 8:
    case 9:
      return { apiVersion: "v1", kind: "Service", metadata: meta, spec: { type: bad ? "NodePort" : "ClusterIP", selector: { app: `obj-${i - 8}` }, ports: [{ port: 80, targetPort: 8080 }] } };
    case 10:
    case 11:
      return { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: bad ? { password: `pw-${i}`, aws_secret_access_key: `key-${i}` } : { LOG_LEVEL: "info", INDEX: String(i) } };
    case 12:
      return { apiVersion: "v1", kind: "Secret", metadata: meta, type: "Opaque", stringData: { token: `t-${i}` } };
    case 13:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: meta,
        rules: bad ? [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] : [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }],
      };
    case 14:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `obj-${i - 1}` },
        subjects: [bad ? { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" } : { kind: "ServiceAccount", name: "default", namespace: ns }],
      };
    default:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta,
        spec: bad ? { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] } : { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      };
  }
}

// JSON is valid YAML; one document per object.
const toStream = (objs) => objs.map((o) => "---\n" + JSON.stringify(o)).join("\n") + "\n";

async function seedGenerated(opts) {
  const nsCount = Math.ceil(opts.count / opts.perNamespace);
  const nsName = (k) => `${opts.prefix}-${String(k).padStart(3, "0")}`;
  const t0 = performance.now();
  const namespaces = Array.from({ length: nsCount }, (_, k) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: nsName(k), labels: { "ks-seed": "gen" } } }));
  if (nsCount) await kubectlApply(opts, { stdin: toStream(namespaces) });
  const tNs = performance.now();

  const batches = [];
  for (let start = 0; start < opts.count; start += opts.batch) {
    batches.push([start, Math.min(opts.count, start + opts.batch)]);
  }
  let next = 0;
  let applied = 0;
  const worker = async () => {
    while (next < batches.length) {
      const [a, b] = batches[next++];
      const objs = [];
      for (let i = a; i < b; i++) objs.push(generate(i, nsName(Math.floor(i / opts.perNamespace))));
      const n = await kubectlApply(opts, { stdin: toStream(objs), validate: "false" });
      applied += n;
      if (process.stderr.isTTY) process.stderr.write(`\r${applied}/${opts.count}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel, batches.length) }, worker));
  if (process.stderr.isTTY) process.stderr.write("\n");
  const t1 = performance.now();
  const secs = (t1 - tNs) / 1000;
  console.log(
    `seeded ${applied} objects in ${nsCount} namespaces: ${((t1 - t0) / 1000).toFixed(1)} s total ` +
      `(namespaces ${((tNs - t0) / 1000).toFixed(1)} s, objects ${secs.toFixed(1)} s = ${Math.round(applied / secs)} objects/s; ` +
      `batch ${opts.batch}, parallel ${opts.parallel})`,
  );
}

try {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.count > 0) await seedGenerated(opts);
  else await seedFixtures(opts);
} catch (e) {
  console.error(`seed: ${e.message}`);
  process.exit(1);
}
