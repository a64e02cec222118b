// Fail closed: an object that a rule cannot evaluate is never counted as passed. It fails
// that rule's controls with the reason, in the score, the gate and every format, and the CLI
// exits 2 unless --allow-errors. And objects the API server accepts evaluate: a lone
// surrogate or a very deep extra field no longer makes every rule fail on a privileged Pod.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Registry, type ControlFacts, type RuleMeta } from "../src/core/engine/registry.js";
import { Scanner, streamSource } from "../src/core/index.js";
import { scanOutcome } from "../src/cli/scan-command.js";
import { runCli } from "./support/cli.js";

// test/fixtures/engine/fragile.wasm: rules that throw on a Pod whose annotation "size" is not a quantity
const fragileWasm = path.join(import.meta.dirname, "fixtures", "engine", "fragile.wasm");
const fact = (id: string): ControlFacts => ({ id, name: `control ${id}`, baseScore: 8, scopes: [], matchKinds: ["Pod"], configInputs: [], needs: ["objects"], category: "", mitre: [] });
const rules: RuleMeta[] = [
  { name: "fragile", controls: ["C-9001"], matchKinds: ["Pod"], configInputs: [], crossObject: false },
  { name: "fragile-cross", controls: ["C-9002"], matchKinds: ["Pod"], configInputs: [], crossObject: true },
];
const registry = new Registry([fact("C-9001"), fact("C-9002")], [{ name: "Test", controls: ["C-9001", "C-9002"], scopes: [] }], rules);
const pod = (name: string, size: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: shop\n  annotations: {size: "${size}"}\nspec:\n  containers: [{name: c, image: nginx}]\n`;

describe("an object a rule cannot evaluate", () => {
  it("fails that rule's controls with the reason, counts against the score, and never passes", async () => {
    const scanner = await Scanner.create({ wasmFile: fragileWasm, registry, threads: 1 });
    try {
      const report = await scanner.scan({ source: streamSource("<pods>", [pod("big", "200"), pod("broken", "lots"), pod("small", "5")].join("---\n")), controls: ["C-9001"] });
      const c = report.controls.find((x) => x.id === "C-9001")!;
      expect(c).toMatchObject({ status: "failed", resources: { passed: 1, failed: 2, excepted: 0 }, score: 33.33 });
      const broken = report.resources.find((r) => r.name === "broken")!.findings[0];
      expect(broken).toMatchObject({ controlID: "C-9001", status: "failed", error: expect.stringMatching(/^rule fragile could not evaluate this object: /) });
      expect(broken.message).toMatch(/not evaluated, counted as failed/);
      expect(report.resources.find((r) => r.name === "big")!.findings[0].error).toBeUndefined();
      expect(report.summary.resources).toEqual({ total: 3, failed: 2, unevaluated: 1 });

      // the CLI's verdict: exit 2 naming the object, unless --allow-errors (then the gate decides)
      const strict = scanOutcome(report, { passed: true, clauses: [] }, {});
      expect(strict.code).toBe(2);
      expect(strict.lines).toEqual([
        expect.stringMatching(/^<pods>:10: Pod\/broken: C-9001 not evaluated: rule fragile could not evaluate this object: /),
        "error: 1 resource could not be evaluated by every rule (listed above; counted as failed; --allow-errors to exit by the thresholds)",
      ]);
      expect(scanOutcome(report, { passed: false, clauses: ["x"] }, { "allow-errors": true }).code).toBe(1);
      expect(scanOutcome(report, { passed: true, clauses: ["ok"] }, { "allow-errors": true })).toMatchObject({ code: 0, lines: [expect.any(String), "PASS: ok"] });

      // a cross-object rule that fails on one object: the others keep their verdicts, the culprit fails
      const cross = await scanner.scan({ source: streamSource("<pods>", [pod("big", "200"), pod("broken", "lots")].join("---\n")), controls: ["C-9002"] });
      expect(cross.resources.find((r) => r.name === "broken")!.findings[0].error).toMatch(/fragile-cross/);
      expect(cross.controls[0].status).toBe("failed");
    } finally {
      await scanner.close();
    }
  });
});

describe("objects the API server accepts evaluate", () => {
  const privileged = (extra: Record<string, unknown>) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "evil", namespace: "shop", annotations: { note: "\ud800" } },
    spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx:1.27", securityContext: { privileged: true } }], ...extra },
  });

  const scan = (doc: object, extra = "") => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-closed-"));
    // JSON.stringify writes the lone surrogate as the escape "\ud800", as a hostile file would
    const text = JSON.stringify(doc);
    fs.writeFileSync(path.join(dir, "pod.json"), extra ? text.replace(/}$/, `,${extra}}`) : text);
    return runCli(["scan", "control", "C-0057,C-0041", dir, "--severity-threshold", "high", "--format", "json"]);
  };

  it("a lone surrogate in an annotation: the privileged hostNetwork Pod still fails, FAIL and exit 1", () => {
    const r = scan(privileged({}));
    const report = JSON.parse(r.stdout);
    expect(report.controls.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ["C-0041", "failed"],
      ["C-0057", "failed"],
    ]);
    expect(report.warnings).toEqual([]);
    expect(r.stderr).toMatch(/^FAIL: 2 failed controls at or above High/m);
    expect(r.code).toBe(1);
  });

  it("a 10,000-deep extra field and 6,000 nested lists: cut and said so, the Pod still fails", () => {
    // written as text: building these as objects would overflow JSON.stringify's stack here
    const deep = `${'{"d":'.repeat(10_000)}"bottom"${"}".repeat(10_000)}`;
    const lists = `${"[".repeat(6_000)}${"]".repeat(6_000)}`;
    const r = scan(privileged({}), `"x":${deep},"y":${lists}`);
    const report = JSON.parse(r.stdout);
    expect(report.controls.every((c: { status: string }) => c.status === "failed")).toBe(true);
    expect(report.warnings.join("\n")).toMatch(/Pod\/evil .*deeper than 200 levels/);
    expect(r.code).toBe(1);
  });
});

describe("objects larger than the API server stores", () => {
  const scanFile = (name: string, text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-huge-"));
    fs.writeFileSync(path.join(dir, name), text);
    const t0 = Date.now();
    const r = runCli(["scan", dir, "--format", "json", "-o", path.join(os.tmpdir(), `${path.basename(dir)}.json`)]);
    return { ...r, ms: Date.now() - t0, report: JSON.parse(fs.readFileSync(path.join(os.tmpdir(), `${path.basename(dir)}.json`), "utf8")) };
  };

  it("a Pod with 50,000 containers fails closed at once instead of running for minutes", () => {
    const containers = Array.from({ length: 50_000 }, (_, i) => ({ name: `c${i}`, image: "nginx", securityContext: { privileged: true } }));
    const r = scanFile("pod.json", JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "wide" }, spec: { containers } }));
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(30_000);
    const c0057 = r.report.controls.find((c: { id: string }) => c.id === "C-0057");
    expect(c0057.status).toBe("failed");
    expect(r.report.resources[0].findings.find((f: { controlID: string }) => f.controlID === "C-0057").error).toMatch(
      /the object is 3\.\d MB as JSON, more than the 1\.5 MB the API server stores; not evaluated/,
    );
  });

  it("a 15 MB name: every stderr line stays short, the scan fails closed", () => {
    const r = scanFile("pod.yaml", `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${"n".repeat(15 * 1024 * 1024)}\nspec:\n  containers: [{name: c, image: nginx}]\n`);
    expect(r.code).toBe(2);
    expect(Math.max(...r.stderr.split("\n").map((l) => l.length))).toBeLessThan(1000);
    expect(r.stderr).toMatch(/: Pod\/n{99}…: C-\d{4} not evaluated: /);
    expect(r.report.summary.resources.unevaluated).toBe(1);
  });
});
