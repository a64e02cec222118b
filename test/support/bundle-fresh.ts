// Global setup of `npm test`: fail fast, with one line saying what to run, when
// rules/bundle was built from other rule sources than the ones in rules/ (a rule or helper
// edited without `npm run rules:build`). Compares the hash build-rules.mjs recorded in
// rules/bundle/index.json with a hash of the sources now; needs no opa.
import fs from "node:fs";
import path from "node:path";
// @ts-expect-error plain JS helper shared with scripts/build-rules.mjs
import { ruleSourceHash } from "../../scripts/lib/rules-source.mjs";

export function bundleStaleness(root: string): string | undefined {
  const indexFile = path.join(root, "rules", "bundle", "index.json");
  if (!fs.existsSync(indexFile)) return "rules/bundle/index.json is missing: run npm run rules:build";
  const recorded = (JSON.parse(fs.readFileSync(indexFile, "utf8")) as { sourceHash?: string }).sourceHash;
  if (!recorded) return "rules/bundle/index.json records no sourceHash: run npm run rules:build";
  if (recorded !== ruleSourceHash(root)) return "rules/bundle is stale: rules/ changed since it was built; run npm run rules:build";
  return undefined;
}

export default function setup(): void {
  const problem = bundleStaleness(path.resolve(import.meta.dirname, "..", ".."));
  if (problem) throw new Error(problem);
}
