// The opa-wasm runtime: one compiled module holds every rule; the engine asks for the
// rules it wants per call (input.rules) and feeds objects in chunks.
import fs from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Alert, AlertObjectRef, ScanObject } from "../model.js";
import { dataPath } from "../paths.js";
import { customBuiltins } from "./builtins.js";
import type { RuleMeta } from "./registry.js";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

export const DEFAULT_CHUNK_SIZE = 500;

export interface EvalWarning {
  rule: string;
  message: string;
}

export class PolicyRuntime {
  private constructor(private readonly policy: LoadedPolicy) {}

  static async load(wasmFile = dataPath("rules", "bundle", "policy.wasm")): Promise<PolicyRuntime> {
    const bytes = fs.readFileSync(wasmFile);
    const policy = await loadPolicy(bytes, undefined, customBuiltins);
    return new PolicyRuntime(policy);
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
    this.policy.setData({ postureControlInputs: data.postureControlInputs, dataControlInputs: data.dataControlInputs ?? {} });
  }

  /**
   * Evaluate rules over objects. Per-object rules run over chunks of objects in one call for
   * all of them; cross-object rules run once each over every object of their kinds.
   * A rule that fails at evaluation is reported as a warning and the rest go on.
   */
  evaluate(objects: ScanObject[], rules: RuleMeta[], opts: { chunkSize?: number } = {}): { alerts: Alert[]; warnings: EvalWarning[] } {
    const chunkSize = Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const alerts: Alert[] = [];
    const warnings: EvalWarning[] = [];
    const perObject = rules.filter((r) => !r.crossObject);
    const cross = rules.filter((r) => r.crossObject);
    if (perObject.length) {
      const kinds = new Set(perObject.flatMap((r) => r.matchKinds));
      const relevant = objects.filter((o) => kinds.size === 0 || kinds.has(o.object.kind));
      for (let i = 0; i < relevant.length; i += chunkSize) {
        this.run(relevant.slice(i, i + chunkSize), perObject, alerts, warnings);
      }
    }
    for (const r of cross) {
      const kinds = new Set(r.matchKinds);
      this.run(objects.filter((o) => kinds.has(o.object.kind)), [r], alerts, warnings);
    }
    return { alerts, warnings };
  }

  private run(objs: ScanObject[], rules: RuleMeta[], alerts: Alert[], warnings: EvalWarning[]): void {
    if (objs.length === 0) return;
    try {
      this.call(objs, rules, alerts);
    } catch (e) {
      // Narrow down to the failing rule and, for per-object rules, the failing object,
      // so one bad rule or object does not hide the other results.
      if (rules.length > 1) {
        for (const r of rules) this.run(objs, [r], alerts, warnings);
      } else if (objs.length > 1 && !rules[0].crossObject) {
        for (const o of objs) this.run([o], rules, alerts, warnings);
      } else {
        const o = objs[0].object;
        const what = objs.length === 1 ? `${o.kind}/${o.metadata?.name ?? ""} (${objs[0].source.file})` : `${objs.length} objects`;
        warnings.push({ rule: rules[0].name, message: `rule ${rules[0].name} failed on ${what}: ${(e as Error).message ?? e}` });
      }
    }
  }

  private call(objs: ScanObject[], rules: RuleMeta[], alerts: Alert[]): void {
    const input = {
      objects: objs.map((o) => ({ ...o.object, __ksid: o.id })),
      rules: Object.fromEntries(rules.map((r) => [r.name, true])),
    };
    const rs = this.policy.evaluate(input) as { result: Record<string, unknown[]> }[];
    const results = rs[0]?.result ?? {};
    for (const [rule, list] of Object.entries(results)) {
      if (!Array.isArray(list)) continue;
      for (const raw of list) alerts.push(normalizeAlert(rule, raw));
    }
  }
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
