// Where the TUI's report comes from. The views only know ReportProvider: a scan through a
// Scanner kept loaded for rescans, a saved json report, or (later) results another component
// stored, such as the in-cluster operator — anything that can yield a ScanReport.
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
  signal?: AbortSignal;
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
