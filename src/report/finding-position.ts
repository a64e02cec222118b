// Where a finding "is" for formats that point at one spot (sarif, junit): the first
// positioned failed field, then any other positioned path (a fix or delete path points
// at the field or its nearest parent), then the start of the resource.
import { isStreamName } from "../core/model.js";
import type { PathEntry, ResourceFinding, ResourceResult } from "../core/scoring/result.js";

const ORDER: PathEntry["type"][] = ["failed", "delete", "review", "fix"];

export interface FindingPosition {
  line: number;
  column?: number;
  /** the path entry the position belongs to; absent when it is the resource's own start */
  entry?: PathEntry;
}

export function findingPosition(resource: ResourceResult, finding: ResourceFinding): FindingPosition | undefined {
  for (const type of ORDER) {
    const entry = finding.paths.find((p) => p.type === type && p.line !== undefined);
    if (entry) return { line: entry.line!, column: entry.column, entry };
  }
  const src = resource.source;
  return src?.line !== undefined ? { line: src.line, column: src.column } : undefined;
}

/** true when the resource came from a file a reader can open (not stdin, not a cluster) */
export function hasFile(report: { target: { kind: string } }, resource: ResourceResult): resource is ResourceResult & { source: { file: string } } {
  const file = resource.source?.file;
  return !!file && !isStreamName(file) && report.target.kind !== "cluster";
}
