import { Command } from "@oclif/core";
import { versionLine } from "../version.js";

export default class Version extends Command {
  static summary = "Print the version";

  async run(): Promise<void> {
    process.stdout.write(versionLine());
  }
}
