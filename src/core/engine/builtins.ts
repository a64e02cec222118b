// OPA builtins the rules use that the opa-wasm SDK does not provide. Each receives and
// returns plain JSON values, as the SDK passes them.

/** units.parse_bytes("512Mi") → 536870912; used for memory quantities. */
export function parseBytes(q: unknown): number {
  if (typeof q === "number") return q;
  if (typeof q !== "string") throw new Error("units.parse_bytes: operand must be a string");
  const m = /^\s*([+-]?\d*\.?\d+(?:e[+-]?\d+)?)\s*([kKMGTPE]i?|[mk]?)?[bB]?\s*$/.exec(q);
  if (!m) throw new Error(`units.parse_bytes: could not parse "${q}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toLowerCase();
  const pow: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, ti: 1024 ** 4, pi: 1024 ** 5, ei: 1024 ** 6, g: 1e9, t: 1e12, p: 1e15, e: 1e18 };
  // "M" (mega) and "m" (milli) differ only by case
  const mult = m[2] === "M" ? 1e6 : pow[unit];
  return Math.round(n * mult);
}

/** units.parse("250m") → 0.25, units.parse("2Gi") → 2147483648: Kubernetes quantities. */
export function parseUnits(q: unknown): number {
  if (typeof q === "number") return q;
  if (typeof q !== "string") throw new Error("units.parse: operand must be a string");
  const m = /^\s*([+-]?\d*\.?\d+(?:e[+-]?\d+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|m|k|K|M|G|T|P|E)?\s*$/.exec(q);
  if (!m) throw new Error(`units.parse: could not parse "${q}"`);
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
  };
  return n * mult[m[2] ?? ""];
}

/** The builtins handed to the wasm SDK, by OPA name. */
export const customBuiltins: Record<string, (...args: any[]) => unknown> = {
  "units.parse_bytes": parseBytes,
  "units.parse": parseUnits,
};

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** semver.is_valid(v): a strict Semantic Versioning 2.0.0 string (no leading "v", as in OPA). */
export function semverIsValid(v: unknown): boolean {
  return typeof v === "string" && !v.startsWith("v") && SEMVER.test(v);
}

/** semver.compare(a, b) → -1, 0 or 1 by SemVer 2.0.0 precedence (build metadata ignored). */
export function semverCompare(a: unknown, b: unknown): number {
  const pa = typeof a === "string" && !a.startsWith("v") ? SEMVER.exec(a) : null;
  const pb = typeof b === "string" && !b.startsWith("v") ? SEMVER.exec(b) : null;
  if (!pa) throw new Error(`semver.compare: operand 1: string "${a}" is not a valid SemVer`);
  if (!pb) throw new Error(`semver.compare: operand 2: string "${b}" is not a valid SemVer`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return Math.sign(d);
  }
  const ra = pa[4],
    rb = pb[4];
  if (ra === undefined || rb === undefined) return ra === rb ? 0 : ra === undefined ? 1 : -1;
  const xa = ra.split("."),
    xb = rb.split(".");
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]),
      nb = /^\d+$/.test(xb[i]);
    if (na && nb) {
      const d = Number(xa[i]) - Number(xb[i]);
      if (d !== 0) return Math.sign(d);
    } else if (na !== nb) return na ? -1 : 1;
    else if (xa[i] !== xb[i]) return xa[i] < xb[i] ? -1 : 1;
  }
  return 0;
}

customBuiltins["semver.is_valid"] = semverIsValid;
customBuiltins["semver.compare"] = semverCompare;
