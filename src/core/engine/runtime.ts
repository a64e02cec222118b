// The opa-wasm runtime: one compiled module holds every rule; the engine asks for the
// rules it wants per call (input.rules) and feeds objects in chunks.
import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Alert, AlertObjectRef, ScanObject } from "../model.js";
import { dataPath, readData } from "../data-files.js";
import { customBuiltins } from "./builtins.js";
import type { RuleMeta } from "./registry.js";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

export const DEFAULT_CHUNK_SIZE = 200;

/** Objects of a cross-object rule's splitKinds per evaluation (the wasm heap grows with the input and is never returned). */
export const DEFAULT_CROSS_CHUNK_SIZE = 2000;

export interface EvalWarning {
  rule: string;
  message: string;
}

/** Below this many objects a scan is evaluated on the main thread only. */
export const PARALLEL_MIN_OBJECTS = 2000;

interface Task {
  objs: ScanObject[];
  rules: RuleMeta[];
}

export class PolicyRuntime {
  private data: object = {};

  private constructor(
    private readonly policy: LoadedPolicy,
    private readonly module: WebAssembly.Module,
  ) {}

  static async load(wasmFile?: string): Promise<PolicyRuntime> {
    const module = await WebAssembly.compile(wasmFile ? fs.readFileSync(wasmFile) : readData("rules", "bundle", "policy.wasm"));
    const policy = await loadPolicy(module, undefined, customBuiltins);
    return new PolicyRuntime(policy, module);
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

  setConfig(data: { postureControlInputs: Record<string, unknown>; dataControlInputs?: Record<string, unknown> }): void {
    this.data = { postureControlInputs: data.postureControlInputs, dataControlInputs: data.dataControlInputs ?? {} };
    this.policy.setData(this.data);
  }

  /**
   * Evaluate rules over objects. Per-object rules run over chunks of objects in one call for
   * all of them; cross-object rules run once each over every object of their kinds.
   * A rule that fails at evaluation is reported as a warning and the rest go on.
   */
  evaluate(objects: ScanObject[], rules: RuleMeta[], opts: EvaluateOptions = {}): { alerts: Alert[]; warnings: EvalWarning[] } {
    const { kept, sink } = alertSink(opts);
    const warnings: EvalWarning[] = [];
    const enc = new InputEncoder();
    for (const t of tasks(objects, rules, opts.chunkSize, opts.crossChunkSize)) this.run(enc, t.objs, t.rules, sink, warnings);
    return { alerts: kept, warnings };
  }

  /**
   * Like evaluate, spread over worker threads (one per core) for large inputs. The main
   * thread serialises each task's input and hands the bytes over; a task that fails in a
   * worker is evaluated again here, where a failing rule or object is narrowed down.
   */
  async evaluateParallel(
    objects: ScanObject[],
    rules: RuleMeta[],
    opts: EvaluateOptions & { threads?: number } = {},
  ): Promise<{ alerts: Alert[]; warnings: EvalWarning[]; workerTasks: number }> {
    const threads = Math.min(opts.threads ?? os.availableParallelism(), 8);
    if (threads < 2 || objects.length < PARALLEL_MIN_OBJECTS) return { ...this.evaluate(objects, rules, opts), workerTasks: 0 };
    const { kept, sink: alerts } = alertSink(opts);
    let workerTasks = 0;
    const warnings: EvalWarning[] = [];
    const queue = tasks(objects, rules, opts.chunkSize, opts.crossChunkSize);
    // cross-object tasks are the largest: start them first
    queue.sort((a, b) => Number(b.rules.some((r) => r.crossObject)) - Number(a.rules.some((r) => r.crossObject)));
    const enc = new InputEncoder();
    const pool = Array.from({ length: Math.min(threads, queue.length) }, () => newWorker());
    try {
      await Promise.all(
        pool.map(async (w) => {
          let t: Task | undefined;
          try {
            await request(w, { module: this.module, data: this.data }, "ready");
            for (t = queue.shift(); t; t = queue.shift()) {
              const reply = (await request(w, { id: 1, input: enc.encode(t.objs, t.rules) }, "id", true)) as { result?: Record<string, unknown[]>; error?: string };
              if (reply.error !== undefined) this.run(enc, t.objs, t.rules, alerts, warnings);
              else {
                collect(reply.result!, alerts);
                workerTasks++;
              }
            }
          } catch (e) {
            // the worker died: finish its task and whatever is left here, and say so (a
            // worker that cannot start at all, e.g. in a broken bundle, would otherwise go unseen)
            warnings.push({ rule: "", message: `an evaluation worker stopped (${(e as Error)?.message ?? e}); its work was done on the main thread` });
            for (t = t ?? queue.shift(); t; t = queue.shift()) this.run(enc, t.objs, t.rules, alerts, warnings);
          }
        }),
      );
    } finally {
      await Promise.all(pool.map((w) => w.terminate()));
    }
    return { alerts: kept, warnings, workerTasks };
  }

  private run(enc: InputEncoder, objs: ScanObject[], rules: RuleMeta[], alerts: AlertSink, warnings: EvalWarning[]): void {
    try {
      this.call(enc, objs, rules, alerts);
    } catch (e) {
      // Narrow down to the failing rule and, for per-object rules, the failing object,
      // so one bad rule or object does not hide the other results.
      if (rules.length > 1) {
        for (const r of rules) this.run(enc, objs, [r], alerts, warnings);
      } else if (objs.length > 1 && !rules[0].crossObject) {
        for (const o of objs) this.run(enc, [o], rules, alerts, warnings);
      } else {
        const o = objs[0]?.object;
        const what = objs.length === 1 ? `${o.kind}/${o.metadata?.name ?? ""} (${objs[0].source.file})` : `${objs.length} objects`;
        warnings.push({ rule: rules[0].name, message: `rule ${rules[0].name} failed on ${what}: ${(e as Error).message ?? e}` });
      }
    }
  }

  private call(enc: InputEncoder, objs: ScanObject[], rules: RuleMeta[], alerts: AlertSink): void {
    const rs = this.policy.evaluate(enc.encode(objs, rules)) as { result: Record<string, unknown[]> }[];
    collect(rs[0]?.result ?? {}, alerts);
  }
}

/**
 * Split the work: per-object rules over chunks of the objects of their kinds, each
 * cross-object rule over all objects of its kinds — or, for a rule with splitKinds, over
 * chunks of those kinds, each with all the rule's other objects; for a rule with
 * splitByNamespace, over whole namespaces at a time.
 */
function tasks(objects: ScanObject[], rules: RuleMeta[], chunkSize = DEFAULT_CHUNK_SIZE, crossChunkSize = DEFAULT_CROSS_CHUNK_SIZE): Task[] {
  const size = Math.max(1, chunkSize);
  const out: Task[] = [];
  const perObject = rules.filter((r) => !r.crossObject);
  if (perObject.length) {
    const kinds = new Set(perObject.flatMap((r) => r.matchKinds));
    const relevant = objects.filter((o) => kinds.size === 0 || kinds.has(o.object.kind));
    for (let i = 0; i < relevant.length; i += size) out.push({ objs: relevant.slice(i, i + size), rules: perObject });
  }
  for (const r of rules.filter((x) => x.crossObject)) {
    // a rule that matches no kind looks at no object and runs once (e.g. manual-review controls)
    if (r.matchKinds.length === 0) {
      out.push({ objs: [], rules: [r] });
      continue;
    }
    const kinds = new Set(r.matchKinds);
    const objs = objects.filter((o) => kinds.has(o.object.kind));
    if (!objs.length) continue;
    if (r.splitByNamespace && objs.length > crossChunkSize) {
      out.push(...byNamespace(objs, crossChunkSize).map((part) => ({ objs: part, rules: [r] })));
      continue;
    }
    const split = new Set(r.splitKinds ?? []);
    const parts = objs.filter((o) => split.has(o.object.kind));
    if (parts.length <= crossChunkSize) {
      out.push({ objs, rules: [r] });
      continue;
    }
    // each chunk of the split kinds goes with every object of the rule's other kinds
    const context = objs.filter((o) => !split.has(o.object.kind));
    for (let i = 0; i < parts.length; i += crossChunkSize) out.push({ objs: [...context, ...parts.slice(i, i + crossChunkSize)], rules: [r] });
  }
  return out;
}

/**
 * Objects grouped by namespace (none means "default", as the rules' lib.namespace reads it),
 * whole namespaces packed into parts of about `size` objects.
 */
function byNamespace(objs: ScanObject[], size: number): ScanObject[][] {
  const groups = new Map<string, ScanObject[]>();
  for (const o of objs) {
    const ns = o.object.metadata?.namespace;
    const key = typeof ns === "string" && ns !== "" ? ns : "default";
    const g = groups.get(key);
    if (g) g.push(o);
    else groups.set(key, [o]);
  }
  const parts: ScanObject[][] = [];
  let part: ScanObject[] = [];
  for (const g of groups.values()) {
    if (part.length && part.length + g.length > size) {
      parts.push(part);
      part = [];
    }
    part.push(...g);
  }
  if (part.length) parts.push(part);
  return parts;
}

// Set by scripts/bundle.mjs: the worker bundled on its own, as source text, because the
// bundled CLI and the single executable have no worker.js file to start.
declare const __KUBESCAPE_WORKER_SOURCE__: string | undefined;

/** A worker thread: from the bundled source, else the compiled worker next to this module (from sources, as in tests: the one in dist/). */
function newWorker(): Worker {
  // a small young generation: a worker's garbage is its replies, collected early (less peak RSS)
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  if (typeof __KUBESCAPE_WORKER_SOURCE__ === "string") return new Worker(__KUBESCAPE_WORKER_SOURCE__, { eval: true, resourceLimits });
  const url = new URL("./worker.js", import.meta.url);
  return new Worker(fs.existsSync(fileURLToPath(url)) ? url : dataPath("dist", "core", "engine", "worker.js"), { resourceLimits });
}

const encoder = new TextEncoder();

/**
 * Builds the JSON input of wasm calls as bytes (the SDK takes an ArrayBuffer as-is). Each
 * object is serialised once, with its __ksid, however many calls it goes into.
 */
class InputEncoder {
  private json = new Map<number, string>();

  private objectJson(o: ScanObject): string {
    let s = this.json.get(o.id);
    if (s === undefined) {
      s = Object.hasOwn(o.object, "__ksid") ? JSON.stringify({ ...o.object, __ksid: o.id }) : `{"__ksid":${o.id},${JSON.stringify(o.object).slice(1)}`;
      this.json.set(o.id, s);
    }
    return s;
  }

  encode(objs: ScanObject[], rules: RuleMeta[]): ArrayBuffer {
    const parts = objs.map((o) => this.objectJson(o));
    const text = `{"objects":[${parts.join(",")}],"rules":${JSON.stringify(Object.fromEntries(rules.map((r) => [r.name, true])))}}`;
    return encoder.encode(text).buffer as ArrayBuffer;
  }
}

type AlertSink = { push(a: Alert): unknown };

export interface EvaluateOptions {
  /** objects per call for per-object rules */
  chunkSize?: number;
  /** objects of a rule's splitKinds per call */
  crossChunkSize?: number;
  /** receives each alert as it arrives; the alerts are then not kept (the result's list is empty) */
  onAlert?: (a: Alert) => void;
}

function alertSink(opts: EvaluateOptions): { kept: Alert[]; sink: AlertSink } {
  const kept: Alert[] = [];
  return { kept, sink: opts.onAlert ? { push: opts.onAlert } : kept };
}

function collect(results: Record<string, unknown[]>, alerts: AlertSink): void {
  for (const [rule, list] of Object.entries(results)) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) alerts.push(normalizeAlert(rule, raw));
  }
}

/** Send a message to a worker and wait for its reply carrying `key`. */
function request(w: Worker, msg: { input?: ArrayBuffer; [k: string]: unknown }, key: string, transfer = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Record<string, unknown>) => {
      if (!(key in reply)) return;
      w.off("message", onMessage);
      w.off("error", onError);
      resolve(reply);
    };
    const onError = (e: Error) => {
      w.off("message", onMessage);
      reject(e);
    };
    w.on("message", onMessage);
    w.once("error", onError);
    w.postMessage(msg, transfer && msg.input ? [msg.input] : []);
  });
}

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function toRef(v: unknown): AlertObjectRef | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const md = (o.metadata ?? {}) as Record<string, unknown>;
  const ref: AlertObjectRef = {
    apiVersion: String(o.apiVersion ?? ""),
    kind: String(o.kind ?? ""),
    name: String(o.name ?? md.name ?? ""),
    namespace: String(o.namespace ?? md.namespace ?? ""),
  };
  if (typeof o.__ksid === "number" && o.__ksid >= 0) ref.id = o.__ksid;
  return ref;
}

export function normalizeAlert(rule: string, raw: unknown): Alert {
  const a = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const refs = (v: unknown) => (Array.isArray(v) ? v.map(toRef).filter((x): x is AlertObjectRef => !!x) : []);
  return {
    rule,
    message: typeof a.message === "string" ? a.message : "",
    objects: refs(a.objects),
    relatedObjects: refs(a.relatedObjects),
    failedPaths: strList(a.failedPaths),
    reviewPaths: strList(a.reviewPaths),
    deletePaths: strList(a.deletePaths),
    fixPaths: Array.isArray(a.fixPaths)
      ? a.fixPaths
          .filter((f): f is Record<string, unknown> => typeof f === "object" && f !== null && typeof (f as any).path === "string")
          .map((f) => ({ path: f.path as string, value: typeof f.value === "string" ? f.value : JSON.stringify(f.value) }))
      : [],
  };
}
