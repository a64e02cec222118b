// Parity with the reference control library: every reference case of a control we
// implement runs through the engine (only that case's controls — or our rule of the same
// name — with its data.json as config inputs) and is compared on verdict, flagged objects
// and paths. Prints a table per
// control; fails if agreement drops below test/parity-baseline.json (a ratchet: run with
// UPDATE_PARITY=1 to record a higher level).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JS helper shared with the rule test kit
import { listCases, readCase, compareAlerts, evaluateCase } from "../scripts/lib/cases.mjs";
import { PolicyRuntime } from "../src/core/engine/runtime.js";
import { Registry } from "../src/core/engine/registry.js";
import { defaultConfigInputs } from "../src/core/engine/config.js";

const root = path.resolve(import.meta.dirname, "..");
// PARITY_CASES points at another copy of the reference cases (e.g. a newer one)
const casesRoot = process.env.PARITY_CASES ? path.resolve(process.env.PARITY_CASES) : path.resolve(root, "..", "shared", "regolibrary", "cases");
const baselineFile = path.join(root, "test", "parity-baseline.json");
const known: { case: string; reason: string }[] = JSON.parse(fs.readFileSync(path.join(root, "test", "parity-differences.json"), "utf8"));

// Without the reference cases there is no parity figure at all: say so loudly, and in CI
// (CI set) fail, so a missing checkout cannot pass as agreement.
const haveCases = fs.existsSync(casesRoot);
describe.runIf(!haveCases)("parity with reference cases (absent)", () => {
  it("needs ../shared/regolibrary", () => {
    const msg = `PARITY NOT MEASURED: the reference cases are missing (${casesRoot}); put the shared reference data at ../shared/regolibrary`;
    console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
    if (process.env.CI) expect.fail(`${msg} (CI is set, so this fails)`);
  });
});

describe.skipIf(!haveCases)("parity with reference cases", () => {
  it("agrees with the reference at or above the recorded level", async () => {
    const registry = Registry.load();
    const runtime = await PolicyRuntime.load();
    const defaults = defaultConfigInputs();
    const perControl = new Map<string, { cases: number; verdict: number; objects: number; paths: number }>();
    const totals = { cases: 0, verdict: 0, objects: 0, paths: 0 };
    const disagreements: string[] = [];
    for (const entry of listCases(casesRoot)) {
      const c = readCase(entry.dir);
      // a case that names no control is matched through our rule of the same name
      const ids: string[] = c.expected.controls?.length ? c.expected.controls : (registry.rules.find((r) => r.name === entry.rule)?.controls ?? []);
      const controls = ids.map((id) => registry.controls.get(id)).filter((x) => x && !x.skipReason && !x.partial && x.needs.includes("objects"));
      if (controls.length === 0) continue;
      // A reference case tests one reference rule: when we have a rule of that name, that rule
      // is what is compared (a control's other rules have cases of their own); otherwise every
      // rule of the case's controls runs together.
      const same = registry.rules.find((r) => r.name === entry.rule && r.controls.some((id) => ids.includes(id)));
      const rules = same ? [same] : [...new Map(controls.flatMap((x) => x!.rules).map((r) => [r.name, r])).values()];
      const { alerts } = evaluateCase(runtime, rules, c, defaults);
      const cmp = compareAlerts(c.expected.alerts ?? [], alerts);
      const id = `${entry.rule}/${entry.name}`;
      if (!(cmp.verdict && cmp.objects && cmp.paths) && !known.some((k) => k.case === id)) {
        disagreements.push(`${id} (${controls.map((x) => x!.id).join(",")}): verdict=${cmp.verdict} objects=${cmp.objects} paths=${cmp.paths}`);
      }
      for (const ctl of controls) {
        const s = perControl.get(ctl!.id) ?? { cases: 0, verdict: 0, objects: 0, paths: 0 };
        s.cases++;
        s.verdict += +cmp.verdict;
        s.objects += +cmp.objects;
        s.paths += +cmp.paths;
        perControl.set(ctl!.id, s);
      }
      totals.cases++;
      totals.verdict += +cmp.verdict;
      totals.objects += +cmp.objects;
      totals.paths += +cmp.paths;
    }
    const pct = (n: number, d: number) => (d ? ((n / d) * 100).toFixed(1) : "-");
    const lines = ["| control | cases | verdict | objects | paths |", "|---|---|---|---|---|"];
    for (const [id, s] of [...perControl.entries()].sort()) lines.push(`| ${id} | ${s.cases} | ${s.verdict} | ${s.objects} | ${s.paths} |`);
    lines.push(
      `| **total** | ${totals.cases} | ${totals.verdict} (${pct(totals.verdict, totals.cases)}%) | ${totals.objects} (${pct(totals.objects, totals.cases)}%) | ${totals.paths} (${pct(totals.paths, totals.cases)}%) |`,
    );
    const table = lines.join("\n");
    console.log(
      `\nParity with reference cases\n${table}\n${disagreements.length ? "Unexplained differences:\n  " + disagreements.join("\n  ") : "No unexplained differences."}\nKnown differences: ${known.length} (test/parity-differences.json)\n`,
    );
    fs.mkdirSync(path.join(root, "test-output"), { recursive: true });
    fs.writeFileSync(path.join(root, "test-output", "parity.md"), table + "\n\n" + disagreements.join("\n") + "\n");

    const baseline = JSON.parse(fs.readFileSync(baselineFile, "utf8"));
    if (process.env.UPDATE_PARITY) {
      fs.writeFileSync(baselineFile, JSON.stringify(totals, null, 1) + "\n");
    }
    expect(totals.verdict).toBeGreaterThanOrEqual(baseline.verdict);
    expect(totals.objects).toBeGreaterThanOrEqual(baseline.objects);
    expect(totals.paths).toBeGreaterThanOrEqual(baseline.paths);
    // every known difference must still be a difference, or it should be removed from the list
    for (const k of known) expect(fs.existsSync(path.join(casesRoot, k.case)), `${k.case} in parity-differences.json exists`).toBe(true);
  });
});
