// A worker thread that evaluates JSON inputs against the compiled rules module.
// Messages in: {module, data} once, then {id, input: ArrayBuffer}; out: {id, result} or {id, error}.
import { parentPort } from "node:worker_threads";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { customBuiltins } from "./builtins.js";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;
let policy: LoadedPolicy | undefined;

parentPort!.on("message", async (msg: { module?: WebAssembly.Module; data?: unknown; id?: number; input?: ArrayBuffer }) => {
  if (msg.module) {
    policy = await loadPolicy(msg.module, undefined, customBuiltins);
    policy.setData(msg.data as object);
    parentPort!.postMessage({ ready: true });
    return;
  }
  try {
    const rs = policy!.evaluate(msg.input!) as { result: Record<string, unknown[]> }[];
    parentPort!.postMessage({ id: msg.id, result: rs[0]?.result ?? {} });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: String((e as Error)?.message ?? e) });
  }
});
