// The opa-wasm runtime: one compiled module holds every rule; the engine asks for the
// rules it wants per call (input.rules) and feeds objects in chunks (plan.ts), on the main
// thread or in a pool of worker threads kept for the runtime's life (pool.ts).
import fs from "node:fs";
import os from "node:os";
import type { Alert, AlertObjectRef, ScanObject } from "../model.js";
import { readData } from "../data-files.js";
import type { RuleMeta } from "./registry.js";
import { tasks, LARGE_OBJECT_CHARS, type Task } from "./plan.js";
import { InputEncoder, type Cut } from "./encode.js";
import { alertSink, collect, RelevanceSink, type AlertSink } from "./alerts.js";
import { WorkerPool } from "./pool.js";
import type { IdSet } from "../id-set.js";
import { RECYCLE_BYTES, RECYCLE_TOUCHED_BYTES, evaluateRaw, heapEndOf, memoryOf, newInstance, resultsOf, type LoadedPolicy } from "./memory.js";

export { DEFAULT_CHUNK_SIZE, DEFAULT_CROSS_CHUNK_SIZE, LARGE_OBJECT_CHARS } from "./plan.js";
export { normalizeAlert } from "./alerts.js";
export { MAX_DEPTH, type Cut } from "./encode.js";

export interface EvalWarning {
  rule: string;
  message: string;
}

/**
 * A rule that could not be evaluated over some objects: they got no verdict from it (fail
 * closed: the caller must not count them as passed). For a per-object rule the failing
 * object alone; for a cross-object rule the objects found to make it fail (see run()).
 */
export interface EvalError {
  rule: string;
  objectIds: number[];
  message: string;
}

export interface EvalResult {
  /** empty when onAlert was given */
  alerts: Alert[];
  warnings: EvalWarning[];
  errors: EvalError[];
  /** objects the rules saw only in part (nesting cut at MAX_DEPTH, circular references) */
  cuts: Cut[];
  /** for each rule with a relevance filter that was evaluated: the ids of the objects it judges */
  relevant: Map<string, IdSet>;
  /** for each such rule: the resources it judges that are not input objects (an RBAC rule's subjects) */
  relevantRefs: Map<string, AlertObjectRef[]>;
}

export interface EvaluateOptions {
  /** objects per call for per-object rules */
  chunkSize?: number;
  /** objects of a rule's splitKinds per call */
  crossChunkSize?: number;
  /** receives each alert as it arrives; the alerts are then not kept (the result's list is empty) */
  onAlert?: (a: Alert) => void;
  /** called after each task (one wasm call's worth of work) with the tasks done and their number */
  onProgress?: (done: number, total: number) => void;
  /** stops the evaluation: it throws / rejects with the signal's reason */
  signal?: AbortSignal;
}

export interface ParallelOptions extends EvaluateOptions {
  /** worker threads (default: one per core, at most 8); below 2 the main thread evaluates */
  threads?: number;
}

/**
 * An object whose JSON is longer than this (in UTF-8 bytes) is not evaluated: it fails closed (an error for
 * every rule that looks at its kind). etcd stores at most 1.5 MiB per object, so the API
 * server holds none this large; in a file it is a mistake or an attack, and the rules' cost
 * on it grows faster than its size (a Pod with 50,000 containers: minutes and gigabytes).
 */
export const MAX_OBJECT_CHARS = 1536 * 1024;

/**
 * The tasks of one evaluation: objects too large to evaluate get their errors here, the rest
 * are planned (objects over LARGE_OBJECT_CHARS one per-object rule per call).
 */
function plan(run: Run, objects: ScanObject[], rules: RuleMeta[], opts: EvaluateOptions): Task[] {
  const size = (o: ScanObject) => run.enc.objectJson(o).length;
  const oversized = objects.filter((o) => size(o) > MAX_OBJECT_CHARS);
  if (oversized.length) {
    const big = new Set(oversized);
    for (const r of rules) {
      const hit = oversized.filter((o) => r.matchKinds.length === 0 || r.matchKinds.includes(o.object.kind));
      for (const o of hit) {
        const mb = (size(o) / 1024 / 1024).toFixed(1);
        run.errors.push({ rule: r.name, objectIds: [o.id], message: `the object is ${mb} MB as JSON, more than the ${MAX_OBJECT_CHARS / 1024 / 1024} MB the API server stores; not evaluated` });
      }
    }
    objects = objects.filter((o) => !big.has(o));
  }
  return tasks(objects, rules, opts.chunkSize, opts.crossChunkSize, (o) => size(o) > LARGE_OBJECT_CHARS);
}

/** Below this many objects a scan is evaluated on the main thread only. */
export const PARALLEL_MIN_OBJECTS = 2000;

/** Whether `e` is what an aborted evaluation rejects with (an AbortSignal's default reasons). */
export function isAbort(e: unknown): boolean {
  const name = typeof e === "object" && e !== null ? (e as { name?: unknown }).name : undefined;
  return name === "AbortError" || name === "TimeoutError";
}

/** What one evaluation gathers. */
interface Run {
  enc: InputEncoder;
  sink: AlertSink;
  relevance: RelevanceSink;
  warnings: EvalWarning[];
  errors: EvalError[];
  data: object;
}

function newRun(data: object, opts: EvaluateOptions): Run & { kept: Alert[] } {
  const { kept, sink } = alertSink(opts.onAlert);
  const relevance = new RelevanceSink();
  const both: AlertSink = { push: (a) => sink.push(a), relevant: (rule, ids, refs) => relevance.add(rule, ids, refs) };
  return { enc: new InputEncoder(), sink: both, relevance, kept, warnings: [], errors: [], data };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The worker threads a parallel evaluation uses: as asked (default: one per core), at most 8; under 2, none. */
const poolSize = (threads?: number) => Math.min(threads ?? os.availableParallelism(), 8);

export class PolicyRuntime {
  private data: object = {};
  /** the data this.policy holds (by identity); set lazily, as an evaluation needs it */
  private policyData: object | undefined;
  /** the most of this.policy's memory an evaluation has touched */
  private touched = 0;
  private pool?: WorkerPool;
  /** evaluateParallel calls run one after the other (they share the pool and the main instance) */
  private lock: Promise<void> = Promise.resolve();
  /** the running parallel evaluations, stopped by close() */
  private readonly running = new Set<AbortController>();
  private closed = false;

  private constructor(
    private policy: LoadedPolicy,
    private readonly module: WebAssembly.Module,
    private readonly recycleTouched: number,
  ) {}

  /** `recycleTouchedBytes`: see RECYCLE_TOUCHED_BYTES (tests lower it) */
  static async load(wasmFile?: string, opts: { recycleTouchedBytes?: number } = {}): Promise<PolicyRuntime> {
    const module = await WebAssembly.compile(wasmFile ? fs.readFileSync(wasmFile) : readData("rules", "bundle", "policy.wasm"));
    const policy = await newInstance(module);
    return new PolicyRuntime(policy, module, opts.recycleTouchedBytes ?? RECYCLE_TOUCHED_BYTES);
  }

  /** Names of the OPA builtins the module calls out for (must be provided by the SDK or by us). */
  importedBuiltins(): string[] {
    const inst = (this.policy as unknown as { wasmInstance: WebAssembly.Instance }).wasmInstance;
    const exp = inst.exports as Record<string, any>;
    const addr = exp.opa_json_dump(exp.builtins());
    const mem = new Uint8Array((exp.memory as WebAssembly.Memory | undefined)?.buffer ?? (this.policy as any).mem.buffer);
    let end = addr;
    while (mem[end] !== 0) end++;
    return Object.keys(JSON.parse(Buffer.from(mem.subarray(addr, end)).toString("utf8")));
  }

  /** The rules' data (configuration inputs) for the evaluations that start from now on; workers get it with their next task. */
  setConfig(data: { postureControlInputs: Record<string, unknown>; dataControlInputs?: Record<string, unknown> }): void {
    this.data = { postureControlInputs: data.postureControlInputs, dataControlInputs: data.dataControlInputs ?? {} };
  }

  /**
   * Evaluate rules over objects on this thread. Per-object rules run over chunks of objects
   * in one call for all of them; cross-object rules over the objects of their kinds, those
   * sharing splitKinds together (plan.ts). A rule that fails is narrowed down and reported
   * in `errors`; the rest go on.
   * The signal is checked between tasks (only a callback or a worker thread can abort a
   * synchronous call); evaluateParallel also yields to the event loop between them.
   */
  evaluate(objects: ScanObject[], rules: RuleMeta[], opts: EvaluateOptions = {}): EvalResult {
    opts.signal?.throwIfAborted();
    const run = newRun(this.data, opts);
    const queue = plan(run, objects, rules, opts);
    let done = 0;
    for (const t of queue) {
      this.run(run, t.objs, t.rules);
      opts.onProgress?.(++done, queue.length);
      opts.signal?.throwIfAborted();
    }
    return { alerts: run.kept, warnings: run.warnings, errors: run.errors, cuts: run.enc.cuts, relevant: run.relevance.byRule, relevantRefs: run.relevance.refs() };
  }

  /**
   * Like evaluate, spread over the runtime's worker threads for large inputs. The main
   * thread serialises each task's input and hands the bytes over; a task that fails in a
   * worker is evaluated again here, where a failing rule or object is narrowed down.
   * When the signal aborts, busy workers are terminated (the pool starts others when next
   * needed) and the call rejects with the signal's reason; alerts stop at once.
   */
  async evaluateParallel(objects: ScanObject[], rules: RuleMeta[], opts: ParallelOptions = {}): Promise<EvalResult & { workerTasks: number }> {
    if (this.closed) throw new Error("the policy runtime is closed");
    opts.signal?.throwIfAborted();
    // one controller for the call: the caller's signal and close() both abort it
    const stop = new AbortController();
    const forward = () => stop.abort(opts.signal!.reason);
    opts.signal?.addEventListener("abort", forward, { once: true });
    this.running.add(stop);
    try {
      const release = await this.acquire(stop.signal);
      try {
        await this.recycle();
        const threads = poolSize(opts.threads);
        if (threads < 2 || objects.length < PARALLEL_MIN_OBJECTS) return await this.onMainThread(objects, rules, opts, stop.signal);
        return await this.inWorkers(objects, rules, opts, threads, stop.signal);
      } finally {
        this.pool?.trim();
        release();
      }
    } finally {
      opts.signal?.removeEventListener("abort", forward);
      this.running.delete(stop);
    }
  }

  /**
   * Start the worker threads a parallel evaluation of `threads` would use now (about 0.15 s
   * for two), so that one about to come does not wait for them.
   */
  warm(threads?: number): void {
    const n = poolSize(threads);
    if (this.closed || n < 2) return;
    this.pool ??= new WorkerPool(this.module);
    this.pool.take(n, this.data);
  }

  /** Stop the running evaluations (they reject with an AbortError) and the worker threads. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.running) c.abort(new DOMException("the policy runtime was closed", "AbortError"));
    await this.pool?.close();
    this.pool = undefined;
  }

  /** Worker threads running now, and how many of them are in the middle of a task (for tests and diagnostics). */
  poolState(): { workers: number; busy: number } {
    return { workers: this.pool?.size ?? 0, busy: this.pool?.busy ?? 0 };
  }

  private async onMainThread(objects: ScanObject[], rules: RuleMeta[], opts: ParallelOptions, signal: AbortSignal): Promise<EvalResult & { workerTasks: number }> {
    const run = newRun(this.data, opts);
    const queue = plan(run, objects, rules, opts);
    let done = 0;
    for (const t of queue) {
      // let an abort (a timer, a closed connection) in between tasks
      await nextTurn();
      signal.throwIfAborted();
      this.run(run, t.objs, t.rules);
      opts.onProgress?.(++done, queue.length);
    }
    return { alerts: run.kept, warnings: run.warnings, errors: run.errors, cuts: run.enc.cuts, relevant: run.relevance.byRule, relevantRefs: run.relevance.refs(), workerTasks: 0 };
  }

  private async inWorkers(objects: ScanObject[], rules: RuleMeta[], opts: ParallelOptions, threads: number, signal: AbortSignal): Promise<EvalResult & { workerTasks: number }> {
    let ended = false;
    const stopped = () => ended || signal.aborted;
    const run = newRun(this.data, opts);
    // nothing reaches the caller once the call has ended (a reply may arrive after an abort)
    const sink = run.sink;
    const guarded: AlertSink = { push: (a) => stopped() || sink.push(a), relevant: (rule, ids, refs) => stopped() || sink.relevant?.(rule, ids, refs) };
    run.sink = guarded;
    const queue = plan(run, objects, rules, opts);
    // cross-object tasks are the largest: start them first
    queue.sort((a, b) => Number(b.rules.some((r) => r.crossObject)) - Number(a.rules.some((r) => r.crossObject)));
    const total = queue.length;
    let done = 0;
    let workerTasks = 0;
    const next = (): Task | undefined => (stopped() ? undefined : queue.shift());
    const progress = () => opts.onProgress?.(++done, total);
    this.pool ??= new WorkerPool(this.module);
    const workers = this.pool.take(Math.min(threads, total), run.data);
    const work = Promise.all(
      workers.map(async (w) => {
        for (let t = next(); t; t = next()) {
          let reply;
          try {
            reply = await w.evaluate(run.enc.encode(t.objs, t.rules), run.data);
          } catch (e) {
            if (stopped()) return;
            // the worker died: finish its task and whatever is left here, and say so (a
            // worker that cannot start at all, e.g. in a broken bundle, would otherwise go unseen)
            run.warnings.push({ rule: "", message: `an evaluation worker stopped (${(e as Error)?.message ?? e}); its work was done on the main thread` });
            for (; t; t = next()) {
              this.run(run, t.objs, t.rules);
              progress();
              await nextTurn();
              if (stopped()) return;
            }
            return;
          }
          if (stopped()) return;
          if (reply.error !== undefined) this.run(run, t.objs, t.rules);
          else {
            collect(reply.raw ? resultsOf(reply.raw) : {}, guarded);
            workerTasks++;
          }
          progress();
        }
      }),
    );
    try {
      await untilAborted(work, signal);
    } catch (e) {
      ended = true;
      work.catch(() => {}); // its loops end on their own now
      await this.pool?.terminateBusy();
      throw e;
    }
    ended = true;
    return { alerts: run.kept, warnings: run.warnings, errors: run.errors, cuts: run.enc.cuts, relevant: run.relevance.byRule, relevantRefs: run.relevance.refs(), workerTasks };
  }

  /** Wait for the evaluations before this one; an abort while waiting rejects at once (and hands the turn on in order). */
  private async acquire(signal: AbortSignal): Promise<() => void> {
    const before = this.lock;
    let release!: () => void;
    this.lock = new Promise((resolve) => (release = resolve));
    try {
      await untilAborted(before, signal);
    } catch (e) {
      void before.then(release);
      throw e;
    }
    return release;
  }

  /**
   * A fresh main-thread instance when the current one has grown past its initial memory (a
   * wasm memory never shrinks) or an evaluation touched much of it (touched pages stay resident).
   */
  private async recycle(): Promise<void> {
    if (memoryOf(this.policy) <= RECYCLE_BYTES && this.touched <= this.recycleTouched) return;
    this.policy = await newInstance(this.module);
    this.policyData = undefined;
    this.touched = 0;
  }

  /**
   * Evaluate a task here, narrowing a failure down so that one bad rule or object does not
   * hide the other results: to each rule alone (a cross-object one with its kinds only); for
   * a per-object rule, by halves down to the objects it fails on (each object's verdict is its
   * own); for a cross-object rule, see narrowCross.
   */
  private run(run: Run, objs: ScanObject[], rules: RuleMeta[]): void {
    try {
      this.call(run, objs, rules, run.sink);
    } catch (e) {
      const message = String((e as Error)?.message ?? e);
      if (rules.length > 1) {
        // a cross-object rule of a group alone, with only its kinds (as if it had run alone)
        for (const r of rules) this.run(run, r.crossObject ? objs.filter((o) => r.matchKinds.includes(o.object.kind)) : objs, [r]);
      } else if (objs.length > 1 && !rules[0].crossObject) {
        const half = Math.ceil(objs.length / 2);
        this.run(run, objs.slice(0, half), rules);
        this.run(run, objs.slice(half), rules);
      } else if (objs.length > 1) {
        this.narrowCross(run, objs, rules[0], message);
      } else {
        run.errors.push({ rule: rules[0].name, objectIds: objs.map((o) => o.id), message: describe(rules[0], objs, message) });
      }
    }
  }

  /**
   * A cross-object rule failed over `objs`. Find the objects it fails on (by halves: a part
   * that fails alone is searched further; a part that fails only with the other half is
   * taken whole), then evaluate it over the others: their alerts count and only the culprits
   * get the error — as if the culprits were not there. If the others fail too, every object
   * gets the error. Costs about two evaluations of the whole set per culprit.
   */
  private narrowCross(run: Run, objs: ScanObject[], rule: RuleMeta, message: string): void {
    const discard: AlertSink = { push: () => 0, relevant: () => {} };
    const fails = (part: ScanObject[]): boolean => {
      try {
        this.call(run, part, [rule], discard);
        return false;
      } catch {
        return true;
      }
    };
    const culprits = (part: ScanObject[], knownToFail: boolean): ScanObject[] => {
      if (!knownToFail && !fails(part)) return [];
      if (part.length === 1) return part;
      const half = Math.ceil(part.length / 2);
      const found = [...culprits(part.slice(0, half), false), ...culprits(part.slice(half), false)];
      return found.length ? found : part;
    };
    const bad = culprits(objs, true);
    if (bad.length < objs.length) {
      const ids = new Set(bad.map((o) => o.id));
      try {
        this.call(
          run,
          objs.filter((o) => !ids.has(o.id)),
          [rule],
          run.sink,
        );
        run.errors.push({ rule: rule.name, objectIds: bad.map((o) => o.id), message: describe(rule, bad, message) });
        return;
      } catch {
        // they fail without the culprits too: the error goes to every object
      }
    }
    run.errors.push({ rule: rule.name, objectIds: objs.map((o) => o.id), message: describe(rule, objs, message) });
  }

  private call(run: Run, objs: ScanObject[], rules: RuleMeta[], alerts: AlertSink): void {
    if (this.policyData !== run.data) {
      this.policy.setData(run.data);
      this.policyData = run.data;
    }
    let raw;
    try {
      raw = evaluateRaw(this.policy, run.enc.encode(objs, rules));
    } finally {
      this.touched = Math.max(this.touched, heapEndOf(this.policy));
    }
    collect(resultsOf(raw), alerts);
  }
}

function describe(rule: RuleMeta, objs: ScanObject[], message: string): string {
  const o = objs[0]?.object;
  const what = objs.length === 1 ? `${o.kind}/${o.metadata?.name ?? ""} (${objs[0].source.file})` : objs.length ? `${objs.length} objects` : "no objects";
  return `rule ${rule.name} failed on ${what}: ${message}`;
}

/** `p`, or the signal's reason as soon as it aborts (the listener is removed either way). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}
