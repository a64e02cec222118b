// What every source gives the scanner: Kubernetes objects (with where they came from and how
// to place a field path in them), what could not be read, and what the report's target says.
// A saved report is a source too: it is re-rendered, not rescanned.
import type { ScanObject, SkippedFile } from "../model.js";
import type { ScanReport } from "../scoring/result.js";
import type { PositionIndex } from "./positions.js";
import type { ScanEvent } from "../events.js";

export interface SourceContext {
  /** the kinds the selected rules look at: a source may read only these (the cluster does) */
  kinds: ReadonlySet<string>;
  signal?: AbortSignal;
  onEvent: (e: ScanEvent) => void;
}

export interface SourceObjects {
  objects: ScanObject[];
  skippedFiles: SkippedFile[];
  /** documents that parsed but are not Kubernetes objects */
  ignoredDocuments: number;
  filesRead: number;
  /** files and documents ignored as not Kubernetes objects, one reason each */
  ignored?: SkippedFile[];
  /** turns field paths into file positions; absent for sources without text (the cluster) */
  positions?: PositionIndex;
  target: ScanReport["target"];
  /** kind → why it could not be read: the controls that need it are skipped with that reason */
  unavailable?: Record<string, string>;
  /**
   * Which namespaces are in scope (-n, --exclude-namespaces). The scanner applies it, in one
   * place, to the objects read and to the objects alerts name that were not read (RBAC subjects).
   */
  inScope?: (namespace: string | undefined) => boolean;
}

/** A source whose result is a finished report (a saved json report): nothing to evaluate. */
export interface SourceReport {
  report: ScanReport;
}

export interface Source {
  /** what the source reads, for messages: "files", "cluster", "report", "<helm template ./chart>" */
  readonly name: string;
  read(ctx: SourceContext): Promise<SourceObjects | SourceReport>;
}
