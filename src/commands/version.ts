import { Command } from "@oclif/core";
import { VERSION } from "../version.js";

export default class Version extends Command {
  static summary = "Print the version";

  async run(): Promise<void> {
    process.stdout.write(`kubescape-ts v${VERSION}\n`);
  }
}
