// The fast position locator (js-yaml parse events) must agree with the `yaml` parser's node
// ranges on every field of every manifest we have: examples, rule cases, and odd shapes.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { fastLocator, slowLocator } from "../src/core/sources/positions.js";
import type { PathSegment } from "../src/core/sources/field-path.js";

const root = path.resolve(import.meta.dirname, "..");

function manifestFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(e.name) && !p.includes("hostile")) out.push(p);
    }
  };
  walk(path.join(root, "examples"));
  for (const r of fs.readdirSync(path.join(root, "rules"))) {
    const t = path.join(root, "rules", r, "tests");
    if (fs.existsSync(t)) walk(t);
  }
  return out.filter((f) => !f.endsWith("expected.json") && !f.endsWith("data.json") && !f.endsWith("metadata.json"));
}

function allPaths(v: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...prefix, i], out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) allPaths(x, [...prefix, k], out);
  return out;
}

function compare(text: string, label: string) {
  const docs: unknown[] = [];
  yaml.loadAll(text, (d) => docs.push(d), { json: true });
  const fast = fastLocator(text)!;
  const slow = slowLocator(text)!;
  expect(fast, label).toBeDefined();
  let n = 0;
  docs.forEach((d, i) => {
    if (d === null || typeof d !== "object") return;
    for (const p of allPaths(d)) {
      const a = fast.locate(i, p);
      const b = slow.locate(i, p);
      expect({ line: a?.line, column: a?.column, exact: a?.exact }, `${label} doc ${i} ${p.join(".")}`).toEqual({ line: b?.line, column: b?.column, exact: b?.exact });
      n++;
    }
  });
  return n;
}

describe("fast position locator", () => {
  it("agrees with the yaml parser on every field of the repo's manifests", () => {
    let n = 0;
    const files = manifestFiles();
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) n += compare(fs.readFileSync(f, "utf8"), path.relative(root, f));
    expect(n).toBeGreaterThan(5000);
  });

  it("agrees on flow style, quoted keys, comments, block scalars and empty documents", () => {
    const text = [
      "# leading comment",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      'metadata: {name: "x", labels: {"app.kubernetes.io/name": y}}',
      "data:",
      "  script: |",
      "    echo one",
      "    echo two",
      "  'quoted key': v  # trailing comment",
      "  list: [a, {b: [c, d]}]",
      "---",
      "---",
      "- a",
      "- b: c",
      "  d:",
      "    - e",
    ].join("\n");
    expect(compare(text, "odd shapes")).toBeGreaterThan(15);
  });
});
