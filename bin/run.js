#!/usr/bin/env node
// Runs the CLI compiled in dist/ (npm run build); src/cli/main.ts says how commands are found.
import { fileURLToPath } from "node:url";

// oclif checks the running Node against its own engines field (>=18) by loading semver: about
// 10 ms of every start for a check our own engines field (>=20) already covers
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";
const { builtManifest, main } = await import("../dist/cli/main.js");

const root = fileURLToPath(new URL("..", import.meta.url));
await main(process.argv.slice(2), { root, manifest: builtManifest(root) });
