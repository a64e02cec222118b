// The rule test kit: `npm run rules:test [rule ...]` runs each rule's own cases
// (rules/<rule>/tests/*) through the engine with the compiled bundle and prints, for every
// case that differs, the expected and the actual alerts (and the message, when a case
// asserts it). It first runs the helpers' unit tests (opa test rules/lib). Exit 1 on any
// difference.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { readCase, compareAlerts, compareMessages, compareRelevant, evaluateCase, diffLines } from "./lib/cases.mjs";
import { opaPath } from "./lib/opa.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { PolicyRuntime } = await import(path.join(root, "dist/core/engine/runtime.js"));
const { Registry } = await import(path.join(root, "dist/core/engine/registry.js"));
const { defaultConfigInputs } = await import(path.join(root, "dist/core/engine/config.js"));

const registry = Registry.load();
const runtime = await PolicyRuntime.load();
const defaults = defaultConfigInputs();
const wanted = process.argv.slice(2);
const rules = wanted.length ? wanted.map((n) => registry.rules.find((r) => r.name === n) ?? fail(`unknown rule ${n} (is it built? npm run rules:build)`)) : registry.rules;

let failed = 0,
  passed = 0;

// The helpers' unit tests (rules/lib/*_test.rego) with the real opa, which rules:build
// needs anyway.
try {
  execFileSync(opaPath(root), ["test", "--v1-compatible", "rules/lib"], { cwd: root, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  passed++;
} catch (e) {
  failed++;
  console.log(`✗ opa test rules/lib:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
}
for (const rule of rules) {
  const testsDir = path.join(root, "rules", rule.name, "tests");
  const cases = fs.existsSync(testsDir) ? fs.readdirSync(testsDir).sort() : [];
  if (cases.length === 0) {
    console.log(`✗ ${rule.name}: no test cases under rules/${rule.name}/tests`);
    failed++;
    continue;
  }
  for (const name of cases) {
    const c = readCase(path.join(testsDir, name));
    const { alerts, warnings, relevant } = evaluateCase(runtime, [rule], c, defaults);
    const cmp = compareAlerts(c.expected.alerts ?? [], alerts);
    const messages = compareMessages(c.expected.alerts ?? [], alerts);
    const rel = c.expected.expectedRelevant ? compareRelevant(c.expected.expectedRelevant, relevant) : { ok: true };
    const ok = cmp.verdict && cmp.objects && cmp.paths && messages.length === 0 && rel.ok && warnings.length === 0;
    if (ok) {
      passed++;
      continue;
    }
    failed++;
    console.log(
      `✗ ${rule.name}/${name}: ${!cmp.verdict ? "verdict differs" : !cmp.objects ? "flagged objects differ" : !cmp.paths ? "paths differ" : messages.length ? "messages differ" : !rel.ok ? "relevant objects differ" : "evaluation warnings"}`,
    );
    for (const l of diffLines(cmp)) console.log(l);
    for (const l of messages) console.log(l);
    if (!rel.ok) console.log(`  relevant: expected ${JSON.stringify(rel.expected)}, got ${JSON.stringify(rel.got)}`);
    for (const w of warnings) console.log(`  ! ${w.message}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

function fail(msg) {
  console.error(msg);
  process.exit(2);
}
