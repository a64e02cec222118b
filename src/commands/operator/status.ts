import { Command, Flags } from "@oclif/core";
import { operatorFlags, kubeOptions } from "../../cli/operator-flags.js";
import { forTerminal } from "../../core/escape.js";

export default class OperatorStatusCommand extends Command {
  static summary = "Show the operator's components, versions, leader, last scan and health";
  static examples = ["<%= config.bin %> operator status", "<%= config.bin %> operator status --json"];
  static flags = { ...operatorFlags, json: Flags.boolean({ description: "print the status as JSON" }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(OperatorStatusCommand);
    const { operatorStatus } = await import("../../operator/client.js");
    const s = await operatorStatus(kubeOptions(flags), flags["operator-namespace"]);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      return;
    }
    const t = (v: unknown) => forTerminal(String(v));
    const lines = [`operator namespace ${t(s.namespace)} · CLI ${t(s.cliVersion)}`, `storage:     ${t(s.storage)}${s.results ? ` · ${s.results} workload results` : ""}`];
    lines.push(
      s.deployment
        ? `deployment:  ${s.deployment.ready}/${s.deployment.replicas} ready · image ${t(s.deployment.image)}`
        : "deployment:  none (not installed by `kubescape operator install`; an out-of-cluster operator may still run)",
    );
    lines.push(s.lease ? `leader:      ${t(s.lease.holder || "(none)")} · renewed ${t(s.lease.renewTime)}${s.lease.fresh ? "" : " (expired)"}` : "leader:      no Lease (no operator has run here)");
    if (s.status) {
      lines.push(`version:     ${t(s.status.version)} · ${s.status.controls} controls${s.status.frameworks.length ? ` (${t(s.status.frameworks.join(", "))})` : ""}`);
      lines.push(`last scan:   ${t(s.status.lastScan || "never")} · last full scan ${t(s.status.lastFullScan || "never")}`);
      lines.push(`watching:    ${Object.values(s.status.watched).reduce((a, b) => a + b, 0)} objects of ${Object.keys(s.status.watched).length} kinds`);
      for (const c of s.status.conditions) lines.push(`  ${c.status === "True" ? "✓" : "✗"} ${t(c.type)}: ${t(c.reason)} — ${t(c.message)}`);
    }
    const healthy = !!s.lease?.fresh && !!s.status && s.status.conditions.every((c) => c.status === "True");
    lines.push(`health:      ${healthy ? "ok" : "degraded"}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
}
