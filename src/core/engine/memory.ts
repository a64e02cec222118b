// The wasm memory of an opa-wasm instance: reserved large up front, and replaced when it grew.
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
 * How far into its memory the instance's last evaluation allocated (OPA's heap only grows
 * during an evaluation): the pages below were touched, and stay resident however little the
 * next evaluations need.
 */
export const touchedBy = (p: LoadedPolicy): number => ((p as unknown as { wasmInstance: WebAssembly.Instance }).wasmInstance.exports.opa_heap_ptr_get as () => number)();

/** An instance of the compiled rules with the engine's builtins and the initial memory. */
export const newInstance = (module: WebAssembly.Module): Promise<LoadedPolicy> => loadPolicy(module, INITIAL_PAGES, customBuiltins);
