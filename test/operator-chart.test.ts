// The operator's chart as `kubescape operator install --dry-run` prints it: helm and the
// built-in renderer agree, the workload meets its own scan (no failed High or Critical
// control), and the RBAC is least privilege (reads only, writes only our kinds).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { runCli } from "./support/cli.js";

const helm = path.join(os.homedir(), ".cache", "kubescape-dev", "bin", "helm");
const objects = (yaml: string) =>
  YAML.parseAllDocuments(yaml)
    .map((d) => d.toJS())
    .filter((o) => o?.kind);

describe("operator chart", () => {
  it("renders the same manifests with helm and with the built-in renderer, --set included", () => {
    const builtin = runCli(["operator", "install", "--dry-run", "--renderer", "builtin", "--operator-namespace", "ks-sec", "--set", "interval=6h"]);
    expect(builtin.code, builtin.stderr).toBe(0);
    expect(fs.existsSync(helm), "helm from scripts/install-tools.sh").toBe(true);
    const withHelm = runCli(["operator", "install", "--dry-run", "--renderer", "helm", "--operator-namespace", "ks-sec", "--set", "interval=6h"], { env: { HELM_BIN: helm } });
    expect(withHelm.code, withHelm.stderr).toBe(0);
    // helm orders templates by kind (its install order); the set of objects is the same
    const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const sorted = (xs: any[]) => [...xs].sort((x, y) => (key(x) < key(y) ? -1 : 1));
    const a = objects(builtin.stdout);
    expect(sorted(objects(withHelm.stdout))).toEqual(sorted(a));
    // every template expression was filled in: namespaced objects are in the namespace asked for
    expect(builtin.stdout).not.toMatch(/\{\s*\{|\.Release\.|\.Values\./);
    for (const o of a.filter((x) => x.metadata.namespace !== undefined)) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe("ks-sec");
    const kinds = a.map((o) => o.kind);
    expect(kinds.filter((k) => k === "CustomResourceDefinition")).toHaveLength(4);
    expect(kinds).toEqual(expect.arrayContaining(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service"]));
    const dep = a.find((o) => o.kind === "Deployment");
    expect(dep.metadata.namespace).toBe("ks-sec");
    expect(dep.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(["operator", "run", "6h", "--no-install-crds"]));
  });

  it("serving the storage API (storage.serve=true): the same with helm and built-in; an APIService and its Service instead of the result CRDs", () => {
    const args = ["operator", "install", "--dry-run", "--operator-namespace", "ks-sec", "--set", "storage.serve=true"];
    const builtin = runCli([...args, "--renderer", "builtin"]);
    expect(builtin.code, builtin.stderr).toBe(0);
    const withHelm = runCli([...args, "--renderer", "helm"], { env: { HELM_BIN: helm } });
    expect(withHelm.code, withHelm.stderr).toBe(0);
    const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const sorted = (xs: any[]) => [...xs].sort((x, y) => (key(x) < key(y) ? -1 : 1));
    const a = objects(builtin.stdout);
    expect(sorted(objects(withHelm.stdout))).toEqual(sorted(a));
    expect(a.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name)).toEqual(["scancommands.operator.kubescape-ts.io"]);
    const svc = a.find((o) => o.kind === "APIService");
    expect(svc.metadata.name).toBe("v1beta1.spdx.softwarecomposition.kubescape.io");
    expect(svc.spec.service).toEqual({ name: "kubescape-ts-storage", namespace: "ks-sec", port: 443 });
    expect(a.find((o) => o.kind === "Service" && o.metadata.name === "kubescape-ts-storage").spec.ports[0].targetPort).toBe("storage");
    const dep = a.find((o) => o.kind === "Deployment").spec.template.spec;
    expect(dep.containers[0].args).toEqual(expect.arrayContaining(["--serve-storage", "--storage-dir", "/data"]));
    expect(dep.containers[0].volumeMounts).toContainEqual({ name: "data", mountPath: "/data" });
    // what an aggregated API server needs, and no more: review access, and the front proxy's CA
    expect(a.find((o) => o.kind === "ClusterRole" && o.metadata.name === "kubescape-ts-operator-storage").rules).toEqual([
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ]);
    expect(a.find((o) => o.kind === "RoleBinding" && o.metadata.namespace === "kube-system").roleRef.name).toBe("extension-apiserver-authentication-reader");
    // off by default
    expect(objects(runCli(["operator", "install", "--dry-run", "--renderer", "builtin"]).stdout).some((o) => o.kind === "APIService")).toBe(false);
  });

  it("uninstall removes what either storage mode installed, whatever --set it is given", () => {
    const gone = objects(runCli(["operator", "uninstall", "--dry-run", "--renderer", "builtin"]).stdout);
    const names = gone.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "APIService/v1beta1.spdx.softwarecomposition.kubescape.io",
        "CustomResourceDefinition/workloadconfigurationscans.spdx.softwarecomposition.kubescape.io",
        "Service/kubescape-ts-storage",
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([[[] as string[]], [["--set", "storage.serve=true"]]])("passes our own scan: no failed High or Critical control %j", (set) => {
    const dry = runCli(["operator", "install", "--dry-run", "--renderer", "builtin", ...set]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-chart-"));
    const file = path.join(dir, "operator.yaml");
    fs.writeFileSync(file, dry.stdout);
    const r = runCli(["scan", file, "--format", "json"]);
    const report = JSON.parse(r.stdout);
    expect(report.summary.resources.total).toBeGreaterThan(10);
    const bad = report.controls.filter((c: any) => c.status === "failed" && (c.severity === "High" || c.severity === "Critical")).map((c: any) => `${c.id} ${c.name}`);
    expect(bad).toEqual([]);
    // and the gate agrees
    expect(runCli(["scan", file, "--severity-threshold", "high"]).code).toBe(0);
  });

  it("least privilege: cluster-wide it only reads, and writes only results; namespaced writes are the Lease, the status ConfigMap and command status", () => {
    const a = objects(runCli(["operator", "install", "--dry-run", "--renderer", "builtin"]).stdout);
    const cr = a.find((o) => o.kind === "ClusterRole");
    for (const rule of cr.rules) {
      const writes = rule.verbs.filter((v: string) => !["get", "list", "watch"].includes(v));
      if (writes.length) expect(rule.apiGroups).toEqual(["spdx.softwarecomposition.kubescape.io"]);
      expect(rule.verbs).not.toContain("*");
      expect(rule.resources).not.toContain("*");
      expect(rule.resources).not.toContain("secrets");
    }
    const role = a.find((o) => o.kind === "Role");
    expect(role.rules.flatMap((r: any) => r.resources).sort()).toEqual(["configmaps", "leases", "scancommands", "scancommands/status"]);
    const c = a.find((o) => o.kind === "Deployment").spec.template.spec;
    expect(c.securityContext.runAsNonRoot).toBe(true);
    expect(c.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(c.containers[0].resources.limits.memory).toBeTruthy();
    expect(c.containers[0].resources.requests.cpu).toBeTruthy();
  });
});
