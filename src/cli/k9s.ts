// The K9s plugin: our shortcut on the workload views (scan that workload), the namespaces
// view (scan the namespace) and the contexts view (scan that cluster), each opening
// `kubescape tui` in the foreground, so the TUI takes the terminal and `q` returns to K9s.
// plugins/k9s/plugins.yaml is this table as a file (test/k9s.test.ts keeps them equal);
// `kubescape k9s install` merges it into the user's K9s plugins file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML, { isMap, type Document, type YAMLMap } from "yaml";
import { UserError } from "../core/errors.js";

/**
 * Shift-E: free in every view we add to. K9s v0.50 binds, on pods, Shift-C/I/M/O/R/S/T/X/Z
 * (sorts) and a, l, p, s, f, o, t, z, Shift-F/J/V; on deployments, daemonsets and
 * statefulsets Shift-D/L/R/U and s, z, r; on cronjobs s, t, Shift-L; on namespaces u and
 * Shift-S; on contexts r, Space, Shift-A; every table Shift-A/N and /, and every view c, d,
 * e, n, w, y, 0-9, Ctrl-D/K/R/S/W/Z. A plugin on a taken key is refused by K9s.
 */
export const K9S_SHORTCUT = "Shift-E";

export interface K9sPlugin {
  shortCut: string;
  description: string;
  scopes: string[];
  command: string;
  background: boolean;
  confirm: boolean;
  args: string[];
}

const WORKLOADS: [string, string][] = [
  ["pods", "Pod"],
  ["deployments", "Deployment"],
  ["statefulsets", "StatefulSet"],
  ["daemonsets", "DaemonSet"],
  ["jobs", "Job"],
  ["cronjobs", "CronJob"],
];

/** Our plugin entries by name; `command` is how K9s starts us (default: kubescape on PATH). */
export function k9sPlugins(command = "kubescape"): Record<string, K9sPlugin> {
  const out: Record<string, K9sPlugin> = {};
  const base = { shortCut: K9S_SHORTCUT, command, background: false, confirm: false };
  for (const [scope, kind] of WORKLOADS) {
    out[`kubescape-${kind.toLowerCase()}`] = {
      ...base,
      description: `Kubescape scan of this ${kind}`,
      scopes: [scope],
      args: ["tui", "--resource", `${kind}/$NAME`, "-n", "$NAMESPACE", "--context", "$CONTEXT", "--kubeconfig=$KUBECONFIG"],
    };
  }
  out["kubescape-namespace"] = { ...base, description: "Kubescape scan of this namespace", scopes: ["namespaces"], args: ["tui", "-n", "$NAME", "--context", "$CONTEXT", "--kubeconfig=$KUBECONFIG"] };
  out["kubescape-cluster"] = { ...base, description: "Kubescape scan of this cluster", scopes: ["contexts"], args: ["tui", "--context", "$NAME", "--kubeconfig=$KUBECONFIG"] };
  return out;
}

/** K9s' own lookup of its config folder: $K9S_CONFIG_DIR, else $XDG_CONFIG_HOME/k9s, else the platform's default. */
export function k9sConfigDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (env.K9S_CONFIG_DIR) return env.K9S_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, "k9s");
  if (platform === "darwin") return path.join(home, "Library", "Application Support", "k9s");
  return path.join(home, ".config", "k9s");
}

/** The plugins map of a K9s plugins document: under `plugins:`, or the top level of a file without it (K9s reads both). */
function pluginsMap(doc: Document, create: boolean): YAMLMap | undefined {
  if (doc.contents === null || doc.contents === undefined) {
    if (!create) return undefined;
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  }
  if (!isMap(doc.contents)) throw new UserError("the K9s plugins file is not a YAML mapping");
  const top = doc.contents;
  const under = top.get("plugins", true);
  if (isMap(under)) return under;
  if (under !== undefined && under !== null) throw new UserError('"plugins" in the K9s plugins file is not a mapping');
  if (top.items.length && !top.has("plugins")) return top;
  if (!create) return undefined;
  const map = doc.createNode({}) as YAMLMap;
  top.set("plugins", map);
  return map;
}

function parse(text: string, file: string): Document {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new UserError(`${file}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  return doc;
}

/** The plugins file with our entries added (or replaced), everything else and its comments kept. */
export function mergeK9sPlugins(text: string, plugins: Record<string, K9sPlugin>, file = "plugins.yaml"): string {
  const doc = parse(text, file);
  const map = pluginsMap(doc, true)!;
  for (const [name, p] of Object.entries(plugins)) map.set(name, doc.createNode(p));
  return doc.toString();
}

/** The plugins file without our entries (by name); the rest and its comments kept. */
export function removeK9sPlugins(text: string, names: string[], file = "plugins.yaml"): { text: string; removed: number } {
  const doc = parse(text, file);
  const map = pluginsMap(doc, false);
  if (!map) return { text, removed: 0 };
  let removed = 0;
  for (const n of names) if (map.delete(n)) removed++;
  return { text: removed ? doc.toString() : text, removed };
}

export function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
