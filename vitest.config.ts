import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx", "src/**/*.test.ts"],
    exclude: ["test/integration/**", "test/consumers/**", "test/fuzz/**", "test/terminal/**", "node_modules/**"],
    // fails the run at once when rules/bundle is older than rules/
    globalSetup: ["test/support/bundle-fresh.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
