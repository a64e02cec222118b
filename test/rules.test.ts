// Every rule's own cases (rules/<rule>/tests) through the engine, one test per case.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, beforeAll } from "vitest";
// @ts-expect-error plain JS helper shared with the rule test kit
import { readCase, listCases, compareAlerts, compareMessages, compareRelevant, evaluateCase, diffLines } from "../scripts/lib/cases.mjs";
import { PolicyRuntime } from "../src/core/engine/runtime.js";
import { Registry } from "../src/core/engine/registry.js";
import { defaultConfigInputs } from "../src/core/engine/config.js";
import { crossGroups } from "../src/core/engine/plan.js";

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

// Cross-object rules that share splitKinds are evaluated in the same calls (plan.ts), each
// seeing the objects of the others' kinds too. Every such rule, on each of its cases (its own
// and the reference cases named after it), must decide as it does alone with the case's
// objects: the group's other rules' case objects of kinds it does not match are added.
describe("cross-object rules evaluated together", () => {
  const refCases: { rule: string; dir: string }[] = listCases(path.resolve(root, "..", "shared", "regolibrary", "cases"));
  const casesOf = (name: string) => [
    ...(fs.existsSync(path.join(root, "rules", name, "tests")) ? fs.readdirSync(path.join(root, "rules", name, "tests")).map((n) => path.join(root, "rules", name, "tests", n)) : []),
    ...refCases.filter((e) => e.rule === name).map((e) => e.dir),
  ];
  const groups = crossGroups(registry.rules.filter((r) => r.crossObject && r.matchKinds.length > 0)).filter((g) => g.length > 1);
  it("the rules that share the workload kinds as splitKinds are one group", () => {
    expect(Math.max(...groups.map((g) => g.length))).toBeGreaterThanOrEqual(15);
  });
  const key = (a: { rule: string; message?: string; objects: unknown[]; relatedObjects?: unknown[]; failedPaths: string[]; fixPaths: unknown[]; reviewPaths?: string[]; deletePaths?: string[] }) =>
    JSON.stringify([a.rule, a.message, a.objects, a.relatedObjects, a.failedPaths, a.fixPaths, a.reviewPaths, a.deletePaths]);
  for (const group of groups) {
    const others = new Map(group.map((r) => [r.name, casesOf(r.name).flatMap((dir) => readCase(dir).objects)]));
    for (const rule of group) {
      const mine = new Set(rule.matchKinds);
      const union = new Set(group.flatMap((r) => r.matchKinds));
      const foreign = group.filter((r) => r !== rule).flatMap((r) => others.get(r.name)!.filter((o: { kind?: string }) => !mine.has(o.kind!) && union.has(o.kind!)));
      it(`${rule.name}: the same alerts with ${foreign.length} objects of the others' kinds added`, () => {
        expect(foreign.length, "the other rules' cases bring objects of kinds this rule does not match").toBeGreaterThan(0);
        let fired = 0;
        for (const dir of casesOf(rule.name)) {
          const c = readCase(dir);
          const alone = evaluateCase(runtime, [rule], c, defaultConfigInputs());
          const together = evaluateCase(runtime, group, { ...c, objects: [...c.objects, ...foreign] }, defaultConfigInputs());
          const got = together.alerts.filter((a: { rule: string }) => a.rule === rule.name);
          expect(got.map(key).sort(), dir).toEqual(alone.alerts.map(key).sort());
          expect(together.warnings, dir).toEqual([]);
          fired += alone.alerts.length;
        }
        expect(fired, "some case makes the rule fire").toBeGreaterThan(0);
      });
    }
  }
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
