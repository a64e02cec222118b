// Dev aid: evaluate one rule's Rego with the real `opa` CLI against test cases and
// compare with expected.json. Usage:
//   node scripts/opa-check.mjs <rule> [caseDir ...]
// Without case dirs it runs rules/<rule>/tests/* and ../shared/regolibrary/cases/<rule>/*.
// --wasm: compile the lib and this rule alone to WebAssembly (in a temp dir) and evaluate
// through the opa-wasm SDK instead, as the scanner does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { readCase, compareAlerts, compareMessages } from "./lib/cases.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const opa = process.env.OPA ?? path.join(os.homedir(), ".cache/kubescape-dev/bin/opa");
const argv = process.argv.slice(2);
const wasm = argv.includes("--wasm");
const [rule, ...dirs] = argv.filter((a) => a !== "--wasm");
if (!rule) {
  console.error("usage: node scripts/opa-check.mjs <rule> [caseDir ...]");
  process.exit(2);
}
const pkg = rule.replace(/[^A-Za-z0-9]/g, "_");
const caseDirs = dirs.length
  ? dirs
  : [path.join(root, "rules", rule, "tests"), path.join(root, "..", "shared", "regolibrary", "cases", rule)]
      .filter((d) => fs.existsSync(d))
      .flatMap((d) => fs.readdirSync(d).map((c) => path.join(d, c)));

let policy;
if (wasm) {
  const { loadPolicy } = await import("@open-policy-agent/opa-wasm");
  const { customBuiltins } = await import(path.join(root, "dist/core/engine/builtins.js"));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opa-check-wasm-"));
  const libs = fs
    .readdirSync(path.join(root, "rules", "lib"))
    .filter((f) => f.endsWith(".rego") && !f.endsWith("_test.rego"))
    .map((f) => path.join(root, "rules", "lib", f));
  execFileSync(opa, ["build", "-t", "wasm", "-e", `kubescape/rules/${pkg}/deny`, "-o", path.join(tmp, "b.tar.gz"), ...libs, path.join(root, "rules", rule, "rule.rego")], { stdio: "inherit" });
  execFileSync("tar", ["-xzf", path.join(tmp, "b.tar.gz"), "-C", tmp, "/policy.wasm"], { stdio: ["ignore", "inherit", "ignore"] });
  policy = await loadPolicy(fs.readFileSync(path.join(tmp, "policy.wasm")), undefined, customBuiltins);
  fs.rmSync(tmp, { recursive: true, force: true });
}
const defaults = JSON.parse(fs.readFileSync(path.join(root, "config", "default-config-inputs.json"), "utf8"));
let bad = 0;
for (const dir of caseDirs) {
  if (!fs.existsSync(path.join(dir, "expected.json"))) continue;
  const c = readCase(dir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "opa-check-"));
  const objects = c.objects.map((o, i) => ({ ...o, __ksid: i }));
  fs.writeFileSync(path.join(tmp, "input.json"), JSON.stringify({ objects }));
  const inputs = { ...defaults, ...(c.data.postureControlInputs ?? {}) };
  fs.writeFileSync(path.join(tmp, "data.json"), JSON.stringify({ postureControlInputs: inputs, dataControlInputs: c.data.dataControlInputs ?? {} }));
  let got;
  if (policy) {
    try {
      policy.setData(JSON.parse(fs.readFileSync(path.join(tmp, "data.json"), "utf8")));
      got = policy.evaluate({ objects })[0]?.result ?? [];
    } catch (e) {
      console.log(`ERROR ${dir}: ${e.message ?? e}`);
      bad++;
      continue;
    }
  } else
    try {
      const out = execFileSync(
        opa,
        [
          "eval",
          "-f",
          "json",
          "-d",
          path.join(root, "rules", "lib"),
          "-d",
          path.join(root, "rules", rule, "rule.rego"),
          "-d",
          path.join(tmp, "data.json"),
          "-i",
          path.join(tmp, "input.json"),
          `data.kubescape.rules.${pkg}.deny`,
        ],
        { encoding: "utf8" },
      );
      const r = JSON.parse(out);
      got = r.result?.[0]?.expressions?.[0]?.value ?? [];
    } catch (e) {
      console.log(`ERROR ${dir}: ${e.stdout || e.message}`);
      bad++;
      continue;
    }
  const cmp = compareAlerts(c.expected.alerts ?? [], got);
  const messages = compareMessages(c.expected.alerts ?? [], got);
  const ok = cmp.verdict && cmp.objects && cmp.paths && messages.length === 0;
  if (!ok) bad++;
  console.log(`${ok ? "ok  " : "DIFF"} verdict=${cmp.verdict} objects=${cmp.objects} paths=${cmp.paths}  ${path.relative(root, dir)}`);
  for (const l of messages) console.log(l);
  if (!ok) {
    console.log("  expected:", JSON.stringify(cmp.expected));
    console.log("  got:     ", JSON.stringify(cmp.got));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${caseDirs.length - bad} agree, ${bad} differ`);
process.exitCode = bad ? 1 : 0;
