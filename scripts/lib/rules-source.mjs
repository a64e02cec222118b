// What rules/bundle is built from, and a hash of it. scripts/build-rules.mjs records the
// hash in rules/bundle/index.json ("sourceHash"); test/support/bundle-fresh.ts compares it
// at the start of `npm test`, so a rule edited without `npm run rules:build` fails fast
// instead of as a puzzling rule-case difference. Cheap: reads a few hundred small files,
// needs no opa.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Repo-relative paths of every file the bundle depends on, sorted. Rule test cases and
 * the helpers' own unit tests (rules/lib/*_test.rego) are not part of the bundle. */
export function ruleSourceFiles(root) {
  const rulesDir = path.join(root, "rules");
  const out = [];
  for (const f of fs.readdirSync(path.join(rulesDir, "lib")).sort()) {
    if (f.endsWith(".rego") && !f.endsWith("_test.rego")) out.push(`rules/lib/${f}`);
  }
  for (const name of fs.readdirSync(rulesDir).sort()) {
    if (name === "lib" || name === "bundle") continue;
    for (const f of ["metadata.json", "rule.rego", "relevant.rego"]) {
      if (fs.existsSync(path.join(rulesDir, name, f))) out.push(`rules/${name}/${f}`);
    }
  }
  return out;
}

/** sha256 over the paths and contents of ruleSourceFiles(root). */
export function ruleSourceHash(root) {
  const h = crypto.createHash("sha256");
  for (const rel of ruleSourceFiles(root)) {
    h.update(rel);
    h.update("\0");
    h.update(fs.readFileSync(path.join(root, rel)));
    h.update("\0");
  }
  return h.digest("hex");
}
