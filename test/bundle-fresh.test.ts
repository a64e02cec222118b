// The stale-bundle check run at the start of npm test (test/support/bundle-fresh.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bundleStaleness } from "./support/bundle-fresh.js";
// @ts-expect-error plain JS helper shared with scripts/build-rules.mjs
import { ruleSourceHash } from "../scripts/lib/rules-source.mjs";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function fakeRepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ks-fresh-"));
  dirs.push(root);
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  w("rules/lib/objects.rego", "package kubescape.lib\n");
  w("rules/r1/rule.rego", "package kubescape.rules.r1\n");
  w("rules/r1/metadata.json", '{"name":"r1"}\n');
  w("rules/r1/tests/pass/expected.json", '{"alerts":[]}\n');
  w("rules/bundle/index.json", JSON.stringify({ sourceHash: ruleSourceHash(root), rules: [] }));
  return root;
}

describe("stale rule bundle", () => {
  it("the committed bundle matches rules/", () => {
    expect(bundleStaleness(path.resolve(import.meta.dirname, ".."))).toBeUndefined();
  });

  it("a fresh bundle passes; test cases and helper unit tests do not make it stale", () => {
    const root = fakeRepo();
    expect(bundleStaleness(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, "rules/r1/tests/pass/expected.json"), '{"alerts":[{}]}\n');
    fs.writeFileSync(path.join(root, "rules/lib/objects_test.rego"), "package kubescape.lib_test\n");
    expect(bundleStaleness(root)).toBeUndefined();
  });

  it.each([
    ["a rule edited", (root: string) => fs.appendFileSync(path.join(root, "rules/r1/rule.rego"), "# edit\n")],
    ["metadata edited", (root: string) => fs.writeFileSync(path.join(root, "rules/r1/metadata.json"), '{"name":"r1","crossObject":true}\n')],
    ["a helper edited", (root: string) => fs.appendFileSync(path.join(root, "rules/lib/objects.rego"), "x := 1\n")],
    ["a helper file added", (root: string) => fs.writeFileSync(path.join(root, "rules/lib/images.rego"), "package kubescape.lib\n")],
    ["a rule added", (root: string) => fs.mkdirSync(path.join(root, "rules/r2")) || fs.writeFileSync(path.join(root, "rules/r2/rule.rego"), "package kubescape.rules.r2\n")],
  ])("%s makes it stale, with the command to run", (_name, change) => {
    const root = fakeRepo();
    change(root);
    expect(bundleStaleness(root)).toBe("rules/bundle is stale: rules/ changed since it was built; run npm run rules:build");
  });

  it("an index without a hash or no index asks for a build", () => {
    const root = fakeRepo();
    fs.writeFileSync(path.join(root, "rules/bundle/index.json"), '{"rules":[]}');
    expect(bundleStaleness(root)).toMatch(/no sourceHash: run npm run rules:build/);
    fs.rmSync(path.join(root, "rules/bundle/index.json"));
    expect(bundleStaleness(root)).toMatch(/missing: run npm run rules:build/);
  });
});
