// The one definition, for every format, of where a finding is and which fields it names.
//
// A rule lists a finding's fields as path entries of four kinds (failed, review, delete,
// fix), and often names one field twice: `failed` and again `review`, or `failed` and the
// `delete`/`fix` that repairs it. The view folds the entries by path, so each field appears
// once and carries what to do with it, and picks the one position a format shows for the
// finding: the first positioned failed field, then delete, review, fix (a fix or delete path
// may point at its nearest parent, see `exact`), then the resource's own start. Formats that
// show a finding's place or fields go through findingView, so they all give the same line.
import { isStreamName } from "../core/model.js";
import { valuesOverride, type PathEntry, type ResourceFinding, type ResourceResult } from "../core/scoring/result.js";

export type PathKind = PathEntry["type"];

/** Which kind of entry places a finding, best first. */
export const KIND_ORDER: readonly PathKind[] = ["failed", "delete", "review", "fix"];

export interface FieldView {
  path: string;
  line?: number;
  column?: number;
  /** false when the field does not exist yet and line/column point at its nearest parent */
  exact?: boolean;
  /** set when the path points into a related object: its resource ID, and the file line/column are in (when it came from one) */
  object?: string;
  file?: string;
  /** the kinds of entry the rule gave this path, in KIND_ORDER */
  kinds: PathKind[];
  /** listed as failed */
  failed: boolean;
  /** listed for review */
  review: boolean;
  /** what would fix it: set it to a value, or remove it (the first fix/delete entry of the path) */
  fix?: { value?: string } | "remove";
  /** rendered from a chart: the template line that writes it, the values key it comes from, why the mapping stops short */
  template?: PathEntry["template"];
  values?: PathEntry["values"];
  origin?: string;
}

/**
 * For a chart: the values override that makes a fix (`--set key=value` and the values.yaml
 * lines), where the field is values-driven; else undefined (patch the template line).
 */
export function chartFix(f: FieldView): { set: string; snippet: string } | undefined {
  if (!f.values || !f.fix || f.fix === "remove" || f.fix.value === undefined) return undefined;
  return valuesOverride(f.values.key, f.fix.value);
}

export interface FindingView {
  resource: ResourceResult;
  finding: ResourceFinding;
  /** the resource's source file as the model has it (may be "<stdin>" or a cluster name; see hasFile) */
  file?: string;
  /** the file `line` is in: `file`, or, when `at` points into a related object (a Role behind an RBAC finding), that object's */
  lineFile?: string;
  /** the finding's position: that of `at`, else the resource's own start; absent when neither is known */
  line?: number;
  column?: number;
  /** the field the position belongs to; absent when it is the resource's own start */
  at?: FieldView;
  /** every path once: `at` first, then by best kind (KIND_ORDER), each kind in the rule's order */
  fields: FieldView[];
  /** the fields listed as failed or for review, in `fields` order */
  failed: FieldView[];
  /** the fields with a fix or a removal, in `fields` order */
  fixes: FieldView[];
  /** rendered from a chart: the file and line the user edits (the template line of `at`) */
  edit?: { file: string; line: number };
}

export function findingView(resource: ResourceResult, finding: ResourceFinding): FindingView {
  const byPath = new Map<string, { field: FieldView; first: Map<PathKind, number> }>();
  finding.paths.forEach((p, i) => {
    // the same path text may point into two related objects: two fields
    const key = p.object === undefined ? p.path : `${p.object}\u0000${p.path}`;
    let e = byPath.get(key);
    if (!e) {
      e = { field: { path: p.path, kinds: [], failed: false, review: false }, first: new Map() };
      if (p.object !== undefined) e.field.object = p.object;
      if (p.file !== undefined) e.field.file = p.file;
      byPath.set(key, e);
    }
    const f = e.field;
    if (!e.first.has(p.type)) e.first.set(p.type, i);
    if (f.line === undefined && p.line !== undefined) {
      f.line = p.line;
      f.column = p.column;
      if (p.exact !== undefined) f.exact = p.exact;
    }
    if (p.template && !f.template) {
      f.template = p.template;
      if (p.values) f.values = p.values;
      if (p.origin) f.origin = p.origin;
    }
    if (p.type === "failed") f.failed = true;
    else if (p.type === "review") f.review = true;
    else if (!f.fix) f.fix = p.type === "delete" ? "remove" : p.value !== undefined ? { value: p.value } : {};
  });

  // rank = best kind; within a rank, the index of the path's first entry of that kind (so the
  // first positioned failed entry of the rule's list is the one that places the finding)
  const ranked = [...byPath.values()].map(({ field, first }) => {
    field.kinds = KIND_ORDER.filter((k) => first.has(k));
    const best = field.kinds[0];
    return { field, rank: KIND_ORDER.indexOf(best), index: first.get(best)! };
  });
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  const fields = ranked.map((r) => r.field);

  const at = fields.find((f) => f.line !== undefined);
  if (at && fields[0] !== at) {
    fields.splice(fields.indexOf(at), 1);
    fields.unshift(at);
  }
  const src = resource.source;
  const view: FindingView = {
    resource,
    finding,
    fields,
    failed: fields.filter((f) => f.failed || f.review),
    fixes: fields.filter((f) => f.fix !== undefined),
  };
  if (src?.file !== undefined) view.file = view.lineFile = src.file;
  if (at?.template) view.edit = at.template;
  if (at) {
    view.at = at;
    if (at.file !== undefined) view.lineFile = at.file;
    view.line = at.line;
    if (at.column !== undefined) view.column = at.column;
  } else if (src?.line !== undefined) {
    view.line = src.line;
    if (src.column !== undefined) view.column = src.column;
  }
  return view;
}

/** Every finding of the report with its view, in report order. */
export function findingViews(report: { resources: ResourceResult[] }): FindingView[] {
  return report.resources.flatMap((r) => r.findings.map((f) => findingView(r, f)));
}

/** true when the resource came from a file a reader can open (not stdin, not a cluster) */
export function hasFile(report: { target: { kind: string } }, resource: ResourceResult): resource is ResourceResult & { source: { file: string } } {
  return isFile(report, resource.source?.file);
}

/** true when `file` is one a reader can open (not stdin, not a cluster) */
export function isFile(report: { target: { kind: string } }, file: string | undefined): file is string {
  return !!file && !isStreamName(file) && report.target.kind !== "cluster";
}

/**
 * Whether the human formats list a resource in their details: it failed a control, or it
 * excused itself with an annotation (a reviewer must see that; an exceptions file is the
 * team's own decision and stays out of the way).
 */
export function listedInDetail(r: ResourceResult): boolean {
  return r.findings.some((f) => f.status === "failed" || f.selfExcepted === true);
}
