// The pinned opa binary: $OPA when set, otherwise built once by scripts/install-tools.sh
// into ~/.cache/kubescape-dev/bin.
import path from "node:path";
import { execFileSync } from "node:child_process";

export function opaPath(root) {
  if (process.env.OPA) return process.env.OPA;
  const out = execFileSync("bash", [path.join(root, "scripts", "install-tools.sh"), "opa"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return path.join(out.trim().split("\n").pop(), "opa");
}
