// Imports control and framework facts (IDs, names, base scores, membership, match kinds,
// config-input keys, what data a control needs) from the reference data in
// ../shared/regolibrary/controls into controls/facts.json, controls/frameworks.json and
// config/default-config-inputs.json. Facts only: no descriptions are copied.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const src = process.argv[2] ?? path.join(root, "..", "shared", "regolibrary", "controls");
const controls = JSON.parse(fs.readFileSync(path.join(src, "controls.json"), "utf8"));
const frameworks = JSON.parse(fs.readFileSync(path.join(src, "frameworks.json"), "utf8"));
const facts = controls
  .map((c) => ({
    id: c.controlID,
    name: c.name,
    baseScore: Number(c.baseScore),
    scopes: c.scopes,
    matchKinds: c.matchKinds,
    configInputs: c.configInputs,
    needs: c.needs,
    category: c.category ?? "",
    mitre: c.mitre ?? [],
    referenceRules: c.rules,
  }))
  .sort((a, b) => a.id.localeCompare(b.id));
const fw = Object.entries(frameworks)
  .map(([name, f]) => ({ name, controls: [...f.controls].sort(), scopes: f.scopes ?? [] }))
  .sort((a, b) => a.name.localeCompare(b.name));
fs.writeFileSync(path.join(root, "controls", "facts.json"), JSON.stringify(facts, null, 1) + "\n");
fs.writeFileSync(path.join(root, "controls", "frameworks.json"), JSON.stringify(fw, null, 1) + "\n");
fs.copyFileSync(path.join(src, "default-config-inputs.json"), path.join(root, "config", "default-config-inputs.json"));
console.log(`${facts.length} controls, ${fw.length} frameworks`);
