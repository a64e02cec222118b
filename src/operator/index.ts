// The operator as a library, for the CLI commands and the TUI. Each piece is its own module,
// so a caller that only reads results never loads the operator's server.
export {
  readStoredReport,
  triggerScan,
  operatorStatus,
  hasOperator,
  installManifests,
  applyManifests,
  deleteManifests,
  NoOperatorError,
  type Scope,
  type TriggerOptions,
  type TriggerResult,
  type StatusView,
} from "./client.js";
export { reportFromStored, toWorkloadScans, toSummary, toNamespaceSummaries, resultName, STORAGE_API_VERSION } from "./storage.js";
export { DEFAULT_NAMESPACE, type OperatorStatus, type Condition } from "./protocol.js";
