// Exceptions: findings a team has accepted. Two sources:
// 1. An exceptions file in Kubescape's posture-exception format: a list of
//    {name, policyType: "postureExceptionPolicy", actions: ["alertOnly"], resources: [
//    {designatorType: "Attributes", attributes: {kind, name, namespace, cluster, <label>: value}}],
//    posturePolicies: [{controlID, controlName, frameworkName, ruleName}], expirationDate?, reason?}.
//    kind/name/namespace/cluster values are regular expressions matched in full; other
//    attributes are labels matched exactly. Designators in `resources` are alternatives (OR);
//    the keys inside one designator must all match (AND); likewise for posturePolicies.
// 2. An annotation on the object itself: `ignore-control.kubescape.io/C-0057: "reason"`.
// An excepted finding is reported as passed (excepted) with the exception's name.
import { UserError } from "../errors.js";

export const ANNOTATION_PREFIX = "ignore-control.kubescape.io/";

export class ExceptionsError extends UserError {}

export interface ExceptionPolicy {
  name: string;
  reason?: string;
  expirationDate?: string;
  resources: { attributes: Record<string, string> }[];
  posturePolicies: { controlID?: string; controlName?: string; frameworkName?: string; ruleName?: string }[];
}

export interface ExceptionTarget {
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  cluster?: string;
}

export interface ControlRef {
  id: string;
  name: string;
  frameworks: string[];
  rules: string[];
}

const str = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v));

export function parseExceptions(doc: unknown, file = "exceptions"): ExceptionPolicy[] {
  const list = Array.isArray(doc) ? doc : doc && typeof doc === "object" && Array.isArray((doc as any).exceptions) ? (doc as any).exceptions : undefined;
  if (!list) throw new ExceptionsError(`${file}: expected a list of exception policies`);
  return list.map((raw: any, i: number) => {
    const where = `${file}: exception ${i + 1}${raw?.name ? ` (${raw.name})` : ""}`;
    if (!raw || typeof raw !== "object") throw new ExceptionsError(`${where}: must be an object`);
    if (!Array.isArray(raw.resources) || raw.resources.length === 0) throw new ExceptionsError(`${where}: needs at least one entry in resources`);
    if (!Array.isArray(raw.posturePolicies) || raw.posturePolicies.length === 0) throw new ExceptionsError(`${where}: needs at least one entry in posturePolicies`);
    const resources = raw.resources.map((r: any) => {
      if (!r || typeof r.attributes !== "object" || r.attributes === null) throw new ExceptionsError(`${where}: each resource needs attributes`);
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.attributes)) attributes[k] = String(v);
      for (const k of ["kind", "name", "namespace", "cluster"]) {
        if (attributes[k] !== undefined) {
          try {
            new RegExp(attributes[k]);
          } catch {
            throw new ExceptionsError(`${where}: ${k} "${attributes[k]}" is not a valid regular expression`);
          }
        }
      }
      return { attributes };
    });
    const posturePolicies = raw.posturePolicies.map((p: any) => ({
      controlID: str(p?.controlID),
      controlName: str(p?.controlName),
      frameworkName: str(p?.frameworkName),
      ruleName: str(p?.ruleName),
    }));
    if (raw.expirationDate !== undefined && Number.isNaN(Date.parse(String(raw.expirationDate)))) {
      throw new ExceptionsError(`${where}: expirationDate "${raw.expirationDate}" is not a date`);
    }
    return { name: String(raw.name ?? `exception-${i + 1}`), reason: str(raw.reason), expirationDate: str(raw.expirationDate), resources, posturePolicies };
  });
}

const full = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value);

function resourceMatches(attrs: Record<string, string>, t: ExceptionTarget): boolean {
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "kind" || k === "name" || k === "namespace") {
      if (!full(v, t[k])) return false;
    } else if (k === "cluster") {
      if (t.cluster === undefined || !full(v, t.cluster)) return false;
    } else if (t.labels[k] !== v) return false;
  }
  return true;
}

function policyMatches(p: ExceptionPolicy["posturePolicies"][number], c: ControlRef): boolean {
  if (!p.controlID && !p.controlName && !p.frameworkName && !p.ruleName) return false;
  if (p.controlID && p.controlID.toUpperCase() !== c.id) return false;
  if (p.controlName && p.controlName !== c.name) return false;
  if (p.frameworkName && !c.frameworks.some((f) => f.toLowerCase() === p.frameworkName!.toLowerCase())) return false;
  if (p.ruleName && !c.rules.includes(p.ruleName)) return false;
  return true;
}

export class ExceptionMatcher {
  readonly warnings: string[] = [];
  private active: ExceptionPolicy[];

  /**
   * @param annotations honour `ignore-control.kubescape.io/<ID>` annotations on the objects
   *   themselves (default); off where the manifest's author is not trusted (CI, admission)
   */
  constructor(
    policies: ExceptionPolicy[],
    now = new Date(),
    private readonly annotations = true,
  ) {
    this.active = policies.filter((p) => {
      if (p.expirationDate && Date.parse(p.expirationDate) < now.getTime()) {
        this.warnings.push(`exception "${p.name}" expired on ${p.expirationDate} and no longer applies`);
        return false;
      }
      return true;
    });
  }

  /** Whether any exception policy is in force (else only an object's own annotation can except it). */
  get hasPolicies(): boolean {
    return this.active.length > 0;
  }

  /** Whether an object's annotations may except it from this control (cheap: no target is built). */
  mayExceptItself(annotations: unknown, controlID: string): boolean {
    return this.annotations && typeof annotations === "object" && annotations !== null && Object.hasOwn(annotations, ANNOTATION_PREFIX + controlID);
  }

  /** The name of the exception that covers this control on this resource, if any. */
  match(t: ExceptionTarget, c: ControlRef): string | undefined {
    return this.hit(t, c)?.name;
  }

  /** The exception that covers this control on this resource, and whether the object excepts itself (an annotation). */
  hit(t: ExceptionTarget, c: ControlRef): { name: string; self: boolean } | undefined {
    const note = this.annotations ? t.annotations[ANNOTATION_PREFIX + c.id] : undefined;
    if (note !== undefined) {
      const reason = note.length > MAX_REASON ? `${note.slice(0, MAX_REASON)}…` : note;
      return { name: `self-excepted by its annotation ${ANNOTATION_PREFIX}${c.id}${reason ? `: ${reason}` : ""}`, self: true };
    }
    for (const p of this.active) {
      if (p.resources.some((r) => resourceMatches(r.attributes, t)) && p.posturePolicies.some((pp) => policyMatches(pp, c))) return { name: p.name, self: false };
    }
    return undefined;
  }
}

/** an annotation's reason is the object author's text: reports show this much of it */
const MAX_REASON = 200;
