// A saved json report as a source: re-rendered (in another format, with another gate or
// baseline), never rescanned.
import type { ScanReport } from "../scoring/result.js";
import type { Source } from "./source.js";

export function reportSource(report: ScanReport, name = "report"): Source {
  return { name, read: async () => ({ report }) };
}
