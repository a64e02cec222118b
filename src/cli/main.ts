// The CLI entry of bin/run.js (dist/) and of the bundled executable (scripts/bundle.mjs).
// oclif runs with the command list of src/commands-index.ts instead of scanning dist/commands,
// and with a command manifest made at build time (ids, flags and summaries: what routing and
// --help need), so a command loads only its own modules. Without an up-to-date manifest every
// command is loaded to describe them, as oclif does by default: slower, same behaviour.
import fs from "node:fs";
import path from "node:path";
import { Config, Errors, Plugin, flush, handle, run, type Command, type Interfaces } from "@oclif/core";
import { COMMANDS, type CommandLoader } from "../commands-index.js";
import { EXIT, oneLine, reportUserError } from "./errors.js";
import { didYouMean } from "./suggest.js";

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

/** What argument handling needs to know of a command (a subset of its manifest entry). */
export interface CommandShape {
  flags: Record<string, { char?: string; type: string; name?: string }>;
  args?: Record<string, { name: string; required?: boolean }>;
  strict?: boolean;
}

/**
 * The command a command line names, and the line with the command's words first: oclif finds
 * a subcommand only right after its topic, so `scan -n x control C-0057` would scan a path
 * "control". The first word that is not a flag or a flag's value, after the topic, is taken
 * as its subcommand when there is one of that name. `id` is undefined when the first word
 * names no command (a flag such as --help, or a typo).
 */
export function commandArgv(argv: string[], commands: Record<string, CommandShape>): { argv: string[]; id?: string } {
  const first = argv[0];
  if (first === undefined || first.startsWith("-") || !Object.hasOwn(commands, first)) return { argv };
  let id = first;
  const rest = argv.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--") break;
    if (a.startsWith("-") && a.length > 1) {
      if (a.includes("=")) continue;
      const flags = Object.values(commands[id].flags);
      const f = a.startsWith("--") ? commands[id].flags[a.slice(2)] : a.length === 2 ? flags.find((x) => x.char === a[1]) : undefined;
      if (f?.type === "option") i++; // its value
      continue;
    }
    if (Object.hasOwn(commands, `${id}:${a}`)) {
      id = `${id}:${a}`;
      rest.splice(i, 1);
      return { argv: [...id.split(":"), ...rest], id };
    }
    break;
  }
  return { argv: [...id.split(":"), ...rest], id };
}

/** One line of how a command is called, e.g. "kubescape scan control CONTROLS... [flags]". */
export function usageLine(bin: string, id: string, cmd: CommandShape): string {
  const args = Object.values(cmd.args ?? {}).map((a) => {
    const name = a.name.toUpperCase() + (cmd.strict === false ? "..." : "");
    return a.required ? name : `[${name}]`;
  });
  return [bin, ...id.split(":"), ...args, "[flags]"].join(" ");
}

/** The command-line error oclif's parser throws (unknown flag, bad value, missing argument). */
type ParseError = Error & { parse?: unknown; flags?: string[]; oclif?: { exit?: number } };

/**
 * An unknown command, flag or argument as one line with a suggestion, then the usage line
 * (not the whole help, which buries the error), exit 2.
 */
function reportCommandLineError(e: unknown, ctx: { bin: string; id?: string; commands: Record<string, CommandShape> }): boolean {
  const err = e as ParseError;
  if (!(e instanceof Errors.CLIError) || err.parse === undefined || !ctx.id) return false;
  const cmd = ctx.commands[ctx.id];
  let line = err.message.split("\n")[0].replace(/:$/, "");
  const missing = (err as { args?: { name?: string }[] }).args;
  if (/^Missing \d+ required arg/.test(err.message) && Array.isArray(missing) && missing.length) line = `missing ${missing.map((a) => a.name ?? "argument").join(", ")}`;
  if (err.flags?.length) {
    const known = Object.values(cmd.flags).flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]);
    const bad = err.flags[0].replace(/=.*$/, "");
    line = `unknown flag ${bad}${didYouMean(bad, known)}`;
  }
  const cmdName = [ctx.bin, ...ctx.id.split(":")].join(" ");
  process.stderr.write(`error: ${oneLine(line)}\nusage: ${usageLine(ctx.bin, ctx.id, cmd)}  (${cmdName} --help for all flags)\n`);
  process.exitCode = EXIT.input;
  return true;
}

export async function main(argv: string[], opts: MainOptions): Promise<void> {
  // `kubescape help [command...]`, as kubectl and helm take it
  if (argv[0] === "help") argv = [...argv.slice(1).filter((a) => !a.startsWith("-")), "--help"];
  const ctx: { bin: string; id?: string; commands: Record<string, CommandShape> } = { bin: "kubescape", commands: {} };
  try {
    const plugin = await commandPlugin(opts);
    const config = await Config.load({ root: opts.root, pjson: plugin.pjson, plugins: new Map([[plugin.name, plugin]]) });
    ctx.bin = config.bin;
    ctx.commands = plugin.manifest.commands as unknown as Record<string, CommandShape>;
    const line = commandArgv(argv, ctx.commands);
    ctx.id = line.id;
    const first = argv[0];
    const topic = first !== undefined && Object.keys(ctx.commands).some((id) => id.startsWith(`${first}:`));
    if (first !== undefined && !first.startsWith("-") && !line.id && !topic) {
      const words = Object.keys(ctx.commands).filter((id) => !id.includes(":"));
      process.stderr.write(
        `error: unknown command "${oneLine(first, 60)}"${didYouMean(first, words)}\nusage: ${ctx.bin} COMMAND [flags]  (${ctx.bin} --help lists the commands: ${words.join(", ")})\n`,
      );
      process.exitCode = EXIT.input;
      return;
    }
    await run(line.argv, config);
    await flush();
  } catch (e) {
    if (reportUserError(e)) return;
    if (reportCommandLineError(e, ctx)) return;
    // a bug: oclif prints it with its stack; its exit code is never 1, which means "findings
    // over the threshold" to a CI job
    const err = e as Error & { oclif?: { exit?: number } };
    if (err instanceof Error && err.oclif?.exit === undefined) err.oclif = { ...err.oclif, exit: EXIT.input };
    await handle(err);
  }
}
