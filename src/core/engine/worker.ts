// A worker thread that evaluates JSON inputs against the compiled rules module.
// Messages in: {module, data} once, then {id, input: ArrayBuffer}; out: {id, result} or {id, error}.
import { parentPort } from "node:worker_threads";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { customBuiltins } from "./builtins.js";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

/**
 * A wasm memory only grows: after an evaluation that needed more than this, the worker
 * starts a fresh instance so the large memory can be freed, instead of holding the
 * largest evaluation's size for the rest of the scan.
 */
const RECYCLE_BYTES = 48 * 1024 * 1024;

let policy: Promise<LoadedPolicy> | undefined;
let setup: { module: WebAssembly.Module; data: object } | undefined;

async function instance(): Promise<LoadedPolicy> {
  const p = await loadPolicy(setup!.module, undefined, customBuiltins);
  p.setData(setup!.data);
  return p;
}

const memoryOf = (p: LoadedPolicy) => (p as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength;

parentPort!.on("message", async (msg: { module?: WebAssembly.Module; data?: unknown; id?: number; input?: ArrayBuffer }) => {
  if (msg.module) {
    setup = { module: msg.module, data: msg.data as object };
    policy = instance();
    await policy;
    parentPort!.postMessage({ ready: true });
    return;
  }
  const p = await policy!;
  try {
    const rs = p.evaluate(msg.input!) as { result: Record<string, unknown[]> }[];
    parentPort!.postMessage({ id: msg.id, result: rs[0]?.result ?? {} });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: String((e as Error)?.message ?? e) });
  }
  if (memoryOf(p) > RECYCLE_BYTES) policy = instance();
});
