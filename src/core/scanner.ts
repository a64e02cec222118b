// The scanner: created once, it holds the control registry and the compiled rules (and their
// worker threads) for as many scans as its holder runs — one for the CLI, many for the TUI and
// the operator. A scan is source → objects → engine → findings → scoring → report; it reports
// progress as events and stops when its signal is aborted.
import type { Alert } from "./model.js";
import { Registry, type Control, type RuleMeta } from "./engine/registry.js";
import { PolicyRuntime } from "./engine/runtime.js";
import { defaultConfigInputs, type ConfigInputs } from "./engine/config.js";
import { FindingCollector } from "./scoring/collector.js";
import { score } from "./scoring/assemble.js";
import type { ScanReport } from "./scoring/result.js";
import { ExceptionMatcher, type ExceptionPolicy } from "./scoring/exceptions.js";
import { applyBaseline } from "./scoring/baseline.js";
import { PositionIndex } from "./sources/positions.js";
import type { Source } from "./sources/source.js";
import type { ScanEventListener } from "./events.js";
import { UsageError } from "./errors.js";
import { VERSION } from "../version.js";

export interface ScanRequest {
  source: Source;
  /** control IDs to run; default: every implemented control */
  controls?: string[];
  /** frameworks whose controls to run (wins over controls) */
  frameworks?: string[];
  /** control inputs that override the defaults, key by key ({"insecureCapabilities": [...]}) */
  controlInputs?: ConfigInputs;
  /** accepted findings (Kubescape's posture-exception policies) */
  exceptions?: ExceptionPolicy[];
  /**
   * honour `ignore-control.kubescape.io/<ID>` annotations on the objects (default true); false
   * where the manifests' authors are not trusted (CI, admission): their findings stay failed
   */
  annotationExceptions?: boolean;
  /**
   * refuse a scan of more objects than this (default DEFAULT_MAX_OBJECTS): memory grows with
   * the findings, and a clear refusal beats running out of memory part way
   */
  maxObjects?: number;
  /** an earlier report: findings are marked new or existing; `name` is what the report calls it */
  baseline?: { report: Pick<ScanReport, "resources">; name: string };
}

/**
 * A bound, not a target: a scan of 100,000 one-container Pods (2.6 million findings) is
 * scanned; beyond this many objects it is refused at once rather than run out of memory part way.
 */
export const DEFAULT_MAX_OBJECTS = 250_000;

export interface ScanOptions {
  onEvent?: ScanEventListener;
  /** aborting stops the scan (reading, evaluation in the worker threads) and rejects with the signal's reason */
  signal?: AbortSignal;
  /** stage timings in ms (readParse, evaluate, score), for the benchmarks */
  timings?: Record<string, number>;
}

export interface ScannerOptions {
  /** evaluation threads (default: one per core, at most 8) */
  threads?: number;
  /** objects per wasm call for per-object rules */
  chunkSize?: number;
  /** the compiled rules (default: the package's rules/bundle/policy.wasm) */
  wasmFile?: string;
  /** the controls, frameworks and rules those compiled rules implement (default: the package's) */
  registry?: Registry;
}

/** Resolve framework names or control IDs to controls; an unknown name is a usage error. */
export function selectControls(registry: Registry, sel: { controls?: string[]; frameworks?: string[] }): Control[] {
  if (sel.frameworks?.length) {
    const ids = new Set<string>();
    for (const name of sel.frameworks) {
      const f = registry.framework(name);
      if (!f) throw new UsageError(`unknown framework "${name}" (see: kubescape list frameworks)`);
      f.controls.forEach((id) => ids.add(id));
    }
    return [...ids].map((id) => registry.controls.get(id)!).filter(Boolean);
  }
  if (sel.controls?.length) {
    return sel.controls.map((id) => {
      const c = registry.control(id);
      if (!c) throw new UsageError(`unknown control "${id}" (see: kubescape list controls)`);
      return c;
    });
  }
  return registry.implemented();
}

export class Scanner {
  private readonly defaults: ConfigInputs;

  private constructor(
    readonly registry: Registry,
    private readonly runtime: PolicyRuntime,
    private readonly opts: ScannerOptions,
  ) {
    this.defaults = defaultConfigInputs();
  }

  static async create(opts: ScannerOptions = {}): Promise<Scanner> {
    return new Scanner(opts.registry ?? Registry.load(), await PolicyRuntime.load(opts.wasmFile), opts);
  }

  async scan(req: ScanRequest, opts: ScanOptions = {}): Promise<ScanReport> {
    const { signal } = opts;
    const emit: ScanEventListener = opts.onEvent ?? (() => {});
    const t = opts.timings ?? {};
    signal?.throwIfAborted();
    const startedAt = new Date();
    const controls = selectControls(this.registry, req);
    let rules: RuleMeta[] = [...new Map(controls.flatMap((c) => c.rules).map((r) => [r.name, r])).values()];

    let t0 = performance.now();
    const read = await req.source.read({ kinds: new Set(rules.flatMap((r) => r.matchKinds)), signal, onEvent: emit });
    t.readParse = performance.now() - t0;
    signal?.throwIfAborted();
    if ("report" in read) {
      if (!req.baseline) return read.report;
      const report = structuredClone(read.report);
      applyBaseline(report, req.baseline.report, req.baseline.name);
      return report;
    }

    // controls whose kinds could not be read are skipped with the reason, never passed
    const missing = read.unavailable ?? {};
    const unavailable = new Map<string, string>();
    for (const c of controls) {
      const kind = c.rules.flatMap((r) => r.matchKinds).find((k) => Object.hasOwn(missing, k));
      if (kind) unavailable.set(c.id, missing[kind]);
    }
    rules = rules.filter((r) => !r.matchKinds.some((k) => Object.hasOwn(missing, k)));

    // the namespace scope, in one place: for the objects read, and for objects alerts name
    // that were not read (RBAC subjects of cluster-wide bindings)
    const inScope = read.inScope;
    const objects = inScope ? read.objects.filter((o) => inScope(o.object.kind === "Namespace" ? o.object.metadata?.name : o.object.metadata?.namespace)) : read.objects;
    if (objects.length !== read.objects.length) {
      objects.forEach((o, i) => (o.id = i));
      // what the target says was read is what is scanned
      const cluster = read.target.cluster;
      if (cluster) {
        const counts: Record<string, number> = {};
        for (const o of objects) counts[o.object.kind] = (counts[o.object.kind] ?? 0) + 1;
        read.target.cluster = { ...cluster, counts };
      }
    }
    // the limit is on what is scanned: objects out of the namespace scope cost nothing further
    const limit = req.maxObjects ?? DEFAULT_MAX_OBJECTS;
    if (objects.length > limit) {
      throw new UsageError(`${objects.length} objects to scan, more than the limit of ${limit} (--max-objects): scan folders or namespaces apart, or raise the limit`);
    }

    t0 = performance.now();
    this.runtime.setConfig({ postureControlInputs: { ...this.defaults, ...(req.controlInputs ?? {}) } });
    const findings = new FindingCollector(controls, objects);
    const onAlert = (a: Alert) => {
      if (inScope && a.objects.length) {
        const named = a.objects.filter((o) => o.id !== undefined || inScope(o.namespace));
        if (!named.length) return;
        if (named.length < a.objects.length) a = { ...a, objects: named };
      }
      findings.add(a);
    };
    const evaluated = await this.runtime.evaluateParallel(objects, rules, {
      chunkSize: this.opts.chunkSize,
      threads: this.opts.threads,
      onAlert,
      onProgress: (done, total) => emit({ type: "evaluated", done, total }),
      signal,
    });
    t.evaluate = performance.now() - t0;
    signal?.throwIfAborted();
    // fail closed: an object a rule could not evaluate fails that rule's controls, with the reason
    for (const e of evaluated.errors) findings.addError(e);
    for (const [rule, ids] of evaluated.relevant) findings.addRelevant(rule, ids);
    for (const [rule, refs] of evaluated.relevantRefs) findings.addRelevantRefs(rule, refs);
    const cuts = evaluated.cuts.map((c) => {
      const o = objects[c.objectId];
      return `${o.object.kind}/${o.object.metadata?.name ?? ""} (${o.source.file}): ${c.path}: ${c.reason}; the rules saw the object without it`;
    });

    t0 = performance.now();
    const positions = read.positions ?? new PositionIndex();
    const report = score({
      registry: this.registry,
      controls,
      source: { objects, skippedFiles: read.skippedFiles, ignoredDocuments: read.ignoredDocuments, filesRead: read.filesRead, ...(read.ignored ? { ignored: read.ignored } : {}) },
      findings,
      resolve: (file, requests) => positions.resolveFile(file, requests),
      target: read.target,
      unavailable,
      startedAt,
      generator: { name: "kubescape-ts", version: VERSION },
      warnings: [...evaluated.warnings.map((w) => w.message), ...cuts],
      exceptions: new ExceptionMatcher(req.exceptions ?? [], new Date(), req.annotationExceptions ?? true),
    });
    if (req.baseline) applyBaseline(report, req.baseline.report, req.baseline.name);
    t.score = performance.now() - t0;
    emit({ type: "scored", resources: report.summary.resources.total, failed: report.summary.resources.failed });
    return report;
  }

  /** Start the evaluation threads now (a holder about to scan a large input, e.g. once its cluster lists are read). */
  warm(): void {
    this.runtime.warm(this.opts.threads);
  }

  /** Stop the worker threads. The scanner cannot scan afterwards. */
  async close(): Promise<void> {
    await this.runtime.close();
  }
}
