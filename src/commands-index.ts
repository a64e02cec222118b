// Every CLI command by its oclif id ("scan:framework" is `kubescape scan framework`), each
// imported only when it runs, so `version` does not load the scan engine. This list replaces
// oclif's scan of dist/commands (src/cli/main.ts), which also lets the bundled executable find
// its commands. Adding a command file? Add its line here: test/commands-index.test.ts checks
// that this list and src/commands/** agree.
import type { Command } from "@oclif/core";

export type CommandLoader = () => Promise<{ default: Command.Class }>;

export const COMMANDS = {
  diff: () => import("./commands/diff.js"),
  explain: () => import("./commands/explain.js"),
  helm: () => import("./commands/helm.js"),
  "helm:release": () => import("./commands/helm/release.js"),
  list: () => import("./commands/list.js"),
  scan: () => import("./commands/scan/index.js"),
  "scan:chart": () => import("./commands/scan/chart.js"),
  "scan:control": () => import("./commands/scan/control.js"),
  "scan:framework": () => import("./commands/scan/framework.js"),
  "scan:workload": () => import("./commands/scan/workload.js"),
  "operator:install": () => import("./commands/operator/install.js"),
  "operator:results": () => import("./commands/operator/results.js"),
  "operator:run": () => import("./commands/operator/run.js"),
  "operator:scan": () => import("./commands/operator/scan.js"),
  "operator:status": () => import("./commands/operator/status.js"),
  "operator:uninstall": () => import("./commands/operator/uninstall.js"),
  "operator:upgrade": () => import("./commands/operator/upgrade.js"),
  "serve-metrics": () => import("./commands/serve-metrics.js"),
  tui: () => import("./commands/tui.js"),
  "k9s:install": () => import("./commands/k9s/install.js"),
  "k9s:uninstall": () => import("./commands/k9s/uninstall.js"),
  version: () => import("./commands/version.js"),
} satisfies Record<string, CommandLoader>;
