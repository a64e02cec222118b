// Where the package's own files are (charts/, rules/): two levels above dist/operator or src/operator.
import path from "node:path";

export function packageRoot(): string {
  return path.resolve(import.meta.dirname, "..", "..");
}
