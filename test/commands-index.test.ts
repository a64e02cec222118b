// The explicit command list (src/commands-index.ts) against the command files, and the
// build-time command manifest bin/run.js uses only while it is up to date.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands-index.js";
import { MANIFEST_FILE, builtManifest } from "../src/cli/main.js";

const commandsDir = path.resolve(import.meta.dirname, "..", "src", "commands");

/** oclif's id for a command file: scan/framework.ts → scan:framework, scan/index.ts → scan. */
function commandFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of fs.readdirSync(commandsDir, { recursive: true }) as string[]) {
    if (!/\.ts$/.test(rel) || /\.(test|d)\.ts$/.test(rel)) continue;
    const parts = rel.replace(/\.ts$/, "").split(path.sep);
    if (parts.at(-1) === "index") parts.pop();
    out.set(parts.join(":"), path.join(commandsDir, rel));
  }
  return out;
}

describe("src/commands-index.ts", () => {
  it("lists exactly the command files under src/commands", () => {
    const files = commandFiles();
    expect(files.size).toBeGreaterThan(5);
    const missing = [...files.keys()].filter((id) => !(id in COMMANDS));
    const extra = Object.keys(COMMANDS).filter((id) => !files.has(id));
    expect({ missing, extra }, "add or remove the command's line in src/commands-index.ts").toEqual({ missing: [], extra: [] });
  });

  it("loads each id's own file", async () => {
    for (const [id, file] of commandFiles()) {
      const viaIndex = (await (COMMANDS as Record<string, () => Promise<{ default: unknown }>>)[id]()).default;
      const direct = (await import(file)).default;
      expect(typeof direct, id).toBe("function");
      expect(viaIndex, id).toBe(direct);
    }
  });
});

describe("builtManifest", () => {
  function fakeBuild(ids: string[]) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ks-manifest-"));
    fs.mkdirSync(path.join(root, "dist", "commands"), { recursive: true });
    const js = path.join(root, "dist", "commands", "version.js");
    fs.writeFileSync(js, "export {};\n");
    const manifest = { version: "0.0.0", commands: Object.fromEntries(ids.map((id) => [id, { id }])) };
    fs.writeFileSync(path.join(root, MANIFEST_FILE), JSON.stringify(manifest));
    const t = Date.now() / 1000;
    fs.utimesSync(js, t - 60, t - 60);
    fs.utimesSync(path.join(root, MANIFEST_FILE), t - 30, t - 30);
    return { root, js, t };
  }

  it("is used when no compiled file is newer and it lists every command", () => {
    const { root } = fakeBuild(Object.keys(COMMANDS));
    expect(Object.keys(builtManifest(root)?.commands ?? {}).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it("is ignored once a compiled file is newer (tsc ran without the manifest step)", () => {
    const { root, js, t } = fakeBuild(Object.keys(COMMANDS));
    fs.utimesSync(js, t, t);
    expect(builtManifest(root)).toBeUndefined();
  });

  it("is ignored when its commands differ from the list, or when it is missing or broken", () => {
    expect(builtManifest(fakeBuild(Object.keys(COMMANDS).slice(1)).root)).toBeUndefined();
    const { root } = fakeBuild(Object.keys(COMMANDS));
    fs.writeFileSync(path.join(root, MANIFEST_FILE), "{not json");
    expect(builtManifest(root)).toBeUndefined();
    fs.rmSync(path.join(root, MANIFEST_FILE));
    expect(builtManifest(root)).toBeUndefined();
  });
});
