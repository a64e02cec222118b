#!/usr/bin/env node
// Runs the CLI compiled in dist/ (npm run build); src/cli/main.ts says how commands are found.
import { fileURLToPath } from "node:url";

// oclif checks the running Node against its own engines field (>=18) by loading semver: about
// 10 ms of every start for a check our own engines field (>=20) already covers
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "version") {
  // what scripts and `kubectl plugin` users call to probe the CLI: answered without loading
  // oclif, which is about 60 ms of a 140 ms start (src/commands/version.ts prints the same)
  const { versionLine } = await import("../dist/version.js");
  process.stdout.write(versionLine());
} else {
  const { builtManifest, main } = await import("../dist/cli/main.js");
  const root = fileURLToPath(new URL("..", import.meta.url));
  await main(argv, { root, manifest: builtManifest(root) });
}
