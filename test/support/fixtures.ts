// Inputs several tests share.

/** An exception for log-agent's host PID finding (C-0038) in examples/, so the formats that list excepted findings have one. */
export const agentHostPidException = {
  name: "agent-needs-host-pid",
  policyType: "postureExceptionPolicy",
  actions: ["alertOnly"],
  resources: [{ designatorType: "Attributes", attributes: { kind: "DaemonSet", name: "log-agent" } }],
  posturePolicies: [{ controlID: "C-0038" }],
};
