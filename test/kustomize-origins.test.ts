// kustomize's origin annotations come out of the built stream before it is scanned: the
// object's own annotations stay, an annotations map left empty goes, and each document's
// resource file and patching kustomizations are kept (paths made absolute).
import { describe, expect, it } from "vitest";
import { stripOrigins } from "../src/core/sources/kustomize.js";

const built = [
  "apiVersion: v1",
  "kind: Pod",
  "metadata:",
  "  annotations:",
  "    alpha.config.kubernetes.io/transformations: |",
  "      - configuredIn: ../o/kustomization.yaml",
  "        configuredBy:",
  "          apiVersion: builtin",
  "          kind: PatchTransformer",
  "    config.kubernetes.io/origin: |",
  "      path: ../b/pod.yaml",
  "    team: a",
  "  name: p",
  "---",
  "apiVersion: v1",
  "kind: Service",
  "metadata:",
  "  annotations:",
  "    config.kubernetes.io/origin: |",
  "      path: ../b/svc.yaml",
  "  name: s",
  "",
].join("\n");

describe("stripOrigins", () => {
  it("removes the origin annotations, keeps the object's own, records each document's origin", () => {
    const { text, origins } = stripOrigins(built, "/w/wrap");
    expect(text).toBe(["apiVersion: v1", "kind: Pod", "metadata:", "  annotations:", "    team: a", "  name: p", "---", "apiVersion: v1", "kind: Service", "metadata:", "  name: s", ""].join("\n"));
    expect(origins).toEqual([
      { file: "/w/b/pod.yaml", patchedBy: ["/w/o/kustomization.yaml"] },
      { file: "/w/b/svc.yaml", patchedBy: [] },
    ]);
  });
});
