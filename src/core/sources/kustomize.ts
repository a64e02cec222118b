// Kustomize: a folder with a kustomization is built (`kustomize build`, else `kubectl
// kustomize`) and scanned as one rendered stream; the files it names (resources, patches,
// components, bases) are its parts, not loose manifests, and a kustomization that another one
// names is built only as part of it (a base is not scanned again beside its overlay).
import fs from "node:fs";
import path from "node:path";
import jsyaml from "js-yaml";
import { runTool, ToolError } from "./tool.js";
import { KUSTOMIZATION_FILES } from "./walk.js";
import { UserError } from "../errors.js";

export class KustomizeError extends UserError {}

/** The kustomization file of a folder, if it has one. */
export function kustomizationFile(dir: string): string | undefined {
  for (const k of KUSTOMIZATION_FILES) {
    const f = path.join(dir, k);
    try {
      if (fs.statSync(f).isFile()) return f;
    } catch {
      // not this spelling
    }
  }
  return undefined;
}

/** The paths (real paths) a kustomization names, files and folders alike. Unreadable: none. */
export function kustomizationRefs(dir: string): string[] {
  const file = kustomizationFile(dir);
  if (!file) return [];
  let doc: unknown;
  try {
    doc = jsyaml.load(fs.readFileSync(file, "utf8"));
  } catch {
    return [];
  }
  if (typeof doc !== "object" || doc === null) return [];
  const k = doc as Record<string, unknown>;
  const names: string[] = [];
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  for (const field of ["resources", "bases", "components", "patchesStrategicMerge", "crds", "configurations", "transformers", "generators", "validators"]) names.push(...strings(k[field]));
  for (const field of ["patches", "patchesJson6902", "replacements"]) {
    if (Array.isArray(k[field])) for (const p of k[field] as unknown[]) if (p && typeof p === "object" && typeof (p as { path?: unknown }).path === "string") names.push((p as { path: string }).path);
  }
  for (const field of ["configMapGenerator", "secretGenerator"]) {
    if (!Array.isArray(k[field])) continue;
    for (const g of k[field] as Record<string, unknown>[]) for (const f of [...strings(g?.files), ...strings(g?.envs)]) names.push(f.replace(/^[^=]*=/, ""));
  }
  const out: string[] = [];
  for (const n of names) {
    // a patch given inline, or a remote base (a URL): not a path here
    if (n.includes("\n") || /^[a-z][a-z0-9+.-]*:\/\//i.test(n) || n.startsWith("github.com/")) continue;
    try {
      out.push(fs.realpathSync(path.resolve(dir, n)));
    } catch {
      // named but missing: kustomize itself says so when it builds
    }
  }
  return out;
}

/**
 * The kustomizations to build (those no other kustomization names) and the real paths of
 * every part that some kustomization names, transitively.
 */
export function planKustomizations<T extends { dir: string; real: string }>(dirs: T[]): { build: T[]; parts: Set<string> } {
  const parts = new Set<string>();
  const seen = new Set<string>();
  const visit = (real: string) => {
    if (seen.has(real)) return;
    seen.add(real);
    for (const r of kustomizationRefs(real)) {
      parts.add(r);
      let isDir = false;
      try {
        isDir = fs.statSync(r).isDirectory();
      } catch {
        // gone
      }
      if (isDir && kustomizationFile(r)) visit(r);
    }
  };
  for (const d of dirs) visit(d.real);
  return { build: dirs.filter((d) => !parts.has(d.real)), parts };
}

/**
 * Build a kustomization: `kustomize build DIR` when kustomize is on PATH, else
 * `kubectl kustomize DIR`. Throws KustomizeError (one line) when neither runs or the build fails.
 */
export async function buildKustomization(dir: string, opts: { maxBytes: number; timeoutMs?: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = opts.env ?? process.env;
  const tries: { command: string; args: string[]; label: string }[] = [
    { command: env.KUSTOMIZE_BIN?.trim() || "kustomize", args: ["build", "--", dir], label: "kustomize build" },
    { command: env.KUBECTL_BIN?.trim() || "kubectl", args: ["kustomize", "--", dir], label: "kubectl kustomize" },
  ];
  for (const t of tries) {
    try {
      const r = await runTool({ ...t, env, maxBytes: opts.maxBytes, timeoutMs: opts.timeoutMs, signal: opts.signal });
      return r.stdout;
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      if (e.failure === "not-found") continue;
      if (e.failure === "failed") throw new KustomizeError(`${t.label} failed: ${toolErrorLine(e.stderr) ?? e.message}`);
      throw new KustomizeError(e.message);
    }
  }
  throw new KustomizeError("neither kustomize nor kubectl found on PATH (a kustomization needs one of them; or scan with --no-render)");
}

function toolErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => /^Error:/.test(l)) ?? lines[0])?.replace(/^Error:\s*/, "");
}

/** Where a built object came from: its resource file, and the kustomizations whose patches touched it. */
export interface KustomizeOrigin {
  file: string;
  patchedBy: string[];
}

const ORIGIN_KEYS = /^(\s+)(config\.kubernetes\.io\/origin|alpha\.config\.kubernetes\.io\/transformations): \|[-+]?\s*$/;

/**
 * Build through a wrapper kustomization (in a temporary folder, naming the user's as its one
 * resource) with `buildMetadata: [originAnnotations, transformerAnnotations]`, so kustomize
 * itself says which file each object came from and which kustomizations patched it. Those
 * annotations are taken out of the text before it is scanned (rules and reports never see
 * them). Undefined when the wrapper cannot be built (the plain build is then used).
 */
export async function buildWithOrigins(
  dir: string,
  opts: { maxBytes: number; timeoutMs?: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<{ text: string; origins: (KustomizeOrigin | undefined)[] } | undefined> {
  const os = await import("node:os");
  const wrap = fs.mkdtempSync(path.join(os.tmpdir(), "ks-kustomize-"));
  try {
    // kustomize refuses an absolute path here: the user's folder, relative to the wrapper
    const rel = path.relative(wrap, fs.realpathSync(dir)).split(path.sep).join("/");
    fs.writeFileSync(path.join(wrap, "kustomization.yaml"), `resources:\n  - ${JSON.stringify(rel)}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n`);
    let text: string;
    try {
      text = await buildKustomization(wrap, opts);
    } catch (e) {
      if (e instanceof KustomizeError) return undefined;
      throw e;
    }
    return stripOrigins(text, wrap);
  } finally {
    fs.rmSync(wrap, { recursive: true, force: true });
  }
}

/** Take the origin annotations out of a built stream; each document's origin, paths made absolute. */
export function stripOrigins(text: string, base: string): { text: string; origins: (KustomizeOrigin | undefined)[] } {
  const lines = text.split("\n");
  const out: string[] = [];
  const origins: (KustomizeOrigin | undefined)[] = [];
  let doc = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === "---") doc++;
    const m = ORIGIN_KEYS.exec(l);
    if (!m) {
      out.push(l);
      continue;
    }
    const indent = m[1].length;
    const block: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1].trim() === "" || lines[i + 1].length - lines[i + 1].trimStart().length > indent)) block.push(lines[++i]);
    let parsed: unknown;
    try {
      parsed = jsyaml.load(block.join("\n"));
    } catch {
      continue;
    }
    const o = (origins[doc] ??= { file: "", patchedBy: [] });
    if (m[2] === "config.kubernetes.io/origin") {
      const p = (parsed as { path?: unknown })?.path;
      if (typeof p === "string") o.file = path.resolve(base, p);
    } else if (Array.isArray(parsed)) {
      for (const t of parsed as { configuredIn?: unknown; configuredBy?: { kind?: unknown } }[]) {
        if (typeof t?.configuredIn === "string" && t.configuredBy?.kind === "PatchTransformer") o.patchedBy.push(path.resolve(base, t.configuredIn));
      }
    }
    // `annotations:` left with nothing under it goes too
    const prev = out[out.length - 1];
    const next = lines[i + 1] ?? "";
    if (prev !== undefined && /^\s+annotations:\s*$/.test(prev) && prev.length - prev.trimStart().length < indent && !(next.length - next.trimStart().length >= indent && next.trim())) out.pop();
  }
  return { text: out.join("\n"), origins: origins.map((o) => (o && o.file ? o : undefined)) };
}

/** The patch files a kustomization applies (patches[].path, patchesStrategicMerge). */
export function patchFiles(kustomization: string): string[] {
  let doc: Record<string, unknown>;
  try {
    doc = jsyaml.load(fs.readFileSync(kustomization, "utf8")) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (!doc || typeof doc !== "object") return [];
  const dir = path.dirname(kustomization);
  const out: string[] = [];
  for (const p of Array.isArray(doc.patches) ? doc.patches : []) if (p && typeof p.path === "string") out.push(path.resolve(dir, p.path));
  for (const p of Array.isArray(doc.patchesStrategicMerge) ? doc.patchesStrategicMerge : []) if (typeof p === "string" && !p.includes("\n")) out.push(path.resolve(dir, p));
  return out;
}
