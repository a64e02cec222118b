// A worker thread that evaluates JSON inputs against the compiled rules module.
// Messages in: {module, data} once (reply {ready: true} or {ready: false, error}), {data} when
// the data changes (no reply; later inputs see it), {input: ArrayBuffer} (reply {raw}: the
// result's JSON bytes, transferred; or {error}). One message at a time: the pool sends the
// next input after the reply.
import { parentPort } from "node:worker_threads";
import { RECYCLE_BYTES, RECYCLE_TOUCHED_BYTES, collectGarbage as gc, evaluateRaw, heapEndOf, memoryOf, newInstance, type LoadedPolicy } from "./memory.js";

let policy: Promise<LoadedPolicy> | undefined;

// An idle worker of a long-lived runtime gives its memory back (see "trim"); an idle thread
// runs no garbage collection of its own, so it asks for one (gc).
let setup: { module: WebAssembly.Module; data: object } | undefined;

async function instance(): Promise<LoadedPolicy> {
  const p = await newInstance(setup!.module);
  p.setData(setup!.data);
  return p;
}

parentPort!.on("message", async (msg: { module?: WebAssembly.Module; data?: object; input?: ArrayBuffer; trim?: boolean }) => {
  if (msg.module) {
    setup = { module: msg.module, data: msg.data ?? {} };
    policy = instance();
    try {
      await policy;
      parentPort!.postMessage({ ready: true });
    } catch (e) {
      parentPort!.postMessage({ ready: false, error: String((e as Error)?.message ?? e) });
    }
    return;
  }
  if (msg.trim) {
    // the evaluation is over: drop the instance and its memory; the next input starts another
    policy = undefined;
    gc();
    return;
  }
  if (msg.input === undefined) {
    // new data: kept for the instances started later, set in the current one
    const data = msg.data ?? {};
    setup!.data = data;
    if (policy) policy = policy.then((p) => (p.setData(data), p));
    return;
  }
  const p = await (policy ??= instance());
  try {
    const raw = evaluateRaw(p, msg.input);
    parentPort!.postMessage({ raw }, [raw.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ error: String((e as Error)?.message ?? e) });
  }
  if (memoryOf(p) > RECYCLE_BYTES || heapEndOf(p) > RECYCLE_TOUCHED_BYTES) {
    policy = instance();
    // the old memory goes back once collected: an idle worker's heap is small, and its old
    // space is rarely collected on its own
    setImmediate(gc);
  }
});
