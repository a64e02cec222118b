// The one place where errors become stderr lines and exit codes. A UserError (bad input, a
// cluster that refuses, a tool that fails) is one line, "error: …", and exit 2; anything else
// is a bug and oclif prints it with its stack.
import { UsageError, UserError } from "../core/errors.js";
import { forTerminalCut } from "../core/escape.js";

export const EXIT = {
  /** nothing over the thresholds */
  clean: 0,
  /** findings over --severity-threshold / --compliance-threshold */
  findings: 1,
  /** usage or input error, or inputs that could not be scanned */
  input: 2,
} as const;

/** the longest line of text taken from the input that stderr shows (a 15 MB name is cut, not printed) */
const MAX_LINE = 500;

/** One line, safe for a terminal: line breaks and other control characters shown escaped, never sent; cut at 500 characters. */
export function oneLine(message: string, max = MAX_LINE): string {
  return forTerminalCut(message, max);
}

/** Print a user error as its one line and set exit code 2; false for anything else. */
export function reportUserError(e: unknown): boolean {
  if (!(e instanceof UserError)) return false;
  process.stderr.write(`error: ${oneLine(e.message)}\n`);
  process.exitCode = EXIT.input;
  return true;
}

/** Stop the command with a usage error (one line, exit 2). */
export function fail(message: string): never {
  throw new UsageError(message);
}
