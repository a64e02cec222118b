// The file source reads tricky YAML exactly as Kubernetes does: each manifest goes through
// `kubectl create --dry-run=server -o json` against a real kube-apiserver, and every field
// readFileSources produced must be stored by the server with the same value.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { startCluster, type TestCluster } from "./support.js";
import { readFileSources } from "../../src/core/sources/files.js";

let c: TestCluster;
let dir: string;
beforeAll(() => {
  c = startCluster("yaml");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-yaml-eq-"));
});
afterAll(() => {
  c?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const MANIFESTS: Record<string, string> = {
  // YAML 1.1 booleans in their spellings, octal and hex integers, a timestamp-looking name
  "booleans.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: 2024-01-01",
    '  labels: {quoted: "yes", single: \'on\', octal: "0755"}',
    "spec:",
    "  selector: {matchLabels: {app: a}}",
    "  template:",
    "    metadata: {labels: {app: a}}",
    "    spec:",
    "      hostNetwork: Yes",
    "      hostPID: ON",
    "      enableServiceLinks: n",
    "      automountServiceAccountToken: off",
    "      containers:",
    "      - name: a",
    "        image: nginx",
    "        securityContext: {privileged: y, runAsUser: 0755, allowPrivilegeEscalation: True, readOnlyRootFilesystem: NO}",
    "        ports: [{containerPort: 0x50}, {containerPort: 0o17}, {containerPort: 1_000}]",
  ].join("\n"),
  // merge keys, with and without anchors of the file's own, in go-yaml v2's order
  "merge.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata: {name: merged}",
    "spec:",
    "  selector: {matchLabels: {app: m}}",
    "  template:",
    "    metadata:",
    "      labels:",
    "        <<: {app: m, tier: web}",
    "        tier: front",
    "    spec:",
    "      containers:",
    "      - &base",
    "        name: a",
    "        image: nginx",
    "        securityContext: {privileged: true}",
    "      - <<: *base",
    "        name: b",
    "      - name: c",
    "        <<: [{image: first}, {image: second, name: never}]",
  ].join("\n"),
  // a byte-order mark at the start of the second document; a quoted timestamp-like name
  "bom.yaml":
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "2024-01-02"}\ndata: {a: "yes"}\n---\n\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\ndata: {b: "on", c: 2024-01-03}\n',
  // a duplicate key: kubectl keeps the last value
  "dup.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata:\n  a: "1"\n  a: "2"\n',
};

/** Every leaf of `ours` must be in `server` with the same value. */
function expectStoredAsRead(ours: unknown, server: unknown, where: string) {
  if (ours !== null && typeof ours === "object") {
    expect(server, where).toBeTypeOf("object");
    for (const [k, v] of Object.entries(ours)) expectStoredAsRead(v, (server as Record<string, unknown>)?.[k], `${where}.${k}`);
    return;
  }
  expect(server, where).toEqual(ours);
}

describe("YAML equivalence with the API server", () => {
  for (const [name, text] of Object.entries(MANIFESTS)) {
    it(`${name}: every field read is the field the server stores`, async () => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text + (text.endsWith("\n") ? "" : "\n"));
      const { result } = await readFileSources([file]);
      expect(result.objects.length).toBeGreaterThan(0);
      const r = c.kubectl(["create", "--dry-run=server", "-o", "json", "-n", "default", "-f", file]);
      expect(r.code, r.stderr).toBe(0);
      // one JSON object per document, one after the other (or a List)
      const stored = r.stdout
        .trim()
        .split(/(?<=\n\})\s*(?=\{)/)
        .map((j) => JSON.parse(j))
        .flatMap((o) => (o.kind === "List" ? o.items : [o]));
      expect(stored.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual(result.objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`));
      result.objects.forEach((o, i) => expectStoredAsRead(o.object, stored[i], `${name}#${i}`));
    });
  }

  it("the tricky values are what we expect (so the comparison above compares something)", async () => {
    const { result } = await readFileSources([path.join(dir, "booleans.yaml"), path.join(dir, "merge.yaml"), path.join(dir, "bom.yaml")]);
    const d = result.objects[0].object as any;
    expect(d.metadata.name).toBe("2024-01-01");
    expect(d.spec.template.spec).toMatchObject({ hostNetwork: true, hostPID: true, enableServiceLinks: false, automountServiceAccountToken: false });
    expect(d.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort)).toEqual([80, 15, 1000]);
    expect(d.spec.template.spec.containers[0].securityContext.runAsUser).toBe(493);
    const m = result.objects[1].object as any;
    expect(m.spec.template.metadata.labels).toEqual({ app: "m", tier: "front" });
    expect(m.spec.template.spec.containers[2]).toEqual({ name: "never", image: "first" });
    expect(result.objects.map((o) => o.object.metadata?.name)).toContain("second");
  });
});
