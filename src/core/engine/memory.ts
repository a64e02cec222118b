// The wasm memory of an opa-wasm instance: reserved large up front, and replaced when it grew.
import v8 from "node:v8";
import vm from "node:vm";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { customBuiltins } from "./builtins.js";

export type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

/**
 * The memory an instance starts with, in 64 KiB pages (256 MiB). Address space only: a page
 * is resident once an evaluation has touched it. Growing a wasm memory one allocation at a
 * time is what costs (V8 runs a garbage collection as the memory it accounts for grows): a
 * 20,000-object cluster took 20 s to evaluate from 5 pages, 13 s from this size.
 */
export const INITIAL_PAGES = 4096;

/**
 * A wasm memory only grows: after an evaluation that needed more than the initial memory, a
 * fresh instance is started so the large memory can be freed, instead of holding the largest
 * evaluation's size for the rest of the scan (and, in a long-lived runtime, beyond it).
 */
export const RECYCLE_BYTES = INITIAL_PAGES * 64 * 1024;

export const memoryOf = (p: LoadedPolicy): number => (p as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength;

/**
 * The end of the instance's heap after its last evaluation: what that evaluation touched
 * (OPA's allocator only moves the pointer up within an evaluation, and each one starts over).
 */
export const heapEndOf = (p: LoadedPolicy): number => ((p as unknown as { wasmInstance: WebAssembly.Instance }).wasmInstance.exports.opa_heap_ptr_get as () => number)();

/**
 * An instance is replaced once an evaluation has touched more than this of its memory:
 * touched pages stay resident however little the next evaluations need. A worker replaces
 * its instance right after such an evaluation (a cross-object rule over all 100,000 Pods of
 * a namespace touches about 180 MB, the per-object chunks after it under 64 MB); the main
 * thread before its next evaluation (the operator and the TUI scan small inputs there for hours).
 */
export const RECYCLE_TOUCHED_BYTES = 64 * 1024 * 1024;

/**
 * Evaluate `input` (JSON bytes) on the default entrypoint and return the result's JSON bytes,
 * not parsed: a worker hands them to the main thread as they are (a transfer, not a copy of an
 * object graph), which parses them once. The SDK's evaluate, without its parse: it finds the
 * end of the text one byte at a time in JavaScript and parses it where it is made.
 */
export function evaluateRaw(p: LoadedPolicy, input: ArrayBuffer): Uint8Array {
  const x = p as unknown as { minorVersion: number; dataHeapPtr: number; dataAddr: number; mem: WebAssembly.Memory; wasmInstance: WebAssembly.Instance };
  // the SDK's fast path (ABI 1.2, which our opa builds); anything older through the SDK
  if (!(x.minorVersion >= 2)) return new TextEncoder().encode(JSON.stringify(p.evaluate(input)));
  const bytes = new Uint8Array(input);
  const at = x.dataHeapPtr;
  const over = at + bytes.byteLength - x.mem.buffer.byteLength;
  if (over > 0) x.mem.grow(Math.ceil(over / 65536));
  new Uint8Array(x.mem.buffer).set(bytes, at);
  const ret = (x.wasmInstance.exports.opa_eval as (...a: number[]) => number)(0, 0, x.dataAddr, at, bytes.byteLength, at + bytes.byteLength, 0);
  const mem = new Uint8Array(x.mem.buffer);
  // a copy of the text, whose buffer can be transferred
  return mem.slice(ret, mem.indexOf(0, ret));
}

const decoder = new TextDecoder();
/** The rule results of evaluateRaw's bytes (the first result's "result": rule name → alerts). */
export const resultsOf = (raw: Uint8Array): Record<string, unknown[]> => (JSON.parse(decoder.decode(raw)) as { result?: Record<string, unknown[]> }[])[0]?.result ?? {};

/** An instance of the compiled rules with the engine's builtins and the initial memory. */
export const newInstance = (module: WebAssembly.Module): Promise<LoadedPolicy> => loadPolicy(module, INITIAL_PAGES, customBuiltins);

let gc: (() => void) | undefined;
/**
 * A full garbage collection now: for a thread that knows a large graph just became garbage (a
 * worker's dropped instance, the operator's report after a full scan) and would otherwise keep
 * it resident until its old space fills again.
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as () => void;
  }
  gc();
}
