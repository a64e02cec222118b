// Control configuration inputs: the defaults shipped in config/default-config-inputs.json,
// overridden key by key by a user file of the shape {"postureControlInputs": {...}}.
import { readDataText } from "../data-files.js";
import { UserError } from "../errors.js";

export type ConfigInputs = Record<string, unknown>;

export class ConfigError extends UserError {}

export function defaultConfigInputs(): ConfigInputs {
  return JSON.parse(readDataText("config", "default-config-inputs.json"));
}

/**
 * Check a parsed controls config ({"postureControlInputs": {key: [values]}}); `name` is for
 * messages. Returns the inputs it overrides.
 */
export function parseConfigInputs(doc: unknown, name: string): ConfigInputs {
  const inputs = (doc as { postureControlInputs?: unknown } | null)?.postureControlInputs;
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw new ConfigError(`${name}: expected {"postureControlInputs": {...}}`);
  }
  for (const [k, v] of Object.entries(inputs)) {
    if (!Array.isArray(v)) throw new ConfigError(`${name}: postureControlInputs.${k} must be a list`);
  }
  return inputs as ConfigInputs;
}
