// Generators for the fuzz tier: Kubernetes-shaped manifests as TEXT (YAML and JSON), each
// with the model of what Kubernetes reads from it. A file is built in two steps: fast-check
// draws the objects (hostile strings and keys, wrong types, YAML 1.1 spellings), then a
// seeded emitter writes them out with anchors, aliases, merge keys, duplicate keys, BOMs,
// comments, garbage documents and nesting, every choice one that keeps the model exact
// (an alias repeats the same node; a merge only moves keys; a duplicate key comes before the
// value that wins). `valid` mode draws only what a real API server accepts (the cluster tier).
import fc from "fast-check";

export type V = null | boolean | number | string | V[] | { [k: string]: V };
type M = { [k: string]: V };

/** A map from entries, every key an own property (a "__proto__" key too), the last one winning. */
export function mk(entries: [string, V][]): M {
  const o: M = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}
/**
 * A deep copy that keeps shared nodes shared. Generators copy what fast-check hands them
 * before changing it: fast-check reuses values while it shrinks.
 */
export function clone<T extends V>(v: T, memo = new Map<object, V>()): T {
  if (typeof v !== "object" || v === null) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen as T;
  const out: V = Array.isArray(v) ? [] : mk([]);
  memo.set(v, out);
  if (Array.isArray(v)) for (const x of v) (out as V[]).push(clone(x, memo));
  else for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: clone((v as M)[k], memo), enumerable: true, writable: true, configurable: true });
  return out as T;
}
const isMap = (v: unknown): v is M => typeof v === "object" && v !== null && !Array.isArray(v);

/** A canonical text of a value: keys sorted, NaN/Infinity/-0 and lone surrogates kept apart. */
export function canon(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? (Object.is(v, -0) ? "-0" : JSON.stringify(v)) : `#${v}`;
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (isMap(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
      .join(",")}}`;
  return String(v);
}

// ---- hostile material ----------------------------------------------------------------------

/** Strings that attack terminals, parsers, prototypes and the scanner's own markers. */
export const HOSTILE_STRINGS = [
  "\u001b[2J\u001b[H",
  "\u001b]0;pwned\u0007",
  "\r\u001b[K PASS: ALL CLEAR",
  "ok\u001b[1A\u001b[2K",
  "\u202eelif.yaml",
  "\u2066isolate\u2069",
  "\u200fmark\u061c",
  "\u009b31m",
  "\u0085nel",
  "\u2028line\u2029para",
  "\u0000",
  "\u0007\u0008\u000b\u000c\u007f",
  "tab\there",
  "line\nbreak\n",
  "\ufeffbom",
  "__proto__",
  "constructor",
  "yes",
  "No",
  "on",
  "0755",
  "0x1F",
  "1_000",
  "1e3",
  ".inf",
  "~",
  "null",
  "2024-01-01",
  "12:30:00",
  "*alias",
  "&anchor",
  "<<",
  "- item",
  "key: value",
  "# not a comment",
  "{{ .Values.x }}",
  "%YAML 1.1",
  "!!binary",
  "--- ",
  "...",
  "'\"\\",
  "\\x1b[31m",
  "😀\u0301",
];
/** Keys that are not what they seem: prototype names, empty, the merge key quoted, an exception annotation. */
export const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "",
  "<<",
  "\u0000<<merge\u0000",
  "ignore-control.kubescape.io/C-0057",
  "\u001b[31mred",
  "a.b/c",
  "k\u202eey",
  "yes",
  "123",
];
const LONE_SURROGATES = ["\ud800", "\udfff", "x\udc00y", "\ud83d"];

interface GenOpts {
  /** only what a real API server accepts (names, labels, known fields, no wrong types) */
  valid: boolean;
}

// strings from an alphabet (fc.stringMatching is exact but slow: most of the generation time)
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ALNUM = LOWER + LOWER.toUpperCase() + "0123456789";
const chars = (alphabet: string, minLength: number, maxLength: number) => fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((a) => a.join(""));
/** first + middle + last, or first alone: e.g. a DNS label */
const word = (first: string, middle: string, max: number, last = first) =>
  fc.tuple(chars(first, 1, 1), fc.option(fc.tuple(chars(middle, 0, max), chars(last, 1, 1)), { nil: undefined })).map(([a, b]) => a + (b ? b[0] + b[1] : ""));
const dnsLabel = word(LOWER, LOWER + "0123456789-", 10, LOWER + "0123456789");
const labelValue = fc.option(word(ALNUM, ALNUM + "._-", 20), { nil: "" });
const labelKey = fc.tuple(fc.option(word(LOWER + "0123456789", LOWER + "0123456789-", 10), { nil: undefined }), word(ALNUM, ALNUM + "._-", 15)).map(([p, n]) => (p ? `${p}/${n}` : n));

function hostileString(o: GenOpts): fc.Arbitrary<string> {
  const parts = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
    ...(o.valid ? [] : [{ weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) }]),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(parts, { minLength: 0, maxLength: 4 }).map((a) => a.join("")) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 60_000 }).map((n) => "A".repeat(n) + "\u001b[31m!") },
  );
}
/** Any string the API server accepts as is in a free-text field (no lone surrogates: Go turns them into U+FFFD). */
const textValue = (o: GenOpts) => fc.oneof({ weight: 3, arbitrary: hostileString(o) }, { weight: 1, arbitrary: word(LOWER, LOWER + "0123456789 ", 20, LOWER) });
const hostileKey = (o: GenOpts) => fc.oneof(fc.constantFrom(...HOSTILE_KEYS), hostileString(o));

/** A value of the wrong type for wherever it goes. */
const wrongValue: fc.Arbitrary<V> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constantFrom("", "not a map", "true"),
  fc.array(fc.integer(), { maxLength: 3 }),
  // fresh objects each draw: a shared one could be mutated into a cycle
  fc.constant(null).map(() => mk([])),
  fc.constant(null).map(() => mk([["__proto__", mk([["privileged", false]])]])),
);

function deep(depth: number, leaf: V, asList: boolean): V {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asList ? [v] : mk([["a", v]]);
  return v;
}

// ---- objects ---------------------------------------------------------------------------------

export interface GenObject {
  kind: string;
  /** the object as Kubernetes reads it (names filled in by genFile) */
  value: M;
  /** a hostile suffix of the name (not valid mode) */
  nameSuffix: string;
}

function container(o: GenOpts) {
  const sc = fc.record(
    {
      privileged: fc.boolean(),
      runAsUser: fc.integer({ min: 0, max: 70_000 }),
      runAsNonRoot: fc.boolean(),
      allowPrivilegeEscalation: fc.boolean(),
      readOnlyRootFilesystem: fc.boolean(),
      capabilities: fc.record({ add: fc.uniqueArray(fc.constantFrom("SYS_ADMIN", "NET_ADMIN", "ALL", "CHOWN", "sys_admin"), { maxLength: 2 }) }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
  const env = fc.array(fc.record({ name: word(LOWER.toUpperCase(), LOWER.toUpperCase() + "0123456789_", 8, LOWER.toUpperCase() + "0123456789_"), value: textValue(o) }), { maxLength: 3 });
  const ports = fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }).map((ps) => ps.map((p) => mk([["containerPort", p]])));
  return fc
    .record(
      {
        name: dnsLabel,
        image: o.valid ? fc.constantFrom("nginx", "nginx:1.27", "registry.local:5000/app@sha256:" + "a".repeat(64)) : fc.oneof(fc.constantFrom("nginx"), hostileString(o)),
        securityContext: sc,
        env,
        ports,
        extra: o.valid ? fc.constant([] as [string, V][]) : fc.array(fc.tuple(hostileKey(o), fc.oneof(hostileString(o), wrongValue)), { maxLength: 2 }),
        nest: o.valid ? fc.constant(undefined) : fc.option(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean()), { freq: 8 }),
      },
      { requiredKeys: ["name", "image"] },
    )
    .map(({ name, image, securityContext, env, ports, extra, nest }) => {
      const e: [string, V][] = [
        ["name", name],
        ["image", image],
      ];
      // hostile neighbours go before the fields the rules read: a later key of the same name wins anyway
      for (const x of extra ?? []) if (!["name", "image", "securityContext"].includes(x[0])) e.push(x);
      // the server refuses allowPrivilegeEscalation: false beside privileged or SYS_ADMIN
      if (o.valid && securityContext && (securityContext.privileged || securityContext.capabilities?.add?.length)) delete securityContext.allowPrivilegeEscalation;
      if (securityContext) e.push(["securityContext", mk(Object.entries(securityContext) as [string, V][])]);
      if (env?.length) e.push(["env", env.map((x) => mk(Object.entries(x) as [string, V][]))]);
      if (ports?.length) e.push(["ports", ports]);
      if (nest) e.push(["x-nested", deep(nest[0], "bottom", nest[1])]);
      // unique container names (the server refuses duplicates)
      return mk(e);
    });
}

function metadata(o: GenOpts, kind: string) {
  const labels = o.valid
    ? fc.dictionary(labelKey, labelValue, { maxKeys: 3 })
    : fc.dictionary(hostileKey(o), fc.oneof({ weight: 4, arbitrary: hostileString(o) }, { weight: 1, arbitrary: wrongValue }), { maxKeys: 3 });
  const annotations = fc.dictionary(o.valid ? labelKey : hostileKey(o), textValue(o), { maxKeys: 3 });
  return fc.record({
    suffix: o.valid ? fc.constant("") : fc.option(hostileString(o), { freq: 3, nil: "" }),
    namespace: o.valid || kind === "ClusterRole" ? fc.constant(undefined) : fc.option(fc.oneof(dnsLabel, hostileString(o)), { nil: undefined }),
    labels,
    annotations,
  });
}

function podSpec(o: GenOpts) {
  return fc
    .record({
      containers: fc.array(container(o), { minLength: 1, maxLength: 3 }),
      initContainers: fc.option(fc.array(container(o), { minLength: 1, maxLength: 1 }), { nil: undefined, freq: 4 }),
      hostNetwork: fc.option(fc.boolean(), { nil: undefined }),
      hostPID: fc.option(fc.boolean(), { nil: undefined }),
      repeat: fc.boolean(),
    })
    .map(({ containers, initContainers, hostNetwork, hostPID, repeat }) => {
      containers = containers.map((c) => clone(c));
      initContainers = initContainers?.map((c) => clone(c));
      // container names unique across the pod
      const all = [...containers, ...(initContainers ?? [])];
      all.forEach((c, i) => (c.name = `${c.name}-${i}`));
      // the same node twice: the emitter writes an anchor and an alias (kept valid: a renamed copy for the server)
      if (repeat && !o.valid && containers.length > 1) containers[containers.length - 1] = containers[0];
      const e: [string, V][] = [];
      if (hostNetwork !== undefined) e.push(["hostNetwork", hostNetwork]);
      if (hostPID !== undefined) e.push(["hostPID", hostPID]);
      e.push(["containers", containers]);
      if (initContainers) e.push(["initContainers", initContainers]);
      return mk(e);
    });
}

/** Put a wrong-typed value at one place of the object (what an API server would refuse or default). */
function mutate(v: M, where: number, bad: V): void {
  const spots: [M, string][] = [];
  const walk = (x: V, depth: number) => {
    if (depth > 6) return;
    if (Array.isArray(x)) x.forEach((y) => walk(y, depth + 1));
    else if (isMap(x))
      for (const k of Object.keys(x)) {
        if (k !== "apiVersion" && k !== "kind") spots.push([x, k]);
        walk(x[k], depth + 1);
      }
  };
  walk(v, 0);
  if (!spots.length) return;
  const [m, k] = spots[where % spots.length];
  Object.defineProperty(m, k, { value: bad, enumerable: true, writable: true, configurable: true });
}

export function genObject(o: GenOpts): fc.Arbitrary<GenObject> {
  const kind = fc.constantFrom("Pod", "Pod", "Deployment", "ConfigMap", "Role", "ClusterRole");
  return kind.chain((k) =>
    fc
      .record({
        meta: metadata(o, k),
        pod: podSpec(o),
        data: fc.dictionary(
          chars(ALNUM + "._-", 1, 20).filter((k) => k !== "." && k !== ".."),
          fc.oneof(
            textValue(o),
            fc.array(chars(Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(""), 0, 20), { maxLength: 4 }).map((ls) => ls.join("\n") + "\n"),
          ),
          { maxKeys: 4 },
        ),
        rules: fc.array(
          fc.record({
            apiGroups: fc.uniqueArray(fc.constantFrom("", "apps", "*", "rbac.authorization.k8s.io"), { minLength: 1, maxLength: 2 }),
            resources: fc.uniqueArray(fc.constantFrom("pods", "secrets", "*", "pods/exec", "deployments"), { minLength: 1, maxLength: 3 }),
            verbs: fc.uniqueArray(fc.constantFrom("get", "list", "create", "*", "delete", "escalate"), { minLength: 1, maxLength: 3 }),
          }),
          { maxLength: 2 },
        ),
        mutation: o.valid ? fc.constant(undefined) : fc.option(fc.tuple(fc.nat(), wrongValue), { freq: 4, nil: undefined }),
      })
      .map(({ meta, pod, data, rules, mutation }) => {
        const md: [string, V][] = [["name", ""]];
        if (meta.namespace !== undefined) md.push(["namespace", meta.namespace]);
        if (Object.keys(meta.labels).length) md.push(["labels", mk(Object.entries(meta.labels))]);
        if (Object.keys(meta.annotations).length) md.push(["annotations", mk(Object.entries(meta.annotations))]);
        const head: [string, V][] = [
          ["apiVersion", k === "Deployment" ? "apps/v1" : k.endsWith("Role") ? "rbac.authorization.k8s.io/v1" : "v1"],
          ["kind", k],
          ["metadata", mk(md)],
        ];
        let body: [string, V][] = [];
        if (k === "Pod") body = [["spec", pod]];
        if (k === "Deployment")
          body = [
            [
              "spec",
              mk([
                ["selector", mk([["matchLabels", mk([["app", "fz"]])]])],
                [
                  "template",
                  mk([
                    ["metadata", mk([["labels", mk([["app", "fz"]])]])],
                    ["spec", pod],
                  ]),
                ],
              ]),
            ],
          ];
        if (k === "ConfigMap" && Object.keys(data).length) body = [["data", mk(Object.entries(data))]];
        if (k.endsWith("Role")) body = [["rules", rules.map((r) => mk(Object.entries(r) as [string, V][]))]];
        const value = clone(mk([...head, ...body]));
        if (mutation) mutate(value, mutation[0], clone(mutation[1]));
        return { kind: k, value, nameSuffix: meta.suffix };
      }),
  );
}

/** The containers of a Pod or Deployment as read (undefined when the shape is not a pod's). */
export function containersOf(v: M): V[] {
  const spec = v.kind === "Pod" ? v.spec : isMap(v.spec) && isMap(v.spec.template) ? v.spec.template.spec : undefined;
  if (!isMap(spec)) return [];
  return [spec.containers, spec.initContainers].flatMap((l) => (Array.isArray(l) ? l : []));
}

/** Whether a container of the object is privileged as the model reads it. */
export function privilegedIn(v: M): boolean {
  return containersOf(v).some((c) => isMap(c) && isMap(c.securityContext) && c.securityContext.privileged === true);
}

// ---- files -----------------------------------------------------------------------------------

export interface GenFile {
  name: string;
  text: string;
  /** Kubernetes-looking objects (string apiVersion and kind) in the file, as Kubernetes reads them */
  objects: { kind: string; name: string | undefined; value: M }[];
  /** the file holds text no YAML parser accepts: it must be skipped whole */
  broken: boolean;
  /** the file may be refused whole for a reason the generator cannot rule out (nesting too deep for a recursive parser) */
  mayFail: boolean;
}

/** A small seeded generator (mulberry32) for the emitter's choices: reproducible from the fast-check draw. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, chance: (p: number) => next() < p, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

const BOOL_SPELLINGS = { true: ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], false: ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] };
const NULL_SPELLINGS = ["null", "Null", "NULL", "~"];
const RESERVED_PLAIN = new Set([...BOOL_SPELLINGS.true, ...BOOL_SPELLINGS.false, ...NULL_SPELLINGS].map((s) => s.toLowerCase()));
const ODD_ANCHORS = ["a", "x1", "Anchor_9", "with-dash", "dotted.name", "uni\u00e9", "a/b", "x:y", "💥", "__proto__", "<<"];
const VALID_ANCHORS = ["a", "x1", "Anchor_9", "with-dash", "proto__"];

/** Plain (unquoted) only when the text is a string under every YAML schema. */
const plainSafe = (s: string) => /^[A-Za-z][A-Za-z0-9_./-]{0,40}$/.test(s) && !RESERVED_PLAIN.has(s.toLowerCase()) && !s.endsWith(".");

function dq(s: string, r: Rng): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    if (pair) {
      out += s.slice(i, i + 2);
      i++;
    } else if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\u001b" && r.chance(0.5)) out += "\\e";
    else if (ch === "\n" && r.chance(0.5)) out += "\\n";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c >= 0xfffe) {
      out += c <= 0xff && r.chance(0.5) ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
    } else if ((c === 0x202e || c === 0x2066 || c === 0x200f) && r.chance(0.5)) out += `\\u${c.toString(16).toUpperCase()}`;
    else out += ch;
  }
  return out + '"';
}
// single quotes: printable text without line breaks (U+0085, U+2028/9 are breaks to go-yaml)

const SQ_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/;

function yamlString(s: string, r: Rng): string {
  if (plainSafe(s) && r.chance(0.6)) return s;
  if (!SQ_UNSAFE.test(s) && r.chance(0.3)) return `'${s.replace(/'/g, "''")}'`;
  return dq(s, r);
}

function yamlNumber(n: number, r: Rng): string {
  if (Number.isNaN(n)) return r.pick([".nan", ".NaN", ".NAN"]);
  if (n === Infinity) return r.pick([".inf", "+.Inf", ".INF"]);
  if (n === -Infinity) return r.pick(["-.inf", "-.Inf"]);
  if (Object.is(n, -0)) return "-0.0";
  if (Number.isSafeInteger(n) && n >= 0) {
    return r.pick([String(n), String(n), `0x${n.toString(16)}`, `0o${n.toString(8)}`, n ? `0${n.toString(8)}` : "0", `+${n}`, String(n).replace(/(\d)(?=(\d{3})+$)/g, "$1_")]);
  }
  if (Number.isSafeInteger(n)) return String(n);
  return String(n); // e.g. 1.5, 1e+21, -2.5e-7: YAML floats with the same value
}

function scalar(v: V, r: Rng): string {
  if (v === null) return r.pick(NULL_SPELLINGS);
  if (typeof v === "boolean") return r.pick(BOOL_SPELLINGS[String(v) as "true" | "false"]);
  if (typeof v === "number") return yamlNumber(v, r);
  return yamlString(v as string, r);
}

interface EmitCtx {
  r: Rng;
  valid: boolean;
  /** nodes that appear more than once (anchored at their first appearance, aliased after) */
  shared: Set<object>;
  anchors: Map<object, string>;
  anchorCount: number;
  /** duplicate keys written (the scanner reports each one) */
  duplicates: number;
}

function anchorFor(x: object, ctx: EmitCtx): string {
  const name = `${ctx.r.pick(ctx.valid ? VALID_ANCHORS : ODD_ANCHORS)}${ctx.anchorCount++}`;
  ctx.anchors.set(x, name);
  return name;
}

/** A flow (one-line) form of a value: JSON-like, with YAML spellings. */
function flow(v: V, ctx: EmitCtx): string {
  if (typeof v === "object" && v !== null) {
    const alias = ctx.anchors.get(v);
    if (alias !== undefined) return `*${alias}`;
    const anchor = ctx.shared.has(v) ? `&${anchorFor(v, ctx)} ` : "";
    if (Array.isArray(v)) return `${anchor}[${v.map((x) => flow(x, ctx)).join(", ")}]`;
    return `${anchor}{${mapEntries(v, ctx)
      .map(([k, x, text]) => `${k}: ${text ?? flow(x!, ctx)}`)
      .join(", ")}}`;
  }
  return scalar(v, ctx.r);
}

/**
 * The entries a map is written with: its own, sometimes a `<<` merge that holds some of them
 * (first, or last when the keys are disjoint), sometimes a key written twice with a junk
 * value first. Each entry is [key text, value]; a merge's value is pre-written text.
 */
function mapEntries(m: M, ctx: EmitCtx): [string, V | undefined, string?][] {
  const { r } = ctx;
  const keys = Object.keys(m);
  const out: [string, V | undefined, string?][] = [];
  let explicit = keys;
  let merge: string | undefined;
  let mergeFirst = true;
  if (keys.length >= 2 && r.chance(0.15)) {
    // some keys move into the merge; overrides of merged keys come after the merge
    const moved = keys.filter(() => r.chance(0.5));
    if (moved.length && moved.length < keys.length) {
      explicit = keys.filter((k) => !moved.includes(k));
      const sub = mk(moved.map((k) => [k, m[k]]));
      const anchor = r.chance(0.5) ? `&${anchorFor({}, ctx)} ` : "";
      if (r.chance(0.5)) {
        // a list of maps: the earlier map wins, so a later one may carry junk for the same keys
        const junk = mk(moved.map((k) => [k, "junk-from-later-merge"]));
        merge = `[${anchor}${flow(sub, ctx)}, ${flow(junk, ctx)}]`;
      } else merge = `${anchor}${flow(sub, ctx)}`;
      mergeFirst = r.chance(0.7);
    }
  }
  if (merge !== undefined && mergeFirst) out.push(["<<", undefined, merge]);
  for (const k of explicit) {
    const kt = yamlString(k, r);
    if (r.chance(0.03)) {
      out.push([kt, "junk-before-duplicate"]);
      ctx.duplicates++;
    }
    out.push([kt, m[k]]);
  }
  if (merge !== undefined && !mergeFirst) out.push(["<<", undefined, merge]);
  return out.map(([k, v, text]) => (text !== undefined ? [k, undefined, text] : [k, v]));
}

function block(v: V, indent: number, ctx: EmitCtx, lines: string[], lead: string): void {
  const pad = " ".repeat(indent);
  if (typeof v !== "object" || v === null || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0) || ctx.anchors.has(v) || ctx.r.chance(0.1) || indent > 60) {
    lines.push(lead ? `${lead} ${flow(v, ctx)}` : flow(v, ctx));
    return;
  }
  const anchor = ctx.shared.has(v) ? ` &${anchorFor(v, ctx)}` : "";
  if (lead || anchor) lines.push(lead ? `${lead}${anchor}` : anchor.trim());
  if (Array.isArray(v)) {
    for (const x of v) block(x, indent + 2, ctx, lines, `${pad}-`);
    return;
  }
  for (const [k, x, text] of mapEntries(v, ctx)) {
    if (text !== undefined) lines.push(`${pad}${k}: ${text}`);
    else block(x!, indent + 2, ctx, lines, `${pad}${k}:`);
  }
}

/** Documents that are not Kubernetes objects (ignored or reported, never counted as objects). */
const GARBAGE_DOCS = [
  "just a string",
  "42",
  "- a\n- b",
  "{}",
  "kind: Pod\nmetadata: {name: no-api-version}",
  "apiVersion: v1\nkind: [not, a, string]",
  "apiVersion: 5\nkind: Pod\nmetadata: {name: numeric-api}",
  "# only a comment \u202e",
  "~",
  "!!binary aGVsbG8=",
  "apiVersion: v1\nkind: List\nitems: []",
];
/** Text no YAML parser accepts: the whole file is skipped. */
const BROKEN_DOCS = ["a: [unclosed", "key: *undefined_alias", "\u0001raw control", "a: b\n\tc: tab indent", "x: &a [*a]", "{a: 1", "a: 'unterminated"];

function shareNodes(v: V, seen: Set<object>, shared: Set<object>): void {
  if (typeof v !== "object" || v === null) return;
  if (seen.has(v)) {
    shared.add(v);
    return;
  }
  seen.add(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) shareNodes(x, seen, shared);
}

export interface FileDraw {
  objects: GenObject[];
  json: boolean;
  seed: number;
}

export function genFileDraw(o: GenOpts, maxObjects = 4): fc.Arbitrary<FileDraw> {
  return fc.record({ objects: fc.array(genObject(o), { minLength: 1, maxLength: maxObjects }), json: fc.boolean(), seed: fc.integer() });
}

/** Write the drawn objects as one file; names are made unique (`fz-<file>-<n>` and the drawn suffix). */
export function writeFile(draw: FileDraw, fileIndex: number, o: GenOpts): GenFile {
  const r = rng(draw.seed);
  const objects: GenFile["objects"] = [];
  draw = { ...draw, objects: draw.objects.map((g) => ({ ...g, value: clone(g.value) })) };
  for (const [i, g] of draw.objects.entries()) {
    const name = `fz-${fileIndex}-${i}${g.nameSuffix}`;
    const md = g.value.metadata;
    if (isMap(md) && md.name === "") md.name = name;
    const n = isMap(md) && typeof md.name === "string" ? md.name : undefined;
    if (typeof g.value.apiVersion === "string" && typeof g.value.kind === "string") objects.push({ kind: g.kind, name: n, value: g.value });
  }
  const broken = !o.valid && r.chance(0.05);
  let mayFail = false;
  const depthOf = (v: V): number => (typeof v === "object" && v !== null ? 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf)) : 0);
  if (draw.objects.some((g) => depthOf(g.value) > 200)) mayFail = true;

  if (draw.json) {
    // one JSON document: the object, or a List of them
    const jsonText = (v: V) => jsonEscape(JSON.stringify(v), r);
    const doc =
      draw.objects.length === 1 && r.chance(0.5)
        ? jsonText(draw.objects[0].value)
        : jsonText(
            mk([
              ["apiVersion", "v1"],
              ["kind", "List"],
              ["items", draw.objects.map((g) => g.value)],
            ]),
          );
    const text = (!o.valid && r.chance(0.1) ? "\ufeff" : "") + (broken ? doc.slice(0, -1) : doc);
    return { name: `f${fileIndex}.json`, text, objects, broken, mayFail };
  }

  const ctx: EmitCtx = { r, valid: o.valid, shared: new Set(), anchors: new Map(), anchorCount: 0, duplicates: 0 };
  const docs: string[] = [];
  const garbage = () => {
    if (!o.valid && r.chance(0.25)) docs.push(r.pick(GARBAGE_DOCS));
  };
  garbage();
  for (const g of draw.objects) {
    ctx.shared = new Set();
    shareNodes(g.value, new Set(), ctx.shared);
    const lines: string[] = [];
    if (r.chance(0.2)) lines.push(`# ${r.pick(["comment", "\u202eevil comment", "kind: Secret", "---"])}`);
    // a whole document in flow style (not for the server: kubectl reads a file that starts with "{" as JSON)
    if (!o.valid && r.chance(0.15)) lines.push(flow(g.value, ctx));
    else block(g.value, 0, ctx, lines, "");
    docs.push(lines.join("\n"));
    garbage();
  }
  if (broken) docs.splice(Math.floor(r.next() * (docs.length + 1)), 0, r.pick(BROKEN_DOCS));
  let text = "";
  for (const [i, d] of docs.entries()) {
    const bom = r.chance(0.08) ? "\ufeff" : "";
    // kubectl keeps a leading "---" line in the first document, so a BOM after it is not at a document's start there (the scanner drops it: a difference in the harmless direction, kept out of the server's sample)
    if (i === 0) text += r.chance(0.3) && !(o.valid && bom) ? `---\n${bom}${d}\n` : `${bom}${d}\n`;
    else text += `${r.chance(0.1) ? "...\n" : ""}---${r.chance(0.1) ? " # doc" : ""}\n${bom}${d}\n`;
  }
  if (r.chance(0.1)) text += "---\n";
  return { name: `f${fileIndex}.${r.pick(["yaml", "yml", "YAML"])}`, text, objects, broken, mayFail };
}

/** JSON text with some characters written as \u escapes (JSON.stringify already escapes lone surrogates). */
function jsonEscape(s: string, r: Rng): string {
  if (!r.chance(0.5)) return s;
  let inString = false;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "\\") {
      const len = s[i + 1] === "u" ? 6 : 2; // an escape JSON.stringify wrote stays whole
      out += s.slice(i, i + len);
      i += len - 1;
      continue;
    }
    if (ch === '"') inString = !inString;
    const c = s.charCodeAt(i);
    out += inString && ch !== '"' && (c > 0x7e || r.chance(0.05)) ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

/** Everything generated for one batch: files with distinct names, each object's name unique. */
export function genBatch(o: GenOpts, files: { min: number; max: number }): fc.Arbitrary<GenFile[]> {
  return fc.array(genFileDraw(o), { minLength: files.min, maxLength: files.max }).map((draws) => draws.map((d, i) => writeFile(d, i, o)));
}
