import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseFieldPath } from "../src/core/sources/field-path.js";
import { readFileSources, parseManifests, expandDocument } from "../src/core/sources/files.js";
import { PositionIndex } from "../src/core/sources/positions.js";

function tmpFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-src-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("field paths", () => {
  it("splits dots and indexes, keeps bracketed keys whole", () => {
    expect(parseFieldPath("spec.template.spec.containers[0].securityContext.privileged")).toEqual(["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]);
    expect(parseFieldPath("metadata.labels[app.kubernetes.io/name]")).toEqual(["metadata", "labels", "app.kubernetes.io/name"]);
    expect(parseFieldPath("")).toEqual([]);
  });
});

describe("file source", () => {
  it("walks directories recursively, takes .yaml/.yml/.json, expands multi-doc and Lists", async () => {
    const dir = tmpFiles({
      "a.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s1}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s2}\n",
      "nested/deeper/b.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1}\n",
      "c.json": JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          { apiVersion: "v1", kind: "Pod", metadata: { name: "p1" } },
          { apiVersion: "v1", kind: "Pod", metadata: { name: "p2" } },
        ],
      }),
      "d.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleList\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role\n  metadata: {name: r1}\n",
      "notes.txt": "apiVersion: v1\nkind: Pod\n",
      "values.yaml": "replicaCount: 3\n",
    });
    const { result } = await readFileSources([dir]);
    expect(result.objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`).sort()).toEqual(["ConfigMap/c1", "Pod/p1", "Pod/p2", "Role/r1", "Service/s1", "Service/s2"]);
    expect(result.ignoredDocuments).toBe(1);
    expect(result.skippedFiles).toEqual([]);
    const p2 = result.objects.find((o) => o.object.metadata?.name === "p2")!;
    expect(p2.source.itemPath).toEqual(["items", 1]);
  });

  it("a file that cannot be read fails whenever it holds an object, whatever its style; other unreadable text is ignored", async () => {
    const dir = tmpFiles({
      // a broken first document; the Pod after it is in flow style, on one line
      "flow.yaml": '---\na: b\n\tc: tab indent\n---\n{apiVersion: v1, kind: Pod, metadata: {name: p}, "spec": {containers: [{name: a, image: nginx}]}}\n',
      "json-ish.yaml": '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"}\n\tbroken: [\n',
      // keys spelled with JSON escapes, in a file cut short
      "escaped.json": '{"api\\u0056ersion":"v1","k\\u0069nd":"Pod","metadata":{"name":"e"',
      "notes.yaml": "title: x\n\tbroken: tab\n",
    });
    const { result } = await readFileSources([dir]);
    expect(result.skippedFiles.map((f) => path.basename(f.file)).sort()).toEqual(["escaped.json", "flow.yaml", "json-ish.yaml"]);
    expect(result.ignored?.map((f) => path.basename(f.file))).toEqual(["notes.yaml"]);
  });

  it("reads - from stdin", async () => {
    const { result } = await readFileSources(["-"], { readStdin: async () => "apiVersion: v1\nkind: Pod\nmetadata: {name: from-stdin}\n" });
    expect(result.objects[0].object.metadata?.name).toBe("from-stdin");
    expect(result.objects[0].source.file).toBe("<stdin>");
  });

  it("resolves field paths to line:column, and missing fields to their nearest parent", async () => {
    const text = [
      "apiVersion: apps/v1", // 1
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "spec:", // 5
      "  template:",
      "    spec:",
      "      containers:",
      "        - name: app", // 9
      "          image: nginx",
      "          securityContext:",
      "            privileged: true", // 12
    ].join("\n");
    const dir = tmpFiles({ "w.yaml": "---\n" + "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n---\n" + text + "\n" });
    const { result, positions } = await readFileSources([path.join(dir, "w.yaml")]);
    const web = result.objects.find((o) => o.object.kind === "Deployment")!;
    // 5 lines precede the Deployment in the file
    expect(positions.resolve(web.source, "spec.template.spec.containers[0].securityContext.privileged")).toEqual({ line: 17, column: 13, exact: true });
    expect(positions.resolve(web.source, "spec.template.spec.containers[0]")).toEqual({ line: 14, column: 11, exact: true });
    expect(positions.resolve(web.source, "spec.template.spec.containers[0].resources.limits.cpu")).toEqual({ line: 14, column: 11, exact: false });
    expect(positions.resolve(web.source, "")).toEqual({ line: 6, column: 1, exact: true });
  });

  it("resolves positions inside a JSON List item", async () => {
    const json =
      '{"apiVersion": "v1", "kind": "List", "items": [\n  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}},\n  {"apiVersion": "v1", "kind": "Pod",\n   "metadata": {"name": "b"}}\n]}\n';
    const dir = tmpFiles({ "l.json": json });
    const { result, positions } = await readFileSources([path.join(dir, "l.json")]);
    expect(positions.resolve(result.objects[1].source, "metadata.name")).toEqual({ line: 4, column: 17, exact: true });
  });

  it("a missing path is a usage error, not a skipped file", async () => {
    await expect(readFileSources(["/definitely/not/here"])).rejects.toThrow(/no such file or directory/);
  });
});

describe("documents", () => {
  it("parse errors carry a line", () => {
    const r = parseManifests("x.yaml", "a: 1\nb: [\n", false);
    expect(r.error?.line).toBeGreaterThan(0);
    expect(r.error?.reason).toMatch(/invalid YAML/);
  });

  it("empty documents are ignored silently; other non-objects are ignored with a reason; a list of objects is a problem", () => {
    expect(expandDocument(null, 0)).toEqual({ ok: [], ignored: 0, problems: [] });
    expect(expandDocument(42, 2)).toEqual({ ok: [], ignored: 1, ignoredWhy: ["document 3 is a number, not a Kubernetes object"], problems: [] });
    // an Ansible playbook: a list of maps without apiVersion/kind
    expect(expandDocument([{ hosts: "all", tasks: [] }], 0).ignoredWhy).toEqual(["document 1 is a list, not a Kubernetes object"]);
    expect(expandDocument([{ apiVersion: "v1", kind: "Pod" }], 0).problems[0].reason).toBe("document 1 is a list, not a Kubernetes object");
  });

  it("an alias bomb is refused without expanding it", () => {
    const bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    const r = parseManifests("bomb.yaml", bomb, false);
    expect(r.error?.reason).toMatch(/alias/);
  });

  it("ordinary anchors and aliases still work", () => {
    const r = parseManifests("ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: x}\ndata: {copy: *m}\n", false);
    expect(r.error).toBeUndefined();
    expect((r.docs[0].doc as any).data.copy.name).toBe("x");
  });
});

describe("PositionIndex", () => {
  it("returns undefined for unknown files", () => {
    expect(new PositionIndex().resolve({ file: "nope", docIndex: 0, itemPath: [] }, "a")).toBeUndefined();
  });
});
