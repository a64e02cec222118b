// The worker pool of a PolicyRuntime: threads started when first needed and kept between
// evaluations (unref'ed while idle, so that a process that is done still exits), each with its
// own instance of the rules module and the data it was last sent.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { dataPath } from "../data-files.js";

export interface WorkerReply {
  /** the result's JSON bytes (memory.ts evaluateRaw; read with resultsOf) */
  raw?: Uint8Array;
  error?: string;
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

/** One worker thread and the one request it may have in flight. */
export class PoolWorker {
  private readonly worker = newWorker();
  private pending?: { resolve(r: unknown): void; reject(e: Error): void };
  private dead?: Error;
  /** the data this worker's instance holds (by identity) */
  private data: object;
  /** resolves once the worker has instantiated the module; rejects if it cannot */
  private readonly ready: Promise<void>;

  constructor(
    module: WebAssembly.Module,
    data: object,
    private readonly onGone: (w: PoolWorker) => void,
  ) {
    this.data = data;
    this.worker.on("message", (m: unknown) => {
      const p = this.pending;
      this.pending = undefined;
      this.worker.unref();
      p?.resolve(m);
    });
    this.worker.on("error", (e: Error) => this.gone(e));
    this.worker.on("exit", (code: number) => this.gone(new Error(`exited with code ${code}`)));
    this.ready = this.request({ module, data }).then((r) => {
      const reply = r as { ready: boolean; error?: string };
      if (!reply.ready) throw new Error(`could not start the rules module: ${reply.error}`);
    });
    this.ready.catch(() => {}); // seen by whoever evaluates next
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Evaluate one input (the buffer is transferred) with `data`, sent first if the worker holds other data. */
  async evaluate(input: ArrayBuffer, data: object): Promise<WorkerReply> {
    await this.ready;
    if (this.data !== data) {
      this.worker.postMessage({ data });
      this.data = data;
    }
    return (await this.request({ input }, [input])) as WorkerReply;
  }

  /** Drop the instance and its memory until the next input (an evaluation is over). */
  trim(): void {
    if (!this.dead && !this.busy) this.worker.postMessage({ trim: true });
  }

  terminate(): Promise<unknown> {
    this.gone(new Error("terminated"));
    return this.worker.terminate();
  }

  private request(msg: object, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage(msg, transfer);
    });
  }

  private gone(e: Error): void {
    if (!this.dead) {
      this.dead = e;
      this.onGone(this);
    }
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }
}

export class WorkerPool {
  private workers: PoolWorker[] = [];

  constructor(private readonly module: WebAssembly.Module) {}

  /** `n` workers: those already running, and new ones started with `data`. */
  take(n: number, data: object): PoolWorker[] {
    while (this.workers.length < n) this.workers.push(new PoolWorker(this.module, data, (w) => (this.workers = this.workers.filter((x) => x !== w))));
    return this.workers.slice(0, n);
  }

  get size(): number {
    return this.workers.length;
  }

  get busy(): number {
    return this.workers.filter((w) => w.busy).length;
  }

  /** Stop the workers in the middle of an evaluation (a long wasm call included); others start in their place when next needed. */
  async terminateBusy(): Promise<void> {
    await Promise.all(this.workers.filter((w) => w.busy).map((w) => w.terminate()));
  }

  /** Idle workers give their wasm memory back (a kept pool would otherwise hold about 60 MB a worker). */
  trim(): void {
    for (const w of this.workers) w.trim();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
