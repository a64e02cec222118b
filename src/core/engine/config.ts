// Control configuration inputs: the defaults shipped in config/default-config-inputs.json,
// overridden key by key by a user file of the shape {"postureControlInputs": {...}}.
import fs from "node:fs";
import YAML from "yaml";
import { readDataText } from "../data-files.js";
import { UserError } from "../errors.js";

export type ConfigInputs = Record<string, unknown>;

export class ConfigError extends UserError {}

export function defaultConfigInputs(): ConfigInputs {
  return JSON.parse(readDataText("config", "default-config-inputs.json"));
}

export function loadConfigInputs(file?: string): ConfigInputs {
  const defaults = defaultConfigInputs();
  if (!file) return defaults;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${file}: cannot read controls config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: invalid controls config: ${(e as Error).message.split("\n")[0]}`);
  }
  const inputs = (doc as { postureControlInputs?: unknown } | null)?.postureControlInputs;
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw new ConfigError(`${file}: expected {"postureControlInputs": {...}}`);
  }
  for (const [k, v] of Object.entries(inputs)) {
    if (!Array.isArray(v)) throw new ConfigError(`${file}: postureControlInputs.${k} must be a list`);
  }
  return { ...defaults, ...inputs };
}
