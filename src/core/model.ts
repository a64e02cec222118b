// The data that flows one way through the scanner:
// source → objects (with positions) → engine → alerts → scoring → report.

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
  exact: boolean; // false when the path does not exist and its nearest parent is given
  /** for a rendered chart: where in what the user edits the field comes from */
  origin?: Origin;
}

/**
 * Where a rendered field comes from (a chart's template and values): what the user edits.
 * `note` says why the mapping stops short (ambiguous, or produced by code it cannot follow).
 */
export interface Origin {
  template?: { file: string; line: number };
  values?: { file: string; line?: number; key: string };
  note?: string;
}

/** Where an object came from, and how to turn a field path into a position there. */
export interface ObjectSource {
  file: string; // as given by the user (relative paths stay relative), "cluster", or a stream's name in angle brackets ("<stdin>", "<helm template ./chart>")
  docIndex: number; // 0-based document index in the file
  itemPath: (string | number)[]; // path of the object inside its document (e.g. ["items", 3] for a List)
}

export interface ScanObject {
  id: number;
  object: K8sObject;
  source: ObjectSource;
}

/** What a cluster scan read: where, which version, what was listed (also in the report's target). */
export interface ClusterInfo {
  context: string;
  server: string;
  version: string;
  namespace?: string;
  counts: Record<string, number>;
  /** kind → why it could not be listed (its controls are skipped with that reason) */
  unavailable: Record<string, string>;
  listMs: number;
  requests: number;
}

export interface SkippedFile {
  file: string;
  line?: number;
  reason: string;
}

export interface SourceResult {
  objects: ScanObject[];
  skippedFiles: SkippedFile[];
  /** documents that parsed but are not Kubernetes objects (no apiVersion/kind) */
  ignoredDocuments: number;
  filesRead: number;
  /** the files and documents ignored as not Kubernetes objects, one reason each (absent: none) */
  ignored?: SkippedFile[];
}

export interface FixPath {
  path: string;
  value: string;
}

export interface AlertObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  /** id of the ScanObject when the alert names an input object */
  id?: number;
}

export interface Alert {
  rule: string;
  message: string;
  objects: AlertObjectRef[];
  relatedObjects: AlertObjectRef[];
  failedPaths: string[];
  reviewPaths: string[];
  deletePaths: string[];
  fixPaths: FixPath[];
}

export type Severity = "Critical" | "High" | "Medium" | "Low" | "Info";

export const SEVERITY_ORDER: Severity[] = ["Critical", "High", "Medium", "Low", "Info"];

export function severityOf(baseScore: number): Severity {
  if (baseScore >= 9) return "Critical";
  if (baseScore >= 7) return "High";
  if (baseScore >= 4) return "Medium";
  if (baseScore >= 1) return "Low";
  return "Info";
}

/** Input that came from a stream, not a file a reader could open: named in angle brackets. */
export function isStreamName(file: string): boolean {
  return file.startsWith("<") && file.endsWith(">");
}
