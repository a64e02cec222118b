// Reading and comparing rule test cases (the layout of ../shared/regolibrary/cases and
// of rules/<rule>/tests): <case>/input/*.{yaml,yml,json}, <case>/expected.json, optional
// <case>/data.json. Used by the parity test, the rule test kit and scripts/opa-check.mjs.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";

export function readCaseObjects(caseDir) {
  const inputDir = path.join(caseDir, "input");
  const objects = [];
  if (!fs.existsSync(inputDir)) return objects;
  for (const f of fs.readdirSync(inputDir).sort()) {
    if (!/\.(ya?ml|json)$/i.test(f)) continue;
    const text = fs.readFileSync(path.join(inputDir, f), "utf8");
    const docs = /\.json$/i.test(f) ? [JSON.parse(text)] : yaml.loadAll(text);
    for (const d of docs) expand(d, objects);
  }
  return objects;
}

function expand(doc, out) {
  if (doc === null || typeof doc !== "object") return;
  if (Array.isArray(doc)) {
    for (const d of doc) expand(d, out);
    return;
  }
  if (typeof doc.kind === "string" && doc.kind.endsWith("List") && Array.isArray(doc.items)) {
    for (const d of doc.items) expand(d, out);
    return;
  }
  out.push(doc);
}

export function readCase(caseDir) {
  const expected = JSON.parse(fs.readFileSync(path.join(caseDir, "expected.json"), "utf8"));
  const dataFile = path.join(caseDir, "data.json");
  const data = fs.existsSync(dataFile) ? JSON.parse(fs.readFileSync(dataFile, "utf8")) : {};
  return { dir: caseDir, expected, data, objects: readCaseObjects(caseDir) };
}

export function listCases(rootDir) {
  const out = [];
  if (!fs.existsSync(rootDir)) return out;
  for (const rule of fs.readdirSync(rootDir).sort()) {
    const rd = path.join(rootDir, rule);
    if (!fs.statSync(rd).isDirectory()) continue;
    for (const c of fs.readdirSync(rd).sort()) {
      const cd = path.join(rd, c);
      if (fs.existsSync(path.join(cd, "expected.json"))) out.push({ rule, name: c, dir: cd });
    }
  }
  return out;
}

// The reference often omits an object's namespace (and, for a few external objects, its
// name); then objects are matched on the fields it does give.
const objKey = (o, withNs, withName = true) => `${o.kind ?? ""}/${withNs ? (o.namespace ?? o.metadata?.namespace ?? "") : ""}/${withName ? (o.name ?? o.metadata?.name ?? "") : ""}`;
const sorted = (xs) => [...xs].sort();

// The reference sometimes names the flagged object under externalObjects instead of objects.
function alertSummary(a, withNs, withName) {
  return {
    objects: sorted([...(a.objects ?? []), ...(a.externalObjects ?? [])].map((o) => objKey(o, withNs, withName))).join(","),
    failedPaths: sorted(a.failedPaths ?? []),
    reviewPaths: sorted(a.reviewPaths ?? []),
    deletePaths: sorted(a.deletePaths ?? []),
    fixPaths: sorted((a.fixPaths ?? []).map((f) => `${f.path}=${JSON.stringify(String(f.value))}`)),
  };
}

// compareAlerts(expected, got) → { verdict, objects, paths, diff } where verdict/objects/paths
// are booleans: flagged-or-not agrees; flagged object multisets agree; per-object path sets agree.
export function compareAlerts(expected, got) {
  const withNs = expected.every((a) => [...(a.objects ?? []), ...(a.externalObjects ?? [])].every((o) => "namespace" in o || o.metadata?.namespace !== undefined));
  const withName = expected.every((a) => [...(a.objects ?? []), ...(a.externalObjects ?? [])].every((o) => "name" in o || o.metadata?.name !== undefined));
  const e = expected.map((a) => alertSummary(a, withNs, withName));
  const g = got.map((a) => alertSummary(a, withNs, withName));
  const verdict = e.length > 0 === g.length > 0;
  const ms = (xs) => sorted(xs.flatMap((x) => (x.objects ? x.objects.split(",") : [])));
  const objects = JSON.stringify(ms(e)) === JSON.stringify(ms(g));
  const byObj = (xs) => {
    const m = new Map();
    for (const x of xs) {
      const cur = m.get(x.objects) ?? { failedPaths: [], reviewPaths: [], deletePaths: [], fixPaths: [] };
      for (const k of Object.keys(cur)) cur[k] = sorted(new Set([...cur[k], ...x[k]]));
      m.set(x.objects, cur);
    }
    return JSON.stringify(sorted([...m.entries()].map(([k, v]) => JSON.stringify([k, v]))));
  };
  const paths = byObj(e) === byObj(g);
  return { verdict, objects, paths, expected: e, got: g };
}

/**
 * Run one case through the engine: `runtime` is a PolicyRuntime, `rules` the RuleMeta list of
 * the case's controls, `defaults` the default config inputs. Returns the alerts in the
 * shape of expected.json.
 */
export function evaluateCase(runtime, rules, c, defaults) {
  runtime.setConfig({
    postureControlInputs: { ...defaults, ...(c.data.postureControlInputs ?? {}) },
    dataControlInputs: c.data.dataControlInputs ?? {},
  });
  const objects = c.objects.map((object, id) => ({ id, object, source: { file: c.dir, docIndex: 0, itemPath: [] } }));
  const { alerts, warnings, errors, relevant, relevantRefs } = runtime.evaluate(objects, rules);
  // what the rules' relevance filters name — input objects and other resources (RBAC
  // subjects) alike — as "Kind/namespace/name" (undefined: no rule has a filter)
  const filtered = rules.filter((r) => r.relevance);
  const judged = filtered.length
    ? sorted(
        new Set([
          ...filtered.flatMap((r) => [...(relevant.get(r.name) ?? [])]).map((id) => objKey(refOf(c.objects[id]), true)),
          ...filtered.flatMap((r) => relevantRefs.get(r.name) ?? []).map((ref) => objKey(ref, true)),
        ]),
      )
    : undefined;
  // a rule that failed on an object (an error, no longer a warning) fails the case too
  return { alerts, relevant: judged, warnings: [...warnings, ...errors.map((e) => ({ rule: e.rule, message: e.message }))] };
}

const refOf = (obj) => ({ kind: obj?.kind, name: obj?.metadata?.name, namespace: obj?.metadata?.namespace });

/**
 * A case's `expectedRelevant` (the objects the rule's relevance filter must name, each
 * {kind, name, namespace}; a subject of a binding too, with the namespace it has there) against what the filter named: { ok, expected, got } as sorted
 * "Kind/namespace/name" keys. A rule without a filter names nothing, so a case that expects
 * some objects fails there too.
 */
export function compareRelevant(expectedRelevant, got) {
  const expected = sorted(expectedRelevant.map((o) => objKey(o, true)));
  const g = got ?? [];
  return { ok: JSON.stringify(expected) === JSON.stringify(g), expected, got: g };
}

/**
 * Alert messages, for rule cases that assert them: an expected alert may carry `message`
 * (the exact text). Returns one line per expected message that no alert with the same
 * objects and paths has; [] when every asserted message is there.
 */
export function compareMessages(expected, got) {
  const withNs = expected.every((a) => [...(a.objects ?? []), ...(a.externalObjects ?? [])].every((o) => "namespace" in o || o.metadata?.namespace !== undefined));
  const same = (a, b) => JSON.stringify(alertSummary(a, withNs, true)) === JSON.stringify(alertSummary(b, withNs, true));
  const problems = [];
  for (const e of expected) {
    if (typeof e.message !== "string") continue;
    const candidates = got.filter((g) => same(e, g));
    if (!candidates.some((g) => g.message === e.message)) {
      const seen = candidates.map((g) => JSON.stringify(g.message)).join(" or ") || "no alert with these objects and paths";
      problems.push(`  message: expected ${JSON.stringify(e.message)}, got ${seen}`);
    }
  }
  return problems;
}

/** Pretty diff lines for a failed comparison. */
export function diffLines(cmp) {
  const lines = [];
  const fmt = (a) =>
    `${a.objects || "(no object)"} failed=${JSON.stringify(a.failedPaths)} review=${JSON.stringify(a.reviewPaths)} delete=${JSON.stringify(a.deletePaths)} fix=${JSON.stringify(a.fixPaths)}`;
  const e = cmp.expected.map(fmt),
    g = cmp.got.map(fmt);
  for (const x of e) if (!g.includes(x)) lines.push(`  - expected: ${x}`);
  for (const x of g) if (!e.includes(x)) lines.push(`  + got:      ${x}`);
  return lines;
}
