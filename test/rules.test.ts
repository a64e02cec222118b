// Every rule's own cases (rules/<rule>/tests) through the engine, one test per case.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, beforeAll } from "vitest";
// @ts-expect-error plain JS helper shared with the rule test kit
import { readCase, compareAlerts, compareMessages, compareRelevant, evaluateCase, diffLines } from "../scripts/lib/cases.mjs";
import { PolicyRuntime } from "../src/core/engine/runtime.js";
import { Registry } from "../src/core/engine/registry.js";
import { defaultConfigInputs } from "../src/core/engine/config.js";

const root = path.resolve(import.meta.dirname, "..");
const registry = Registry.load();
let runtime: PolicyRuntime;
beforeAll(async () => {
  runtime = await PolicyRuntime.load();
});

describe("rule cases", () => {
  for (const rule of registry.rules) {
    const testsDir = path.join(root, "rules", rule.name, "tests");
    const cases = fs.existsSync(testsDir) ? fs.readdirSync(testsDir).sort() : [];
    it(`${rule.name} has a failing and a passing case`, () => {
      const kinds = cases.map((n) => readCase(path.join(testsDir, n)).expected.alerts.length > 0);
      expect(kinds).toContain(true);
      // a rule that looks at no kind of object (manual review) cannot pass
      if (rule.matchKinds.length > 0) expect(kinds).toContain(false);
    });
    // a relevance filter is tested like the rule: some case says which objects it names
    if (rule.relevance) {
      it(`${rule.name} has a case that checks its relevance filter`, () => {
        expect(cases.some((n) => readCase(path.join(testsDir, n)).expected.expectedRelevant !== undefined)).toBe(true);
      });
    }
    for (const name of cases) {
      it(`${rule.name}/${name}`, () => {
        const c = readCase(path.join(testsDir, name));
        const { alerts, warnings, relevant } = evaluateCase(runtime, [rule], c, defaultConfigInputs());
        const cmp = compareAlerts(c.expected.alerts ?? [], alerts);
        expect(warnings).toEqual([]);
        expect({ verdict: cmp.verdict, objects: cmp.objects, paths: cmp.paths }, diffLines(cmp).join("\n")).toEqual({ verdict: true, objects: true, paths: true });
        // a case may assert the alert message (expected alerts with a "message")
        expect(compareMessages(c.expected.alerts ?? [], alerts)).toEqual([]);
        // a case may say which objects the rule's relevance filter names (the ones its controls count)
        if (c.expected.expectedRelevant) {
          const rel = compareRelevant(c.expected.expectedRelevant, relevant);
          expect(rel.got, "relevant objects").toEqual(rel.expected);
        }
      });
    }
  }

  it("every one of the 281 controls has its text (what, why, how to fix, example)", () => {
    expect(registry.controls.size).toBe(281);
    for (const id of registry.controls.keys()) {
      const doc = registry.doc(id);
      expect(doc, `controls/docs/${id}.yaml`).toBeDefined();
      for (const k of ["description", "why", "remediation", "example"] as const) expect(doc![k], `${id}.${k}`).toBeTruthy();
      expect(doc!.id).toBe(id);
    }
  });

  it("every rule serves a known control and every implemented control has its text", () => {
    for (const rule of registry.rules) {
      for (const id of rule.controls) {
        expect(registry.controls.has(id), `${rule.name} → ${id}`).toBe(true);
        expect(registry.doc(id), `controls/docs/${id}.yaml`).toBeDefined();
      }
    }
  });
});

describe("config inputs change verdicts", () => {
  // For every config input a rule declares, one of its cases sets that input (data.json)
  // and reaches a different verdict than the same objects under the default inputs.
  for (const rule of registry.rules) {
    const testsDir = path.join(root, "rules", rule.name, "tests");
    for (const key of rule.configInputs) {
      it(`${rule.name}: ${key}`, () => {
        const cases = fs.existsSync(testsDir) ? fs.readdirSync(testsDir).map((n) => readCase(path.join(testsDir, n))) : [];
        const setting = cases.filter((c) => c.data?.postureControlInputs && key in c.data.postureControlInputs);
        expect(setting.length, `a case under rules/${rule.name}/tests sets ${key} in data.json`).toBeGreaterThan(0);
        const changes = setting.some((c) => {
          const withInput = evaluateCase(runtime, [rule], c, defaultConfigInputs()).alerts.length > 0;
          const withDefaults = evaluateCase(runtime, [rule], { ...c, data: {} }, defaultConfigInputs()).alerts.length > 0;
          return withInput !== withDefaults;
        });
        expect(changes, `setting ${key} changes the verdict of some case`).toBe(true);
      });
    }
  }
});
