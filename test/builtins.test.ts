import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBytes, parseUnits, customBuiltins } from "../src/core/engine/builtins.js";
import { PolicyRuntime } from "../src/core/engine/runtime.js";

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

import { semverCompare, semverIsValid } from "../src/core/engine/builtins.js";

describe("semver builtins", () => {
  it("semver.is_valid follows SemVer 2.0.0 like OPA", () => {
    expect(["1.2.3", "0.0.0", "1.0.0-rc.1", "1.0.0+build.5", "1.0.0-alpha-beta"].map(semverIsValid)).toEqual([true, true, true, true, true]);
    expect(["v1.2.3", "1.2", "01.2.3", "1.2.3-", "", 3].map(semverIsValid)).toEqual([false, false, false, false, false, false]);
  });

  it("semver.compare orders by precedence, pre-releases before releases", () => {
    expect(semverCompare("1.2.3", "1.2.3")).toBe(0);
    expect(semverCompare("1.10.0", "1.9.9")).toBe(1);
    expect(semverCompare("1.0.0-rc.1", "1.0.0")).toBe(-1);
    expect(semverCompare("1.0.0-alpha", "1.0.0-alpha.1")).toBe(-1);
    expect(semverCompare("1.0.0-alpha.beta", "1.0.0-beta")).toBe(-1);
    expect(semverCompare("1.0.0-beta.11", "1.0.0-beta.2")).toBe(1);
    expect(semverCompare("1.0.0+a", "1.0.0+b")).toBe(0);
    expect(() => semverCompare("x", "1.0.0")).toThrow(/not a valid SemVer/);
  });
});
