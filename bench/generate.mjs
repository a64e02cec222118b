// Deterministic generator of realistic manifests: apps made of a Deployment / StatefulSet /
// DaemonSet / CronJob / Job / Pod with its Service, ServiceAccount, ConfigMap, RBAC,
// NetworkPolicy, HPA and Ingress; some hardened, some not. Same seed → same bytes.
import fs from "node:fs";
import path from "node:path";

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IMAGES = [
  "nginx:1.27.2",
  "ghcr.io/acme/api:3.4.1",
  "redis:7.2",
  "quay.io/prometheus/node-exporter:v1.8.2",
  "postgres:16",
  "busybox",
  "registry.k8s.io/pause:3.9",
  "k8s.gcr.io/echoserver:1.10",
  "acme/worker:latest",
];
const TEAMS = ["payments", "search", "platform", "data", "web", "mobile"];

function container(r, name, hardened) {
  const c = { name, image: IMAGES[Math.floor(r() * IMAGES.length)], ports: [{ containerPort: 8080 + Math.floor(r() * 10) }] };
  if (hardened || r() < 0.5) c.resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
  if (hardened) {
    c.securityContext = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
    c.readinessProbe = { httpGet: { path: "/ready", port: 8080 } };
    c.livenessProbe = { httpGet: { path: "/live", port: 8080 } };
  } else {
    if (r() < 0.15) c.securityContext = { privileged: true };
    if (r() < 0.2) c.securityContext = { ...(c.securityContext ?? {}), capabilities: { add: ["NET_ADMIN"] } };
    if (r() < 0.1) c.ports[0].hostPort = 9000 + Math.floor(r() * 100);
  }
  c.env = [
    { name: "LOG_LEVEL", value: "info" },
    { name: "TEAM", value: TEAMS[Math.floor(r() * TEAMS.length)] },
  ];
  if (r() < 0.1) c.env.push({ name: "API_TOKEN", value: "not-a-real-token" });
  if (r() < 0.2) c.env.push({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } });
  return c;
}

function podSpec(r, app, hardened) {
  const spec = { serviceAccountName: app, containers: [container(r, "main", hardened)] };
  if (r() < 0.3) spec.containers.push(container(r, "sidecar", hardened));
  if (hardened) spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
  else {
    if (r() < 0.08) spec.hostNetwork = true;
    if (r() < 0.05) spec.hostPID = true;
    if (r() < 0.1) spec.volumes = [{ name: "host", hostPath: { path: r() < 0.5 ? "/var/run/docker.sock" : "/var/log" } }];
  }
  return spec;
}

function app(r, i) {
  const name = `app-${i}`;
  const ns = `team-${TEAMS[i % TEAMS.length]}`;
  const labels = { app: name, "app.kubernetes.io/name": name, team: TEAMS[i % TEAMS.length] };
  const hardened = r() < 0.35;
  const meta = { name, namespace: ns, labels };
  const template = { metadata: { labels }, spec: podSpec(r, name, hardened) };
  const roll = r();
  let workload;
  if (roll < 0.55) workload = { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { replicas: 2, selector: { matchLabels: { app: name } }, template } };
  else if (roll < 0.68) workload = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta, spec: { serviceName: name, replicas: 3, selector: { matchLabels: { app: name } }, template } };
  else if (roll < 0.76) workload = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta, spec: { selector: { matchLabels: { app: name } }, template } };
  else if (roll < 0.86)
    workload = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: meta,
      spec: { schedule: "*/15 * * * *", jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "OnFailure" } } } } },
    };
  else if (roll < 0.93) workload = { apiVersion: "batch/v1", kind: "Job", metadata: meta, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } } } };
  else workload = { apiVersion: "v1", kind: "Pod", metadata: meta, spec: template.spec };
  const docs = [workload];
  docs.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: ns }, automountServiceAccountToken: hardened ? false : undefined });
  if (workload.kind !== "CronJob" && workload.kind !== "Job")
    docs.push({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { selector: { app: r() < 0.9 ? name : name + "-old" }, ports: [{ port: 80, targetPort: 8080 }] } });
  docs.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-config`, namespace: ns }, data: { "settings.yaml": "feature: on\n", mode: r() < 0.1 ? "password=hunter2" : "fast" } });
  if (r() < 0.5)
    docs.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: ns },
      spec: { podSelector: { matchLabels: { app: name } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
    });
  if (r() < 0.3) {
    docs.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace: ns },
      rules: [{ apiGroups: [""], resources: r() < 0.3 ? ["secrets", "pods"] : ["configmaps"], verbs: r() < 0.2 ? ["*"] : ["get", "list"] }],
    });
    docs.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
    });
  }
  if (workload.kind === "Deployment" && r() < 0.3)
    docs.push({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name, namespace: ns },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: r() < 0.9 ? name : name + "-gone" }, minReplicas: 2, maxReplicas: 10 },
    });
  if (r() < 0.2)
    docs.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name, namespace: ns },
      spec: { rules: [{ host: `${name}.example.com`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }] } }] },
    });
  return docs;
}

/** Write exactly n documents under dir as multi-document YAML files, one app per file. */
export async function generate(dir, n, seed = 42) {
  const { stringify } = await import("yaml");
  const r = rng(seed);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let written = 0;
  for (let i = 0; written < n; i++) {
    const docs = app(r, i).slice(0, n - written);
    written += docs.length;
    const sub = path.join(dir, `ns-${i % 20}`);
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `app-${i}.yaml`), docs.map((d) => stringify(JSON.parse(JSON.stringify(d)))).join("---\n"));
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, n] = process.argv.slice(2);
  console.log(await generate(dir, Number(n)));
}
