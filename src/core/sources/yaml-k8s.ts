// YAML as Kubernetes reads it. kubectl and the API server turn YAML into JSON with
// sigs.k8s.io/yaml, which decodes with go-yaml v2 into interface{} values: YAML 1.1 plain
// scalars (yes/no/on/off/y/n are booleans, 0755 is octal), but a timestamp-looking plain
// scalar stays the string it was written as, there are no sexagesimal numbers, and `<<` is
// a merge key only when written plain. This schema gives js-yaml exactly those rules; the
// merge itself is done afterwards (manifests.ts) because go-yaml v2 applies merges in
// source order, which js-yaml does not.
import { randomUUID } from "node:crypto";
import jsyaml from "js-yaml";

/**
 * A plain `<<` key becomes this string; a quoted "<<" stays a key of its own. Unguessable
 * (random per process): a fixed string could be written as a quoted key ("\0<<merge\0")
 * and merged, e.g. over `privileged: true`, which Kubernetes keeps.
 */
export const MERGE_KEY = `\u0000<<merge:${randomUUID()}\u0000`;

// go-yaml v2's resolve table (resolve.go): these exact spellings and no others.
const BOOL = new Map<string, boolean>([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((s) => [s, true] as [string, boolean]),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((s) => [s, false] as [string, boolean]),
]);
const NULL = new Set(["", "~", "null", "Null", "NULL"]);
const SPECIAL_FLOAT = new Map<string, number>([
  ...[".nan", ".NaN", ".NAN"].map((s) => [s, NaN] as [string, number]),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, Infinity] as [string, number]),
  ...["-.inf", "-.Inf", "-.INF"].map((s) => [s, -Infinity] as [string, number]),
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT_DOT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/; // what strconv.ParseFloat takes of a value starting with "."

/** Go strconv.ParseInt/ParseUint/big.Int with base 0 (underscores already removed). */
function goInt(s: string): number | undefined {
  if (!GO_INT.test(s)) return undefined;
  let sign = 1n;
  let body = s;
  if (body[0] === "+" || body[0] === "-") {
    if (body[0] === "-") sign = -1n;
    body = body.slice(1);
  }
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt("0x" + body.slice(2));
  else if (/^0[bB]/.test(body)) v = BigInt("0b" + body.slice(2));
  else if (/^0[oO]/.test(body)) v = BigInt("0o" + body.slice(2));
  else if (body.length > 1 && body[0] === "0") v = BigInt("0o" + body.slice(1));
  else v = BigInt(body);
  return Number(sign * v);
}

/** The value go-yaml v2 gives an untagged plain scalar decoded into interface{}. */
export function resolvePlain(s: string): unknown {
  if (BOOL.has(s)) return BOOL.get(s);
  if (NULL.has(s)) return null;
  if (SPECIAL_FLOAT.has(s)) return SPECIAL_FLOAT.get(s);
  const c = s.charCodeAt(0);
  if (c === 0x2e /* . */) return GO_FLOAT_DOT.test(s) ? Number(s) : s;
  const digit = c >= 0x30 && c <= 0x39;
  if (!digit && c !== 0x2b && c !== 0x2d) return s; // only digits and signs start numbers
  if (/^[0-9]{4}-/.test(s)) return s; // a timestamp (or nothing): decoded into interface{} it stays a string
  const plain = s.includes("_") ? s.replace(/_/g, "") : s;
  const i = goInt(plain);
  if (i !== undefined) return i;
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return f; // out of range: strconv fails, the value stays a string
  }
  return s;
}

const resolvesToNonString = (s: string) => typeof resolvePlain(s) !== "string";

// One implicit type covers every non-string plain scalar (js-yaml tries implicit types only
// on plain scalars, so quoted ones stay strings).
const plainScalar = new jsyaml.Type("tag:kubescape-ts,2024:plain", {
  kind: "scalar",
  resolve: (d: string) => d === "<<" || resolvesToNonString(d),
  construct: (d: string) => (d === "<<" ? MERGE_KEY : resolvePlain(d)),
});

// Explicit standard tags: !!str keeps the text; !!int, !!float, !!bool, !!null resolve it.
const explicit = (tag: string, ok: (v: unknown) => boolean) =>
  new jsyaml.Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (d: string) => ok(resolvePlain(d ?? "")), construct: (d: string) => resolvePlain(d ?? "") });
const explicitTypes = [
  explicit("int", (v) => typeof v === "number"),
  explicit("float", (v) => typeof v === "number"),
  explicit("bool", (v) => typeof v === "boolean"),
  explicit("null", (v) => v === null),
  new jsyaml.Type("tag:yaml.org,2002:timestamp", { kind: "scalar", construct: (d: string) => d }),
  new jsyaml.Type("tag:yaml.org,2002:binary", { kind: "scalar", construct: (d: string) => Buffer.from(d.replace(/\s/g, ""), "base64").toString("latin1") }),
  // go-yaml v2 keeps the value of any other tag (!Ref, !!foo) as if it had none
  ...(["scalar", "sequence", "mapping"] as const).flatMap((kind) =>
    ["!", "tag:yaml.org,2002:"].map((tag) => new jsyaml.Type(tag, { kind, multi: true, construct: (d: unknown) => d ?? (kind === "scalar" ? "" : d) })),
  ),
];

export const K8S_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [plainScalar], explicit: explicitTypes });

/**
 * How deep a YAML document may nest. js-yaml's default of 100 refused whole files that the
 * API server takes (go-yaml allows 10,000) and that are read as JSON; 1,000 is deeper than
 * any Kubernetes object needs and well within the stack of every recursive step after the
 * parse (alias resolution, positions). Deeper: the file is refused, one line, never a crash.
 */
export const MAX_YAML_DEPTH = 1_000;

/** The options every parse of manifest YAML uses (js-yaml's typings do not know maxDepth yet). */
export const K8S_LOAD_OPTIONS: jsyaml.LoadOptions & { maxDepth: number } = { schema: K8S_SCHEMA, maxDepth: MAX_YAML_DEPTH };

/**
 * Byte-order marks: one may start any document of a stream (kubectl splits the stream at
 * `---` lines and decodes each part on its own). Dropped where a document starts; line
 * numbers do not change.
 */
export function dropByteOrderMarks(text: string): string {
  if (!text.includes("\ufeff")) return text;
  return text.replace(/(^|\n)((?:---|\.\.\.)[^\n]*\n)?\ufeff/g, "$1$2");
}
