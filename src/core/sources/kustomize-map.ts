// Built kustomization → the file the user edits. kustomize's origin annotations (see
// buildWithOrigins) name each object's resource file and the kustomizations whose patches
// touched it; a failed field is looked for in those patches (the last applied first), then
// in the resource file. List items are matched by their `name` (a strategic-merge patch lists
// only the containers it changes), so containers[1] of the output may be item 0 of a patch.
import jsyaml from "js-yaml";
import fs from "node:fs";
import path from "node:path";
import type { ObjectSource, Origin, Position } from "../model.js";
import type { PathSegment } from "./field-path.js";
import { PositionIndex, type OriginMapper } from "./positions.js";
import { K8S_LOAD_OPTIONS } from "./yaml-k8s.js";
import { patchFiles, type KustomizeOrigin } from "./kustomize.js";

type Doc = Record<string, unknown>;
const nameOf = (d: unknown) => ((d as { metadata?: { name?: unknown } })?.metadata?.name as string | undefined) ?? undefined;

export function kustomizeMapper(rendered: string, origins: (KustomizeOrigin | undefined)[]): OriginMapper {
  let built: unknown[] | undefined;
  const files = new Map<string, unknown[] | undefined>();
  const index = new PositionIndex();
  const docsOf = (f: string) => {
    if (!files.has(f)) {
      let docs: unknown[] | undefined;
      try {
        const text = fs.readFileSync(f, "utf8");
        docs = jsyaml.loadAll(text, undefined, K8S_LOAD_OPTIONS);
        index.addText(f, text);
      } catch {
        docs = undefined;
      }
      files.set(f, docs);
    }
    return files.get(f);
  };

  /** The segments of the output's field in a source document (list items by name), or undefined if it is not there. */
  const translate = (out: unknown, src: unknown, segs: PathSegment[]): PathSegment[] | undefined => {
    const res: PathSegment[] = [];
    for (const s of segs) {
      if (typeof s === "number") {
        if (!Array.isArray(out) || !Array.isArray(src)) return undefined;
        const item = out[s] as { name?: unknown } | undefined;
        let i = typeof item?.name === "string" ? src.findIndex((x) => (x as { name?: unknown })?.name === item.name) : -1;
        if (i < 0 && typeof item?.name !== "string") i = s;
        if (i < 0 || i >= src.length) return undefined;
        res.push(i);
        out = item;
        src = src[i];
      } else {
        if (!out || typeof out !== "object" || !src || typeof src !== "object" || Array.isArray(src) || !(s in (src as Doc))) return undefined;
        res.push(s);
        out = (out as Doc)[s];
        src = (src as Doc)[s];
      }
    }
    return res;
  };
  const fieldPath = (segs: PathSegment[]) => segs.map((s, i) => (typeof s === "number" ? `[${s}]` : /[.[\]]/.test(s) ? `[${s}]` : i ? `.${s}` : s)).join("");

  /** The documents of a file that are this object before the overlay renamed it (same kind, the name inside the built one). */
  const candidates = (f: string, obj: Doc): { doc: unknown; index: number }[] => {
    const docs = docsOf(f) ?? [];
    const name = nameOf(obj) ?? "";
    const same = docs.map((doc, i) => ({ doc, index: i })).filter(({ doc }) => (doc as Doc)?.kind === obj.kind);
    const exact = same.filter(({ doc }) => nameOf(doc) === name);
    return exact.length ? exact : same.filter(({ doc }) => typeof nameOf(doc) === "string" && name.includes(nameOf(doc)!));
  };

  return (source: ObjectSource, segments: PathSegment[], _pos: Position | undefined): Origin | undefined => {
    const o = origins[source.docIndex];
    if (!o) return undefined;
    built ??= (() => {
      try {
        return jsyaml.loadAll(rendered, undefined, K8S_LOAD_OPTIONS);
      } catch {
        return [];
      }
    })();
    const obj = built[source.docIndex] as Doc | undefined;
    if (!obj || typeof obj !== "object") return undefined;
    const segs = [...source.itemPath, ...segments];
    const patches = [...new Set(o.patchedBy)].reverse().flatMap(patchFiles);
    for (const f of [...patches, o.file]) {
      for (const c of candidates(f, obj)) {
        const p = translate(obj, c.doc, segs);
        if (!p) continue;
        const at = index.resolve({ file: f, docIndex: c.index, itemPath: [] }, fieldPath(p));
        if (at?.exact) return { template: { file: f, line: at.line } };
      }
    }
    // not written anywhere the user edits (set by a transformer, or absent): the resource's nearest key
    const c = candidates(o.file, obj)[0];
    if (!c) return { template: { file: o.file, line: 1 }, note: "not found in the resource or its patches" };
    let depth = segs.length;
    let p: PathSegment[] | undefined;
    while (depth > 0 && !(p = translate(obj, c.doc, segs.slice(0, depth)))) depth--;
    const at = index.resolve({ file: o.file, docIndex: c.index, itemPath: [] }, fieldPath(p ?? []));
    const line = at?.line ?? 1;
    return { template: { file: o.file, line }, note: `not written in the resource or its patches: add it under ${path.basename(o.file)}:${line}` };
  };
}
