// The json format is written in pieces (a scan of 40,000 Pods is a 500 MB document, about the
// longest string V8 holds); the pieces must be byte for byte JSON.stringify(report, null, 2).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonChunks, renderJson, renderJsonChunks } from "../src/report/json.js";
import { runCli } from "./support/cli.js";

describe("json in pieces", () => {
  it("equals JSON.stringify for any JSON value, long arrays included", () => {
    const long = fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 60, maxLength: 150 });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string(), fc.oneof(long, fc.jsonValue({ maxDepth: 3 }))), long), (v) => {
        expect([...jsonChunks(v)].join("")).toBe(JSON.stringify(v, null, 2));
      }),
      { numRuns: 300, seed: 1206 },
    );
    // what JSON.stringify drops or turns into null
    const odd = { a: undefined, b: () => 1, c: Array.from({ length: 70 }, (_, i) => (i % 2 ? undefined : i)), d: [], e: {}, f: { toJSON: () => "x" } };
    expect([...jsonChunks(odd)].join("")).toBe(JSON.stringify(odd, null, 2));
  });

  it("a scan of 2,500 Pods (written in pieces) written as a file and to stdout equals the one-string rendering", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-json-"));
    const pods = Array.from({ length: 2500 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: n${i % 7}}\nspec: {containers: [{name: c, image: nginx}]}\n`);
    fs.writeFileSync(path.join(dir, "pods.yaml"), pods.join("---\n"));
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ks-json-out-")), "out.json");
    const file = runCli(["scan", dir, "-f", "json", "-o", out]);
    expect(file.code).toBe(0);
    const written = fs.readFileSync(out, "utf8");
    const report = JSON.parse(written);
    expect(report.resources).toHaveLength(2500);
    expect(written).toBe(renderJson(report));
    expect([...renderJsonChunks(report)].join("")).toBe(written);
    const stdout = runCli(["scan", dir, "-f", "json"]).stdout;
    expect(JSON.parse(stdout).resources).toHaveLength(2500);
  });
});
