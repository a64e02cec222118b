// The scanner library: everything the CLI, the TUI and the operator use to scan, from one
// entry. Nothing here prints, exits or reads process flags; files the user names are read by
// the caller and handed over as data (parseConfigInputs, parseExceptions, parseReport check them).
export { Scanner, selectControls, DEFAULT_MAX_OBJECTS, type ScanRequest, type ScanOptions, type ScannerOptions } from "./scanner.js";
export type { ScanEvent, ScanEventListener } from "./events.js";
export { UserError, UsageError } from "./errors.js";

// sources
export type { Source, SourceContext, SourceObjects, SourceReport } from "./sources/source.js";
export { fileSource, streamSource } from "./sources/local.js";
export { clusterSource, inNamespaceScope, parseWorkload, type ClusterSourceOptions, type WorkloadRef } from "./sources/cluster-source.js";
export { reportSource } from "./sources/report-source.js";
export { helmSource, renderChart, HelmError, type HelmTemplateOptions } from "./sources/helm.js";
export { runTool, ToolError, type ToolRun, type ToolResult } from "./sources/tool.js";
export { DEFAULT_MAX_FILE_BYTES, InputPathError, type FileSourceOptions } from "./sources/files.js";

// inputs as data
export { parseConfigInputs, defaultConfigInputs, ConfigError, type ConfigInputs } from "./engine/config.js";
export { parseExceptions, ExceptionsError, type ExceptionPolicy } from "./scoring/exceptions.js";
export { parseReport, applyBaseline, diffReports, findingItems, BaselineError, type ReportDiff, type FindingItem } from "./scoring/baseline.js";

// the report and what is decided from it
export type { ScanReport, ControlResult, ResourceResult, ResourceFinding, PathEntry, FrameworkResult, ControlStatus } from "./scoring/result.js";
export { gate, SEVERITY_LEVELS, type GateOptions, type GateResult } from "./scoring/gate.js";
export { render, loadReporter, FORMATS, isFormat, formatFromExtension, type Format, type RenderOptions, type Reporter } from "../report/index.js";

// the control catalogue
export { Registry, type Control, type ControlDoc, type Framework } from "./engine/registry.js";
export { listControls, listFrameworks, explainControl, type ControlEntry, type FrameworkEntry, type ControlExplanation } from "./catalogue.js";
export type { Severity, K8sObject, ScanObject, ClusterInfo, SkippedFile } from "./model.js";
