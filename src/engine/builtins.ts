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
  const mult: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };
  return n * mult[m[2] ?? ""];
}

/** The builtins handed to the wasm SDK, by OPA name. */
export const customBuiltins: Record<string, (...args: any[]) => unknown> = {
  "units.parse_bytes": parseBytes,
  "units.parse": parseUnits,
};
