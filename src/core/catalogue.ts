// The control catalogue as data: what `list` and `explain` print, and what the TUI and the
// operator show about a control.
import type { Severity } from "./model.js";
import type { Control, ControlDoc, Registry } from "./engine/registry.js";

export interface FrameworkEntry {
  name: string;
  controls: number;
  /** controls decided from Kubernetes objects here */
  implemented: number;
}

export interface ControlEntry {
  id: string;
  name: string;
  severity: Severity;
  baseScore: number;
  status: "implemented" | "manual review" | "skipped";
  skipReason?: string;
  /** runs, but some of its checks need data objects cannot give: which, and why */
  partial?: string;
  frameworks: string[];
  rules: string[];
}

export interface ControlExplanation extends ControlEntry {
  /** kinds the control checks */
  kinds: string[];
  configInputs: string[];
  /** the control's own text; absent when there is none yet */
  doc?: ControlDoc;
}

export function listFrameworks(registry: Registry): FrameworkEntry[] {
  return [...registry.frameworks.values()].map((f) => ({
    name: f.name,
    controls: f.controls.length,
    implemented: f.controls.filter((id) => registry.controls.has(id) && !registry.controls.get(id)!.skipReason).length,
  }));
}

/** One control as the catalogue lists it. */
function entryOf(c: Control): ControlEntry {
  return {
    id: c.id,
    name: c.name,
    severity: c.severity,
    baseScore: c.baseScore,
    status: c.skipReason ? "skipped" : c.rules.every((r) => r.matchKinds.length === 0) ? "manual review" : "implemented",
    skipReason: c.skipReason,
    ...(c.partial ? { partial: c.partial } : {}),
    frameworks: c.frameworks,
    rules: c.rules.map((r) => r.name),
  };
}

export function listControls(registry: Registry): ControlEntry[] {
  return [...registry.controls.values()].map(entryOf);
}

/** A control by ID ("C-0057", "c-0057", "0057"), with its text; undefined when unknown. */
export function explainControl(registry: Registry, id: string): ControlExplanation | undefined {
  const c = registry.control(id);
  if (!c) return undefined;
  return { ...entryOf(c), kinds: c.matchKinds, configInputs: c.configInputs, doc: registry.doc(c.id) };
}
