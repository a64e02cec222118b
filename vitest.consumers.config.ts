import { defineConfig } from "vitest/config";

// The consumers tier: report files read back by the real tools people open them with
// (headless Chromium, poppler's pdftotext/pdftoppm). System packages: scripts/install-system.sh.
export default defineConfig({
  test: {
    include: ["test/consumers/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
