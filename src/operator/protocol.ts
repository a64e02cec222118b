// What the operator and its clients (the CLI, the TUI) agree on: our command resource, the
// status the operator publishes, and the Kubescape operator's REST trigger.

/** Our own group for what Kubescape's storage API has no kind for (scan requests). */
export const COMMAND_GROUP = "operator.kubescape-ts.io";
export const COMMAND_VERSION = "v1alpha1";
export const COMMAND_KIND = "ScanCommand";
export const COMMAND_PLURAL = "scancommands";

/** The ConfigMap (in the operator's namespace) where the leader publishes its status. */
export const STATUS_CONFIGMAP = "kubescape-ts-operator-status";
export const LEASE_NAME = "kubescape-ts-operator";
export const DEFAULT_NAMESPACE = "kubescape";
/** the Service of the chart, and the port the Kubescape operator serves its REST API on */
export const SERVICE_NAME = "operator";
export const SERVICE_PORT = 4002;

/**
 * Command names of the Kubescape operator's POST /v1/triggerAction that mean "run a
 * configuration scan" (armoapi-go's TypeRunKubescape and TypeRunKubescapeJob); ours runs
 * both as a scan.
 */
export const TRIGGER_COMMANDS = ["kubescapeScan", "runKubescapeJob"];

export interface Condition {
  type: string;
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface OperatorStatus {
  version: string;
  identity: string;
  leader: boolean;
  lastScan: string;
  lastFullScan: string;
  /** kind → objects watched */
  watched: Record<string, number>;
  queue: number;
  conditions: Condition[];
  controls: number;
  frameworks: string[];
}
