// The files a scan's flags name (--controls-config, --exceptions, --baseline, diff's reports):
// read here, checked by the core's parsers. The core never opens a file the user named.
import fs from "node:fs";
import YAML from "yaml";
import { ConfigError, parseConfigInputs, type ConfigInputs } from "../core/engine/config.js";
import { ExceptionsError, parseExceptions, type ExceptionPolicy } from "../core/scoring/exceptions.js";
import { BaselineError, parseReport } from "../core/scoring/baseline.js";
import type { ScanReport } from "../core/scoring/result.js";

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
/** a parser's complaint without the source text it may quote */
const reason = (e: unknown) => (e as Error).message.split("\n")[0];

export function readConfigInputs(file: string): ConfigInputs {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${file}: cannot read controls config (${code(e)})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: invalid controls config: ${reason(e)}`);
  }
  return parseConfigInputs(doc, file);
}

export function readExceptions(file: string): ExceptionPolicy[] {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ExceptionsError(`${file}: ${err.code ? `cannot read exceptions file (${err.code})` : `invalid exceptions file: ${reason(e)}`}`);
  }
  return parseExceptions(doc, file);
}

/** An earlier json report (the `json` format of this tool). */
export function readReport(file: string): ScanReport {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new BaselineError(`${file}: cannot read (${code(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BaselineError(`${file}: not JSON; write reports with --format json`);
  }
  return parseReport(data, file);
}
