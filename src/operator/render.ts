// Results made ready for the writer (writer.ts), in one of two forms:
//
// - Rendered: the object's spec as JSON bytes, for the API server (CRDs, or Kubescape's storage).
// - Deferred: the object's findings and the tables they are read with, for our own store
//   (store.ts), which keeps those and makes the spec when the object is read. A full scan of
//   20,000 objects has about 190 MB of spec JSON, mostly the same "passed" entries; making it
//   took as long as a third of the scan, on the one thread that writes, while the other core
//   idled. Its findings are a third of that, and the controls of each kind (and how they
//   ended over the scan) are stored once for all the results of that kind.
//
// Either carries the digest the writer compares, so a write that changes nothing is not sent.
import { createHash } from "node:crypto";
import {
  ANNOTATION,
  KINDS,
  STORAGE_API_VERSION,
  WorkloadScans,
  severitiesOf,
  tablesToJson,
  toSummary,
  type ObjectFindings,
  type ScannedControl,
  type Severities,
  type SpecTables,
  type WorkloadConfigurationScan,
} from "./storage.js";
import type { StoredObject } from "./writer.js";

interface Head {
  apiVersion: string;
  kind: string;
  metadata: StoredObject["metadata"];
  digest: string;
  /** a WorkloadConfigurationScan's failed controls by severity (what the store's summaries add up) */
  severities?: Severities;
}

export interface Rendered extends Head {
  /** JSON.stringify(spec) as UTF-8 */
  spec: Uint8Array;
}

export interface Deferred extends Head {
  findings: ObjectFindings;
  /** JSON.stringify(findings): what the store keeps */
  text: string;
  tables: SpecTables;
  /** the slice of the scan's tables the spec is made from (its kind's controls), and its digest: the store keeps each distinct slice once, by it */
  tablesDigest: string;
  severities: Severities;
}

export type Ready = Rendered | Deferred;

export const isDeferred = (r: Ready): r is Deferred => "findings" in r;

const utf8 = new TextEncoder();

const digest = (parts: (string | Uint8Array)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("base64url").slice(0, 22);
};

/** Labels and annotations, but the scan time and the digest itself, as JSON: what the digest covers of the metadata. */
function described(metadata: StoredObject["metadata"]): string {
  const { [ANNOTATION.scannedAt]: _t, [ANNOTATION.digest]: _d, ...annotations } = metadata.annotations ?? {};
  return `${JSON.stringify(metadata.labels ?? {})},${JSON.stringify(annotations)}`;
}

/**
 * A digest of what a result says (labels, annotations but the scan time and the digest itself,
 * spec); 128 bits: the digest of the text JSON.stringify([labels, annotations, spec]). The
 * mapping lists paths and related objects in a canonical order (storage.ts), so the same
 * findings always serialise the same.
 */
export function digestOf(metadata: StoredObject["metadata"], spec: Uint8Array): string {
  return digest([`[${described(metadata)},`, spec, "]"]);
}

/** A result object rendered; a WorkloadConfigurationScan's failed controls are counted by severity. */
export function render(obj: StoredObject): Rendered {
  const spec = utf8.encode(JSON.stringify(obj.spec));
  const controls = (obj.spec as { controls?: unknown } | undefined)?.controls;
  const severities =
    obj.kind === KINDS.scan.kind && controls && typeof controls === "object" ? severitiesOf(Object.values(controls).filter((c): c is ScannedControl => Boolean(c?.status && c?.severity))) : undefined;
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec, digest: digestOf(obj.metadata, spec), ...(severities ? { severities } : {}) };
}

/** A result as it is, or an object rendered. */
export const ready = (obj: StoredObject | Ready): Ready => ("digest" in obj && typeof obj.digest === "string" ? obj : render(obj as StoredObject));

const scansOf = new WeakMap<SpecTables, WorkloadScans>();
const slices = new WeakMap<SpecTables, Map<string, { tables: SpecTables; digest: string }>>();

/** The maker of specs for these tables (one per tables object). */
export function specMaker(tables: SpecTables): WorkloadScans {
  let s = scansOf.get(tables);
  if (!s) scansOf.set(tables, (s = new WorkloadScans(tables)));
  return s;
}

/**
 * What of the tables a kind's specs are made from (its controls, and how they ended), and its
 * digest: what a deferred result of that kind is stored with. An event's scan runs only the
 * controls of the changed kinds, and a full scan all of them; the slice of a kind is the same
 * in both, so the same findings make the same digest, and the store keeps one tables line per
 * kind (and per change in how its controls ended), however the scans that wrote them differed.
 */
function sliceOf(tables: SpecTables, kind: string): { tables: SpecTables; digest: string } {
  let byKind = slices.get(tables);
  if (!byKind) slices.set(tables, (byKind = new Map()));
  let slice = byKind.get(kind);
  if (!slice) {
    const controls = specMaker(tables).controlsOf(kind);
    const outcomes = Object.fromEntries(controls.filter((c) => tables.outcomes[c.id]).map((c) => [c.id, tables.outcomes[c.id]]));
    const t = { controls, outcomes };
    byKind.set(kind, (slice = { tables: t, digest: digest([tablesToJson(t)]) }));
  }
  return slice;
}

/**
 * An object's WorkloadConfigurationScan as a deferred result: its metadata (scan.metadata of
 * the same object), findings, and the slice of the tables its kind's spec is made from. The
 * digest covers the metadata, the slice and the findings, each in their canonical form: the
 * same findings with the same controls always make the same spec.
 */
export function defer(metadata: WorkloadConfigurationScan["metadata"], findings: ObjectFindings, tables: SpecTables): Deferred {
  const slice = sliceOf(tables, findings.ref.kind);
  const text = JSON.stringify(findings);
  return {
    apiVersion: STORAGE_API_VERSION,
    kind: KINDS.scan.kind,
    metadata,
    findings,
    text,
    tables: slice.tables,
    tablesDigest: slice.digest,
    severities: specMaker(slice.tables).severities(findings),
    digest: digest([`[${described(metadata)},"${slice.digest}",`, text, "]"]),
  };
}

/** A ready result's spec as JSON bytes (a deferred one's made now). */
export function specOf(r: Ready): Uint8Array {
  return isDeferred(r) ? utf8.encode(JSON.stringify(specMaker(r.tables).spec(r.findings))) : r.spec;
}

/** An object's JSON up to its spec: what goes before the spec's JSON and a closing "}". */
export function headOf(apiVersion: string, kind: string, metadata: object): string {
  return `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(kind)},"metadata":${JSON.stringify(metadata)},"spec":`;
}

/** The object's JSON: its head and its spec. */
export function bodyOf(r: Ready): Buffer {
  return Buffer.concat([Buffer.from(headOf(r.apiVersion, r.kind, r.metadata)), specOf(r), Buffer.from("}")]);
}

/** A WorkloadConfigurationScan rendered, and its WorkloadConfigurationScanSummary (written beside it where the API server stores them). */
export function renderWithSummary(scan: WorkloadConfigurationScan): { scan: Rendered; summary: Rendered } {
  // the summary first: it is made from the scan before the writer adds to its metadata
  const summary = render(toSummary(scan));
  return { scan: render(scan), summary };
}
