// Shape checks for fields the controls rely on. A Kubernetes API server would reject these
// objects; we report them as input errors instead of scanning garbage.
import type { K8sObject } from "../model.js";

const TEMPLATE_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "ReplicationController"]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v === "object" ? "map" : typeof v);

export interface ShapeProblem {
  path: string;
  reason: string;
}

/** The first shape problem of an object, or undefined when it looks sound. */
export function shapeProblem(obj: K8sObject): ShapeProblem | undefined {
  if (typeof obj.apiVersion !== "string") return { path: "apiVersion", reason: `apiVersion must be a string, got ${typeName(obj.apiVersion)}` };
  if (obj.metadata !== undefined && !isObj(obj.metadata)) return { path: "metadata", reason: `metadata must be a map, got ${typeName(obj.metadata)}` };
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  for (const k of ["name", "namespace"]) {
    if (meta[k] !== undefined && typeof meta[k] !== "string") return { path: `metadata.${k}`, reason: `metadata.${k} must be a string, got ${typeName(meta[k])}` };
  }
  for (const k of ["labels", "annotations"]) {
    const v = meta[k];
    if (v !== undefined && v !== null && !isObj(v)) return { path: `metadata.${k}`, reason: `metadata.${k} must be a map, got ${typeName(v)}` };
  }
  const podPath = podSpecPath(obj);
  if (!podPath) return undefined;
  let cur: unknown = obj;
  for (let i = 0; i < podPath.length; i++) {
    const seg = podPath[i];
    if (!isObj(cur)) return { path: podPath.slice(0, i).join("."), reason: `${podPath.slice(0, i).join(".")} must be a map, got ${typeName(cur)}` };
    cur = cur[seg];
    if (cur === undefined || cur === null) return undefined; // absent: nothing to check
  }
  const base = podPath.join(".");
  if (!isObj(cur)) return { path: base, reason: `${base} must be a map, got ${typeName(cur)}` };
  for (const list of ["containers", "initContainers", "ephemeralContainers", "volumes"]) {
    const v = cur[list];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) return { path: `${base}.${list}`, reason: `${base}.${list} must be a list, got ${typeName(v)}` };
    for (let i = 0; i < v.length; i++) {
      if (!isObj(v[i])) return { path: `${base}.${list}[${i}]`, reason: `${base}.${list}[${i}] must be a map, got ${typeName(v[i])}` };
    }
  }
  return undefined;
}

function podSpecPath(obj: K8sObject): string[] | undefined {
  if (obj.kind === "Pod") return ["spec"];
  if (TEMPLATE_KINDS.has(obj.kind)) return ["spec", "template", "spec"];
  if (obj.kind === "CronJob") return ["spec", "jobTemplate", "spec", "template", "spec"];
  return undefined;
}
