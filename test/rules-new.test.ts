// `npm run rules:new <name> <C-xxxx>` (scripts/rules-new.mjs), run in a scratch copy of the
// pieces it and scripts/opa-check.mjs read: the scaffold compiles with the real opa, its
// failing case fails and its passing case passes, the failing case's asserted message holds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const opa = process.env.OPA ?? path.join(os.homedir(), ".cache", "kubescape-dev", "bin", "opa");
let scratch: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ks-rules-new-"));
  for (const rel of ["scripts/rules-new.mjs", "scripts/opa-check.mjs", "scripts/lib", "controls/facts.json", "config/default-config-inputs.json", "rules/lib"]) {
    fs.cpSync(path.join(root, rel), path.join(scratch, rel), { recursive: true });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [path.join(scratch, "scripts", "rules-new.mjs"), ...args], { encoding: "utf8" });

describe("rules:new", () => {
  it.skipIf(!fs.existsSync(opa))("scaffolds a rule whose failing case fails and passing case passes", () => {
    const r = run("demo-privileged", "c-0057");
    expect(r.status, r.stderr).toBe(0);
    const dir = path.join(scratch, "rules", "demo-privileged");
    expect(fs.readdirSync(path.join(dir, "tests")).sort()).toEqual(["fail-placeholder", "pass-placeholder"]);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8"));
    expect(meta.controls).toEqual(["C-0057"]);
    expect(meta.matchKinds).toContain("Pod");
    expect(fs.readFileSync(path.join(dir, "rule.rego"), "utf8")).toMatch(/^package kubescape\.rules\.demo_privileged$/m);
    execFileSync(opa, ["fmt", "--fail", "--list", path.join(dir, "rule.rego")]);
    const check = spawnSync(process.execPath, [path.join(scratch, "scripts", "opa-check.mjs"), "demo-privileged"], { encoding: "utf8", env: { ...process.env, OPA: opa } });
    expect(check.stdout).toContain("2 agree, 0 differ");
    expect(check.status).toBe(0);
    // the failing case asserts its message: a different message is a difference
    const expectedFile = path.join(dir, "tests", "fail-placeholder", "expected.json");
    const expected = JSON.parse(fs.readFileSync(expectedFile, "utf8"));
    expected.alerts[0].message = "something else";
    fs.writeFileSync(expectedFile, JSON.stringify(expected));
    const again = spawnSync(process.execPath, [path.join(scratch, "scripts", "opa-check.mjs"), "demo-privileged"], { encoding: "utf8", env: { ...process.env, OPA: opa } });
    expect(again.stdout).toContain('message: expected "something else", got "container app in Pod flagged is privileged"');
    expect(again.status).toBe(1);
  });

  it("refuses an unknown control, a bad name and an existing rule, with exit 2", () => {
    expect(run("x-rule", "C-9999")).toMatchObject({ status: 2, stderr: expect.stringContaining('"C-9999" is not a known control') });
    expect(run("../escape", "C-0057")).toMatchObject({ status: 2, stderr: expect.stringContaining("is not a usable rule name") });
    expect(run("lib", "C-0057").status).toBe(2);
    expect(run("only-a-name")).toMatchObject({ status: 2, stderr: expect.stringContaining("usage: npm run rules:new") });
    fs.mkdirSync(path.join(scratch, "rules", "taken"), { recursive: true });
    expect(run("taken", "C-0057")).toMatchObject({ status: 2, stderr: expect.stringContaining("rules/taken already exists") });
  });
});
