// Where the TUI's report comes from. The views only know ReportProvider: a scan through a
// Scanner kept loaded for rescans, a saved json report, or (later) results another component
// stored (the in-cluster operator's results, with `r` asking it for a scan) — anything that
// can yield a ScanReport.
import type { ScanEvent } from "../core/events.js";
import type { ScanReport } from "../core/scoring/result.js";
import type { K8sObject, ScanObject } from "../core/model.js";
import type { Scanner, ScanRequest } from "../core/scanner.js";
import type { Source } from "../core/sources/source.js";
import type { Registry } from "../core/engine/registry.js";
import { explainControl, type ControlExplanation } from "../core/catalogue.js";
import { resourceID } from "../core/scoring/collector.js";

export interface LoadOptions {
  onEvent?: (e: ScanEvent) => void;
  /** progress of what is not a scan of ours (the operator's scan), one line at a time */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** `r` was pressed (the first load is not a rescan): the operator provider scans only then */
  rescan?: boolean;
}

export interface ReportProvider {
  /** what is shown, for the title line: "examples/", "cluster admin", "report.json" */
  readonly title: string;
  /** whether `r` runs the scan again (a saved report is only reread) */
  readonly rescans: boolean;
  /** the report: scanned (progress through onEvent, stopped by signal) or read */
  load(opts: LoadOptions): Promise<ScanReport>;
  /** the scanned object of a resource (by resourceID), when the provider kept it */
  object?(id: string): K8sObject | undefined;
  /** a control's explanation, the same text as `kubescape explain` */
  explain?(controlID: string): ControlExplanation | undefined;
  /** what the report is, beyond the title, once it is loaded ("stored results of …, last scan …") */
  note?(report: ScanReport): string | undefined;
  /** what `r` does, for the key hints (default "rescan") */
  readonly rescanLabel?: string;
  /** release what the provider holds (the scanner's worker threads) */
  close?(): Promise<void>;
}

/** A source that keeps the objects it read, by resourceID, for the detail view. */
function keeping(source: Source, into: Map<string, K8sObject>): Source {
  return {
    name: source.name,
    async read(ctx) {
      const read = await source.read(ctx);
      into.clear();
      if ("objects" in read) {
        for (const o of read.objects as ScanObject[]) {
          const md = o.object.metadata ?? {};
          into.set(resourceID({ apiVersion: o.object.apiVersion, kind: o.object.kind, name: String(md.name ?? ""), namespace: String(md.namespace ?? "") }), o.object);
        }
      }
      return read;
    },
  };
}

/**
 * Scans with a Scanner that stays loaded: each load() (the first one and every rescan) runs
 * the request again, so a rescan costs the reading and evaluation only.
 */
export function scannerProvider(scanner: Scanner, request: ScanRequest, title: string): ReportProvider {
  const objects = new Map<string, K8sObject>();
  const req: ScanRequest = { ...request, source: keeping(request.source, objects) };
  return {
    title,
    rescans: true,
    load: (opts) => scanner.scan(req, { onEvent: opts.onEvent, signal: opts.signal }),
    object: (id) => objects.get(id),
    explain: (id) => explainControl(scanner.registry, id),
    close: () => scanner.close(),
  };
}

/** A finished report (a saved json report, or one another component stored). */
export function staticProvider(load: () => Promise<ScanReport> | ScanReport, title: string, registry?: () => Registry): ReportProvider {
  let reg: Registry | undefined;
  return {
    title,
    rescans: false,
    load: async (opts) => {
      opts.signal?.throwIfAborted();
      return load();
    },
    explain: registry ? (id) => explainControl((reg ??= registry()), id) : undefined,
  };
}

/** The in-cluster operator as the TUI needs it (src/operator's client, or a test's stand-in). */
export interface OperatorSource {
  /** the stored results, and when the operator last scanned (undefined: none stored) */
  read(): Promise<{ report: ScanReport; lastScan?: string } | undefined>;
  /** ask the operator for a scan and wait until its results are written */
  trigger(opts: { onProgress: (line: string) => void; signal: AbortSignal }): Promise<unknown>;
}

/**
 * The operator's stored results: opening reads them (no scan of ours), `r` triggers an
 * operator scan, shows its progress, then reads the results again.
 */
export function operatorProvider(op: OperatorSource, title: string, registry?: () => Registry): ReportProvider {
  let reg: Registry | undefined;
  let lastScan: string | undefined;
  return {
    title,
    rescans: true,
    rescanLabel: "operator scan",
    load: async (opts) => {
      const signal = opts.signal ?? new AbortController().signal;
      if (opts.rescan) {
        opts.onProgress?.("asking the operator for a scan…");
        await op.trigger({ onProgress: (line) => !signal.aborted && opts.onProgress?.(line), signal });
        signal.throwIfAborted();
        opts.onProgress?.("reading the stored results…");
      }
      const got = await op.read();
      signal.throwIfAborted();
      if (!got) throw new Error("the operator has stored no results (is it still installed? see: kubescape operator status)");
      lastScan = got.lastScan || got.report.startedAt;
      return got.report;
    },
    note: () => `stored results of the in-cluster operator, last scan ${lastScan ?? "unknown"}`,
    explain: registry ? (id) => explainControl((reg ??= registry()), id) : undefined,
  };
}

/** Installing the operator, offered by the TUI (with a confirmation) when none is found. */
export interface InstallOffer {
  /** the namespace it installs into, for the question */
  namespace: string;
  install(onProgress: (line: string) => void): Promise<void>;
}
