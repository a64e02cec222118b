import { defineConfig } from "vitest/config";

// The terminal tier: the real CLI in a real terminal (tmux), one key at a time, and the real
// K9s (scripts/install-tools.sh k9s) against the real test API server (test/cluster).
export default defineConfig({
  test: {
    include: ["test/terminal/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
