import { defineConfig } from "vitest/config";

// The fuzz tier: property-based tests over generated manifests (test/fuzz), a fixed seed and
// budget (FUZZ_SEED, FUZZ_RUNS to change them). Not part of `npm test`: run by .ci/run.
export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
