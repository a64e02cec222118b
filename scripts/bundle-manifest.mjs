// Writes dist/commands.manifest.json: every command's id, flags and summary, so bin/run.js
// routes and shows help without loading every command (src/cli/main.ts). Run after tsc
// (npm run build does). If a command cannot be loaded the manifest is removed and the CLI
// falls back to loading every command, so the failure shows where it belongs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { commandManifest, MANIFEST_FILE } = await import("../dist/cli/main.js");
const file = path.join(root, MANIFEST_FILE);
try {
  const manifest = await commandManifest(root);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest));
  fs.renameSync(tmp, file);
} catch (e) {
  fs.rmSync(file, { force: true });
  console.error(`warning: no command manifest (${e?.message ?? e}); the CLI will load every command to start`);
}
