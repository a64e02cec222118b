// The registry of controls, frameworks and rules: facts (controls/facts.json,
// controls/frameworks.json), the compiled rule index (rules/bundle/index.json) and the
// controls' own text (controls/docs/<ID>.yaml, read on demand).
import YAML from "yaml";
import { dataExists, readDataText } from "../data-files.js";
import { severityOf, type Severity } from "../model.js";

export interface RuleMeta {
  name: string;
  controls: string[];
  matchKinds: string[];
  configInputs: string[];
  crossObject: boolean;
  /** cross-object rules: kinds that may be sent in chunks, each with all objects of the other kinds */
  splitKinds?: string[];
  /** cross-object rules: every alert is decided within one namespace, which may be evaluated apart */
  splitByNamespace?: boolean;
  /**
   * the rule has a relevance filter (its relevant.rego): only the objects it names, and those
   * it flags, count in its controls' scores; without one, every object of its matchKinds does
   */
  relevance?: boolean;
}

export interface ControlFacts {
  id: string;
  name: string;
  baseScore: number;
  scopes: string[];
  matchKinds: string[];
  configInputs: string[];
  needs: string[];
  category: string;
  mitre: string[];
}

export interface Control extends ControlFacts {
  severity: Severity;
  frameworks: string[];
  rules: RuleMeta[];
  /** why the control is not evaluated from objects here; undefined when it is */
  skipReason?: string;
  /** set when the control runs but some of its checks need data other than objects: what is left out */
  partial?: string;
}

export interface Framework {
  name: string;
  controls: string[];
  scopes: string[];
}

export interface ControlDoc {
  id: string;
  description: string;
  why: string;
  remediation: string;
  example?: string;
}

const NEEDS_REASON: Record<string, string> = {
  host: "needs host scanner data (node and control-plane configuration)",
  cloud: "needs the cloud provider's API",
  vulnerabilities: "needs image vulnerability scan results",
  "network-scan": "needs a network scan of services",
};

export class Registry {
  readonly controls: Map<string, Control>;
  readonly frameworks: Map<string, Framework>;
  readonly rules: RuleMeta[];

  constructor(facts: ControlFacts[], frameworks: Framework[], rules: RuleMeta[], skipReasons: Record<string, string> = {}, partialReasons: Record<string, string> = {}) {
    this.rules = rules;
    this.frameworks = new Map(frameworks.map((f) => [f.name, f]));
    const byControl = new Map<string, RuleMeta[]>();
    for (const r of rules) for (const c of r.controls) byControl.set(c, [...(byControl.get(c) ?? []), r]);
    this.controls = new Map(
      facts.map((f) => {
        const rs = byControl.get(f.id) ?? [];
        const missing = f.needs.find((n) => n !== "objects");
        const skipReason = rs.length ? undefined : missing ? (NEEDS_REASON[missing] ?? `needs ${missing} data`) : (skipReasons[f.id] ?? "not implemented yet");
        // a control with rules of its own whose other checks need other data runs what it can, marked partial
        const partial =
          rs.length && (missing || partialReasons[f.id])
            ? (partialReasons[f.id] ?? `the checks that ${(NEEDS_REASON[missing!] ?? `needs ${missing} data`).replace(/^needs /, "need ")} are not run`)
            : undefined;
        return [
          f.id,
          {
            ...f,
            severity: severityOf(f.baseScore),
            frameworks: frameworks.filter((fw) => fw.controls.includes(f.id)).map((fw) => fw.name),
            rules: rs,
            skipReason,
            ...(partial ? { partial } : {}),
          },
        ];
      }),
    );
  }

  static load(): Registry {
    const read = (p: string) => JSON.parse(readDataText(p));
    return new Registry(
      read("controls/facts.json"),
      read("controls/frameworks.json"),
      read("rules/bundle/index.json").rules,
      read("controls/skip-reasons.json"),
      read("controls/partial-reasons.json"),
    );
  }

  /** Find a framework by name, case-insensitively. */
  framework(name: string): Framework | undefined {
    return this.frameworks.get(name) ?? [...this.frameworks.values()].find((f) => f.name.toLowerCase() === name.toLowerCase());
  }

  /** Find a control by ID ("C-0057", "c-0057" or "0057"). */
  control(id: string): Control | undefined {
    const norm = id.toUpperCase().replace(/^(\d+)$/, "C-$1");
    return this.controls.get(norm);
  }

  implemented(): Control[] {
    return [...this.controls.values()].filter((c) => !c.skipReason);
  }

  /** The control's own text; undefined when there is none (or its file is broken: that costs the text, never the caller). */
  doc(id: string): ControlDoc | undefined {
    const file = ["controls", "docs", `${id}.yaml`];
    try {
      if (!dataExists(...file)) return undefined;
      return YAML.parse(readDataText(...file)) as ControlDoc;
    } catch {
      return undefined;
    }
  }
}
