// The file source reads YAML exactly as Kubernetes does (sigs.k8s.io/yaml → go-yaml v2), with
// every input bounded: each test here failed on the source as it was before the split.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readFileSources, parseManifests, readStdin } from "../src/core/sources/files.js";
import { resolvePlain } from "../src/core/sources/yaml-k8s.js";

function tmpFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-k8s-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
const objectsOf = async (paths: string[], opts = {}) => (await readFileSources(paths, opts)).result;
const docOf = (text: string) => {
  const r = parseManifests("x.yaml", text, false);
  expect(r.error).toBeUndefined();
  return r.docs[0].doc as Record<string, any>;
};

describe("YAML as Kubernetes reads it", () => {
  it("plain scalars resolve with go-yaml v2's table: YAML 1.1 booleans, base-0 integers, no sexagesimal, timestamps stay strings", () => {
    for (const s of ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]) expect(resolvePlain(s), s).toBe(true);
    for (const s of ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]) expect(resolvePlain(s), s).toBe(false);
    for (const s of ["yEs", "oN", "nO", "tRUE", "ofF"]) expect(resolvePlain(s), s).toBe(s); // not in the table: strings
    expect(resolvePlain("0755")).toBe(493);
    expect(resolvePlain("0x1F")).toBe(31);
    expect(resolvePlain("0o17")).toBe(15);
    expect(resolvePlain("-0b101")).toBe(-5);
    expect(resolvePlain("1_000")).toBe(1000);
    expect(resolvePlain("08")).toBe(8); // not octal: a float
    expect(resolvePlain("1e3")).toBe(1000);
    expect(resolvePlain("1e999")).toBe("1e999"); // out of range: stays a string
    expect(resolvePlain("1:20")).toBe("1:20"); // no base-60 numbers
    expect(resolvePlain("2024-01-01")).toBe("2024-01-01");
    expect(resolvePlain("~")).toBeNull();
  });

  it("booleans, octal and timestamp-looking names in a manifest, quoted ones stay strings", async () => {
    const dir = tmpFiles({
      "p.yaml":
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 2024-01-01\n  labels: {a: \"yes\", b: 'on'}\nspec:\n  hostNetwork: Yes\n  hostPID: ON\n  containers:\n  - name: c\n    image: i\n    securityContext: {privileged: y, runAsUser: 0755, allowPrivilegeEscalation: Off}\n",
    });
    const r = await objectsOf([dir]);
    expect(r.skippedFiles).toEqual([]);
    const pod = r.objects[0].object as any;
    expect(pod.metadata.name).toBe("2024-01-01");
    expect(pod.metadata.labels).toEqual({ a: "yes", b: "on" });
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.hostPID).toBe(true);
    expect(pod.spec.containers[0].securityContext).toEqual({ privileged: true, runAsUser: 493, allowPrivilegeEscalation: false });
  });

  it("merge keys work in every file (no anchors needed to get them), in go-yaml v2's order, and are located in the map they came from", async () => {
    const text = [
      "apiVersion: apps/v1", // 1
      "kind: Deployment",
      "metadata: {name: m}",
      "spec:",
      "  template:", // 5
      "    spec:",
      "      containers:",
      "      - &base",
      "        name: a",
      "        image: nginx", // 10
      "        securityContext: {privileged: true}",
      "      - <<: *base",
      "        name: b",
      "      - name: c",
      "        <<: [{image: first}, {image: second, name: never}]", // 15
    ].join("\n");
    const dir = tmpFiles({ "m.yaml": text + "\n" });
    const { result, positions } = await readFileSources([path.join(dir, "m.yaml")]);
    const c = (result.objects[0].object as any).spec.template.spec.containers;
    expect(c[1]).toEqual({ name: "b", image: "nginx", securityContext: { privileged: true } });
    // a merge after a key overrides it (go-yaml v2 applies the mapping in source order); the earlier map of a list wins
    expect(c[2]).toEqual({ name: "never", image: "first" });
    expect(positions.resolve(result.objects[0].source, "spec.template.spec.containers[1].securityContext.privileged")).toEqual({ line: 11, column: 27, exact: true });
    expect(positions.resolve(result.objects[0].source, "spec.template.spec.containers[1].name")).toEqual({ line: 13, column: 9, exact: true });
    // a merge without any anchor in the file
    expect(docOf("a:\n  <<: {x: 1}\n  z: 2\n").a).toEqual({ x: 1, z: 2 });
    // as in go-yaml v2, a plain `y` key is the boolean true, which JSON writes "true"
    expect(docOf("a:\n  y: 2\n").a).toEqual({ true: 2 });
    // a quoted "<<" is a key, not a merge
    expect(docOf('a: {"<<": {x: 1}}\n').a).toEqual({ "<<": { x: 1 } });
  });

  it("a quoted key that spells the parser's own merge marker is an ordinary key, never a merge (found by the fuzzer: it turned privileged: true into false)", () => {
    const spellings = ["\\0<<merge\\0", "\\u0000<<merge\\u0000"];
    for (const k of spellings) {
      const doc = docOf(`apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: true\n      "${k}": {privileged: false}\n`);
      const sc = doc.spec.containers[0].securityContext;
      expect(sc.privileged, k).toBe(true);
      expect(Object.keys(sc)).toEqual(["privileged", "\u0000<<merge\u0000"]);
    }
    // a plain << still merges, after that key as before
    expect(docOf('a: {"\\0<<merge\\0": 1, <<: {b: 2}}').a).toEqual({ "\u0000<<merge\u0000": 1, b: 2 });
  });

  it("nesting as deep as the API server takes is read in YAML as in JSON (found by the fuzzer: js-yaml's default refused 101 levels); deeper is one line, never a crash", async () => {
    const pod = (name: string, x: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n  - &c {name: c, image: nginx, securityContext: {privileged: true}}\n  - <<: *c\n    name: d\n  x: ${x}\n`;
    const block = (d: number) => "\n" + Array.from({ length: d }, (_, i) => `${" ".repeat(4 + 2 * i)}a:`).join("\n") + " *c";
    const dir = tmpFiles({
      "flow.yaml": pod("flow", "{a: ".repeat(300) + "1" + "}".repeat(300)),
      "lists.yaml": pod("lists", "[".repeat(900) + "*c" + "]".repeat(900)),
      "block.yaml": pod("block", block(300)),
      "same.json": JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "json" }, spec: { x: JSON.parse('{"a":'.repeat(300) + "1" + "}".repeat(300)) } }),
      "too-deep.yaml": pod("deep", "[".repeat(20_000) + "]".repeat(20_000)),
    });
    const r = await objectsOf([dir]);
    expect(r.objects.map((o) => o.object.metadata?.name).sort()).toEqual(["block", "flow", "json", "lists"]);
    expect(r.skippedFiles).toEqual([{ file: path.join(dir, "too-deep.yaml"), line: 9, reason: "invalid YAML at line 9: nesting exceeded maxDepth (1000)" }]);
    let lists: any = r.objects.find((o) => o.object.metadata?.name === "lists")!.object.spec;
    lists = lists.x;
    for (let i = 0; i < 900; i++) lists = lists[0];
    expect(lists).toMatchObject({ name: "c", securityContext: { privileged: true } });
  });

  it("a byte-order mark is dropped at the start of any document, not only the first", async () => {
    const dir = tmpFiles({ "b.yaml": "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\n\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n" });
    const r = await objectsOf([dir]);
    expect(r.objects.map((o) => o.object.metadata?.name)).toEqual(["one", "two"]);
    expect(r.ignoredDocuments).toBe(0);
  });

  it("a duplicate key is reported with its line and key; the object is scanned with the last value, as kubectl applies it", async () => {
    const dir = tmpFiles({
      "d.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: ok}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: twice}\n  spec:\n    containers:\n    - name: a\n      image: first\n      image: second\n",
    });
    const r = await objectsOf([dir]);
    expect(r.objects.map((o) => o.object.metadata?.name)).toEqual(["fine", "ok", "twice"]);
    expect((r.objects[2].object as any).spec.containers[0].image).toBe("second");
    expect(r.skippedFiles).toEqual([{ file: path.join(dir, "d.yaml"), line: 18, reason: 'Pod/twice: duplicate key "image", scanned with its last value (as kubectl applies it)' }]);
  });

  it("the alias guard counts expansions whatever the anchors are called", () => {
    for (const names of [
      ["a", "b", "c", "d", "e", "f"],
      ["ä", "ö", "ü", "ß", "é", "ñ"],
      ["a/1", "b/2", "c/3", "d/4", "e/5", "f/6"],
    ]) {
      let text = `l0: &${names[0]} [x,x,x,x,x,x,x,x,x]\n`;
      for (let i = 1; i < names.length; i++)
        text += `l${i}: &${names[i]} [${Array(9)
          .fill(`*${names[i - 1]}`)
          .join(",")}]\n`;
      const t0 = performance.now();
      const r = parseManifests("bomb.yaml", text, false);
      expect(r.error?.reason, names.join(" ")).toBe("YAML aliases expand too much (possible alias bomb), not read");
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    // ordinary use of aliases is fine
    expect(docOf("a: &x {k: v}\nb: [*x, *x, *x]\n").b).toEqual([{ k: "v" }, { k: "v" }, { k: "v" }]);
  });

  it("an alias to an anchor of an earlier document is an ordinary YAML error, not an alias bomb", () => {
    const r = parseManifests("p.yaml", "a: &x 1\n---\nb: *x\n", false);
    expect(r.error).toEqual({ file: "p.yaml", line: 3, reason: "invalid YAML at line 3: an alias names an anchor not defined earlier in its document (anchors do not reach across ---)" });
  });
});

describe("parse errors say where and what, never the content", () => {
  it("invalid JSON (a .json link to a credentials file) names the line and column only", async () => {
    const dir = tmpFiles({ creds: "ghp_SuperSecretToken0123456789abcdef\n", "bad.json": '{\n  "a": 1,\n  "token": ghp_SuperSecretToken0123456789abcdef\n}\n' });
    fs.symlinkSync(path.join(dir, "creds"), path.join(dir, "leak.json"));
    const r = await objectsOf([dir]);
    // neither looks like a Kubernetes object: ignored, with the reason and no content
    expect(r.skippedFiles).toEqual([]);
    expect(r.ignored).toEqual([
      { file: path.join(dir, "bad.json"), line: 3, reason: "not a Kubernetes object (invalid JSON at line 3 column 12)" },
      { file: path.join(dir, "leak.json"), line: 1, reason: "not a Kubernetes object (invalid JSON at line 1 column 1)" },
    ]);
    expect(JSON.stringify(r)).not.toContain("ghp_");
  });

  it("invalid YAML names the line and the parser's reason without quoted source text", () => {
    for (const text of ["a: *ghp_Secret\n", "a: !<ghp_Secret> x\n", 'a: "ghp_Secret\n', "a: b: ghp_Secret\n"]) {
      const r = parseManifests("x.yaml", text, false);
      expect(r.error?.reason, text).toMatch(/^invalid YAML at line \d+: \S/);
      expect(r.error?.reason, text).not.toContain("ghp_");
    }
  });
});

describe("files bounded and opened once", () => {
  it("only regular files are read: a FIFO, a socket, /dev/zero and kernel files are refused without reading", async () => {
    const dir = tmpFiles({});
    const fifo = path.join(dir, "fifo.yaml");
    await new Promise((res) => spawn("mkfifo", [fifo]).on("exit", res));
    const r = await objectsOf([fifo, "/dev/zero", "/proc/self/status"]);
    expect(r.skippedFiles.map((s) => s.reason)).toEqual(["not a regular file", "not a regular file", "not a regular file (a kernel file system)"]);
  });

  it("a file over the limit is refused (checked on the opened descriptor, and the read stops at the limit)", async () => {
    const dir = tmpFiles({ "g.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" });
    const f = path.join(dir, "g.yaml");
    // a file whose size grows while it is read: appended to from another process
    const writer = spawn(process.execPath, ["-e", `const fs=require("fs");const fd=fs.openSync(${JSON.stringify(f)},"a");const b=Buffer.alloc(65536,"#");for(let i=0;i<64;i++)fs.writeSync(fd,b);`]);
    await new Promise((res) => writer.on("exit", res));
    const r = await objectsOf([f], { maxFileBytes: 1024 * 1024 });
    expect(r.skippedFiles[0].reason).toMatch(/file too large/);
  });

  it("a link out of the scanned tree is skipped unless followSymlinks; a directory link to / is never walked by default; a named link is followed", async () => {
    const outside = tmpFiles({ "o.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n" });
    const dir = tmpFiles({ "in.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n" });
    fs.symlinkSync(path.join(outside, "o.yaml"), path.join(dir, "out.yaml"));
    fs.symlinkSync("in.yaml", path.join(dir, "same.yaml"));
    fs.symlinkSync("/", path.join(dir, "rootfs"));
    const r = await objectsOf([dir]);
    expect(r.objects.map((o) => o.object.metadata?.name)).toEqual(["inside", "inside"]);
    expect(r.skippedFiles).toEqual([
      { file: path.join(dir, "out.yaml"), reason: "symbolic link out of the scanned tree (use --follow-symlinks)" },
      { file: path.join(dir, "rootfs"), reason: "symbolic link out of the scanned tree (use --follow-symlinks)" },
    ]);
    const followed = await objectsOf([path.join(dir, "out.yaml")]);
    expect(followed.objects[0].object.metadata?.name).toBe("outside");
    fs.unlinkSync(path.join(dir, "rootfs"));
    const opted = await objectsOf([dir], { followSymlinks: true });
    expect(opted.objects.map((o) => o.object.metadata?.name)).toEqual(["inside", "outside", "inside"]);
  });

  it("stdin is capped at the same limit: an endless stream stops there without growing memory", async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 65536;
        this.push(Buffer.alloc(65536, "a"));
      },
    });
    await expect(readStdin(1024 * 1024, endless)).rejects.toThrow("stdin is larger than 1 MB");
    expect(produced).toBeLessThan(4 * 1024 * 1024);
    await expect(readFileSources(["-"], { maxFileBytes: 10, readStdin: async () => "apiVersion: v1\nkind: Pod\n" })).rejects.toThrow("stdin is larger than");
  });
});

describe("huge objects in linear time", () => {
  it("a Pod with 50,000 containers and one with a 15 MB name are read and located in seconds", async () => {
    let many = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n";
    for (let i = 0; i < 50_000; i++) many += `  - name: c${i}\n    image: nginx\n    securityContext:\n      privileged: true\n`;
    const dir = tmpFiles({ "many.yaml": many, "long.yaml": `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${"n".repeat(15 * 1024 * 1024)}\nspec:\n  containers: 7\n` });
    const t0 = performance.now();
    const { result, positions } = await readFileSources([dir]);
    const big = result.objects.find((o) => o.object.metadata?.name === "big")!;
    const found: number[] = [];
    positions.resolveAll(Array.from({ length: 50_000 }, (_, i) => ({ source: big.source, path: `spec.containers[${i}].securityContext.privileged`, done: (p) => found.push(p!.line) })));
    expect(found[49_999]).toBe(6 + 49_999 * 4 + 4);
    // the long name's shape problem is one short line
    expect(result.skippedFiles).toEqual([{ file: path.join(dir, "long.yaml"), line: 6, reason: `Pod/${"n".repeat(100)}…: spec.containers must be a list, got number` }]);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  it("shape problems of many List items are located with one parse of the file", async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => `- apiVersion: v1\n  kind: Pod\n  metadata: {name: p${i}}\n  spec: {containers: oops}`);
    const dir = tmpFiles({ "l.yaml": "apiVersion: v1\nkind: List\nitems:\n" + items.join("\n") + "\n" });
    const t0 = performance.now();
    const r = await objectsOf([dir]);
    expect(r.skippedFiles).toHaveLength(20_000);
    expect(r.skippedFiles[19_999].line).toBe(3 + 19_999 * 4 + 4);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
