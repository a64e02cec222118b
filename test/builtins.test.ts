import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBytes, parseUnits, customBuiltins } from "../src/engine/builtins.js";
import { PolicyRuntime } from "../src/engine/runtime.js";

describe("custom builtins", () => {
  it("units.parse understands Kubernetes quantities", () => {
    expect(parseUnits("250m")).toBeCloseTo(0.25);
    expect(parseUnits("2")).toBe(2);
    expect(parseUnits("1Gi")).toBe(1024 ** 3);
    expect(parseUnits("1G")).toBe(1e9);
    expect(parseUnits("1.5k")).toBe(1500);
    expect(() => parseUnits("lots")).toThrow(/could not parse/);
  });

  it("units.parse_bytes understands byte units", () => {
    expect(parseBytes("512Mi")).toBe(512 * 1024 ** 2);
    expect(parseBytes("1M")).toBe(1e6);
    expect(parseBytes("10KiB")).toBe(10240);
    expect(parseBytes(7)).toBe(7);
    expect(() => parseBytes({})).toThrow();
  });

  it("every builtin the compiled rules import is provided by the SDK or by us", async () => {
    const runtime = await PolicyRuntime.load();
    const require = createRequire(import.meta.url);
    const sdkDir = path.dirname(require.resolve("@open-policy-agent/opa-wasm"));
    const sdk = require(path.join(sdkDir, "builtins", "index.js"));
    // builtins compiled natively into the module are not imported at all
    const missing = runtime.importedBuiltins().filter((b) => !(b in sdk) && !(b in customBuiltins));
    expect(missing).toEqual([]);
  });
});
