// The yaml format: the same model as the json report, as YAML.
import YAML from "yaml";
import type { ScanReport } from "../core/scoring/result.js";
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "yaml",
  render: (report: ScanReport) => YAML.stringify(report, { aliasDuplicateObjects: false, lineWidth: 0 }),
};
