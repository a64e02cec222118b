// The wasm memory of an opa-wasm instance: it only grows, so large instances are replaced.
import type { loadPolicy } from "@open-policy-agent/opa-wasm";

export type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

/**
 * A wasm memory only grows: after an evaluation that needed more than this, a fresh
 * instance is started so the large memory can be freed, instead of holding the largest
 * evaluation's size for the rest of the scan (and, in a long-lived runtime, beyond it).
 */
export const RECYCLE_BYTES = 48 * 1024 * 1024;

export const memoryOf = (p: LoadedPolicy): number => (p as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength;
