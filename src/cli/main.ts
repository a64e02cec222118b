// The CLI entry of bin/run.js (dist/) and of the bundled executable (scripts/bundle.mjs).
// oclif runs with the command list of src/commands-index.ts instead of scanning dist/commands,
// and with a command manifest made at build time (ids, flags and summaries: what routing and
// --help need), so a command loads only its own modules. Without an up-to-date manifest every
// command is loaded to describe them, as oclif does by default: slower, same behaviour.
import fs from "node:fs";
import path from "node:path";
import { Config, Errors, Plugin, flush, handle, run, type Command, type Interfaces } from "@oclif/core";
import { COMMANDS, type CommandLoader } from "../commands-index.js";
import { EXIT, reportUserError } from "./errors.js";

export type CommandManifest = Interfaces.Manifest;

/** Written by scripts/bundle-manifest.mjs (npm run build), read by bin/run.js. */
export const MANIFEST_FILE = path.join("dist", "commands.manifest.json");

export interface MainOptions {
  /** the package root (the executable's directory in the single executable) */
  root: string;
  /** package.json; read from root when absent */
  pjson?: Interfaces.PJSON;
  manifest?: CommandManifest;
}

type Overrides = {
  getCommandIDs(): Promise<string[]>;
  findCommand(id: string, opts?: { must?: boolean }): Promise<Command.Class | undefined>;
  _manifest?(): Promise<CommandManifest>;
  commandIDs: string[];
};

/** The root oclif plugin, with its commands from COMMANDS and, if given, its manifest. */
export async function commandPlugin(opts: MainOptions): Promise<Plugin> {
  const plugin = new Plugin({ root: opts.root, pjson: opts.pjson, isRoot: true, ignoreManifest: true });
  // oclif has no public hook for either; own properties shadow its private methods.
  const own = plugin as unknown as Overrides;
  const loaders: Record<string, CommandLoader> = COMMANDS;
  own.getCommandIDs = async () => Object.keys(loaders);
  own.findCommand = async (id, o = {}) => {
    const load = Object.hasOwn(loaders, id) ? loaders[id] : undefined;
    if (!load) {
      if (o.must) throw new Errors.CLIError(`command ${id} not found`);
      return undefined;
    }
    const cmd = (await load()).default;
    cmd.id = id;
    cmd.plugin = plugin;
    return cmd;
  };
  const manifest = opts.manifest;
  if (manifest) {
    own._manifest = async () => {
      own.commandIDs = Object.keys(manifest.commands);
      return manifest;
    };
  }
  await plugin.load();
  return plugin;
}

/** The manifest of every command, as bin/run.js and the executable use it. */
export async function commandManifest(root: string): Promise<CommandManifest> {
  const plugin = await commandPlugin({ root });
  // drop what only oclif's own file loading uses
  const commands = Object.fromEntries(
    Object.entries(plugin.manifest.commands).map(([id, c]) => {
      const { isESM: _e, relativePath: _r, ...rest } = c as Command.Cached & { isESM?: boolean; relativePath?: string[] };
      return [id, rest];
    }),
  );
  return { version: plugin.manifest.version, commands };
}

/**
 * The manifest written at build time, if no compiled file in dist/ is newer than it and it
 * lists exactly the commands of COMMANDS (else undefined: describe commands by loading them).
 */
export function builtManifest(root: string): CommandManifest | undefined {
  const file = path.join(root, MANIFEST_FILE);
  try {
    const built = fs.statSync(file).mtimeMs;
    const dist = path.join(root, "dist");
    for (const e of fs.readdirSync(dist, { recursive: true, withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith(".js") && fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs > built) return undefined;
    }
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as CommandManifest;
    const ids = Object.keys(manifest.commands ?? {}).sort();
    const want = Object.keys(COMMANDS).sort();
    return ids.length === want.length && ids.every((id, i) => id === want[i]) ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export async function main(argv: string[], opts: MainOptions): Promise<void> {
  try {
    const plugin = await commandPlugin(opts);
    const config = await Config.load({ root: opts.root, pjson: plugin.pjson, plugins: new Map([[plugin.name, plugin]]) });
    await run(argv, config);
    await flush();
  } catch (e) {
    if (reportUserError(e)) return;
    // a bug: oclif prints it with its stack; its exit code is never 1, which means "findings
    // over the threshold" to a CI job
    const err = e as Error & { oclif?: { exit?: number } };
    if (err instanceof Error && err.oclif?.exit === undefined) err.oclif = { ...err.oclif, exit: EXIT.input };
    await handle(err);
  }
}
