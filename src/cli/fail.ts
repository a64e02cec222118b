// Usage and input errors: exactly one line on stderr ("error: …", never wrapped, no stack
// trace) and exit code 2.
import type { Command } from "@oclif/core";

export function fail(cmd: Command, message: string): never {
  process.stderr.write(`error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  return cmd.exit(2);
}
