// The yaml format: the same model as the json report, as YAML. Written in pieces: each
// top-level key on its own, long lists a batch of items at a time (the batch rendered under
// its key, the key's line dropped), byte for byte the whole document's YAML.stringify.
import YAML from "yaml";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";

const OPTIONS = { aliasDuplicateObjects: false, lineWidth: 0 } as const;

/** Items of a long list rendered per call. */
const BATCH = 200;

export function renderYaml(report: ScanReport): string {
  return YAML.stringify(report, OPTIONS);
}

export function* renderYamlChunks(report: ScanReport): Generator<string> {
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length > BATCH) {
      for (let i = 0; i < value.length; i += BATCH) {
        const text = YAML.stringify({ [key]: value.slice(i, i + BATCH) }, OPTIONS);
        // the first batch keeps the `key:` line, the others continue its list
        yield i === 0 ? text : text.slice(text.indexOf("\n") + 1);
      }
    } else {
      yield YAML.stringify({ [key]: value }, OPTIONS);
    }
  }
}

export const reporter: Reporter = { ext: "yaml", render: renderYaml, chunks: renderYamlChunks };
