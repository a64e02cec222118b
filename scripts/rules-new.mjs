// `npm run rules:new <rule-name> <C-xxxx>`: scaffolds rules/<rule-name>/ for a control —
// rule.rego (a working placeholder condition to replace), metadata.json (the control's
// kinds and config inputs from controls/facts.json) and two cases, one failing (asserting
// the alert message) and one passing. Then: edit, npm run rules:build, npm run rules:test <rule-name>.
import fs from "node:fs";
import path from "node:path";
import { packageName } from "./lib/package-name.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const [name, control] = process.argv.slice(2);

function usage(msg) {
  console.error(`${msg}\nusage: npm run rules:new <rule-name> <C-xxxx>`);
  process.exit(2);
}

if (!name || !control) usage("a rule name and a control ID are needed");
if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(name) || ["lib", "bundle"].includes(name)) usage(`"${name}" is not a usable rule name (letters, digits, ".", "_", "-"; not lib or bundle)`);
const facts = JSON.parse(fs.readFileSync(path.join(root, "controls", "facts.json"), "utf8"));
const fact = facts.find((f) => f.id === control.toUpperCase());
if (!fact) usage(`"${control}" is not a known control (controls/facts.json)`);
const dir = path.join(root, "rules", name);
if (fs.existsSync(dir)) usage(`rules/${name} already exists`);

const workloadKinds = ["Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"];
const matchKinds = fact.matchKinds?.length ? fact.matchKinds : workloadKinds;

const rego = `package kubescape.rules.${packageName(name)}

import rego.v1

import data.kubescape.lib

# ${fact.id} ${fact.name}.
# TODO: say what this rule decides and why, then replace the placeholder condition below
# (a privileged container) with this control's own, branch by branch as the reference rule
# decides; record the reference revision checked in metadata.json.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.all_containers(obj)
	lib.container_sc(c).privileged == true
	path := concat("", [c.path, ".securityContext.privileged"])
	alert := {
		"message": concat("", ["container ", lib.container_name(c), " in ", obj.kind, " ", lib.obj_name(obj), " is privileged"]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"fixPaths": [{"path": path, "value": "false"}],
	}
}
`;

const metadata = `{
  "name": ${JSON.stringify(name)},
  "controls": [${JSON.stringify(fact.id)}],
  "matchKinds": ${JSON.stringify(matchKinds).replaceAll(",", ", ")},
  "configInputs": ${JSON.stringify(fact.configInputs ?? []).replaceAll(",", ", ")},
  "crossObject": false
}
`;

const pod = (podName, privileged) => `apiVersion: v1
kind: Pod
metadata:
  name: ${podName}
  namespace: demo
spec:
  containers:
  - name: app
    image: registry.example.com/app:1.0
    securityContext:
      privileged: ${privileged}
`;

const expected = (alerts) => JSON.stringify({ rule: name, controls: [fact.id], alerts }, null, 1) + "\n";
const failAlert = {
  objects: [{ apiVersion: "v1", kind: "Pod", name: "flagged", namespace: "demo" }],
  message: "container app in Pod flagged is privileged",
  failedPaths: ["spec.containers[0].securityContext.privileged"],
  reviewPaths: [],
  deletePaths: [],
  fixPaths: [{ path: "spec.containers[0].securityContext.privileged", value: "false" }],
};

const files = {
  "rule.rego": rego,
  "metadata.json": metadata,
  "tests/fail-placeholder/input/pod.yaml": pod("flagged", true),
  "tests/fail-placeholder/expected.json": expected([failAlert]),
  "tests/pass-placeholder/input/pod.yaml": pod("fine", false),
  "tests/pass-placeholder/expected.json": expected([]),
};
for (const [rel, text] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}
console.log(`created rules/${name} for ${fact.id} (${fact.name}):`);
for (const rel of Object.keys(files)) console.log(`  rules/${name}/${rel}`);
console.log(`next: edit rule.rego and the cases, then npm run rules:build && npm run rules:test ${name}`);
