// The scanner as a library: one Scanner for many scans (different sources, inputs and
// selections), progress events, cancellation that frees the workers, and saved reports as a
// source. The CLI, the TUI and the operator all hold a Scanner like this.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scanner, fileSource, streamSource, reportSource, type ScanEvent, type ScanReport, type Source } from "../src/core/index.js";
import { repoRoot } from "./support/cli.js";
// @ts-expect-error plain JS generator shared with the benchmarks
import { generate } from "../bench/generate.mjs";

const stable = (r: ScanReport) => JSON.stringify({ ...r, startedAt: "", durationMs: 0 });

const POD = `apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: dev}
spec:
  containers:
    - name: sh
      image: busybox:1.36
      securityContext:
        capabilities: {add: [SYSLOG]}
`;

describe("Scanner", () => {
  let scanner: Scanner;
  let big: string;
  beforeAll(async () => {
    scanner = await Scanner.create({ threads: 2 });
    big = fs.mkdtempSync(path.join(os.tmpdir(), "ks-scanner-"));
    await generate(big, 3000);
  });
  afterAll(async () => {
    await scanner.close();
    fs.rmSync(big, { recursive: true, force: true });
  });

  it("--max-objects counts the objects in the namespace scope, not those read before it", async () => {
    const pods = Array.from({ length: 6 }, (_, i) => POD.replace("name: tools, namespace: dev", `name: p${i}, namespace: ${i < 2 ? "dev" : "other"}`)).join("---\n");
    const scoped: Source = {
      name: "scoped",
      async read(ctx) {
        const r = await streamSource("<pods>", pods).read(ctx);
        return { ...r, inScope: (ns: string | undefined) => ns === "dev" };
      },
    };
    const report = await scanner.scan({ source: scoped, controls: ["C-0046"], maxObjects: 2 });
    expect(report.summary.resources.total).toBe(2);
    await expect(scanner.scan({ source: scoped, controls: ["C-0046"], maxObjects: 1 })).rejects.toThrow("2 objects to scan, more than the limit of 1 (--max-objects)");
  });

  it("runs scans with different sources, selections and control inputs, each as a fresh scanner would", async () => {
    const examples = await scanner.scan({ source: fileSource([path.join(repoRoot, "examples")]) });
    // C-0046 (insecure capabilities) fails SYSLOG only when the inputs list it
    const defaults = await scanner.scan({ source: streamSource("<pod>", POD), controls: ["C-0046"] });
    const tuned = await scanner.scan({ source: streamSource("<pod>", POD), controls: ["C-0046"], controlInputs: { insecureCapabilities: ["SYSLOG"] } });
    expect(defaults.controls.find((c) => c.id === "C-0046")?.status).toBe("passed");
    expect(tuned.controls.find((c) => c.id === "C-0046")?.status).toBe("failed");
    expect(tuned.resources[0]).toMatchObject({ kind: "Pod", name: "tools", source: { file: "<pod>", line: 1 } });
    expect(tuned.resources[0].findings[0].paths).toContainEqual(expect.objectContaining({ path: "spec.containers[0].securityContext.capabilities.add[0]", line: 9 }));
    // the inputs of one scan do not stay for the next
    const again = await scanner.scan({ source: streamSource("<pod>", POD), controls: ["C-0046"] });
    expect(stable(again)).toBe(stable(defaults));

    const fresh = await Scanner.create({ threads: 2 });
    try {
      expect(stable(await fresh.scan({ source: fileSource([path.join(repoRoot, "examples")]) }))).toBe(stable(examples));
    } finally {
      await fresh.close();
    }
    expect(examples.summary.controls.failed).toBeGreaterThan(10);
  });

  it("reports progress: what was read, evaluation as it goes, then scored", async () => {
    const events: ScanEvent[] = [];
    const report = await scanner.scan({ source: fileSource([big]) }, { onEvent: (e) => events.push(e) });
    expect(events[0]).toEqual({ type: "read", files: 569, objects: expect.any(Number) });
    expect((events[0] as { objects: number }).objects).toBe(3000);
    const evaluated = events.filter((e): e is Extract<ScanEvent, { type: "evaluated" }> => e.type === "evaluated");
    expect(evaluated.length).toBeGreaterThan(5);
    expect(evaluated.at(-1)!.done).toBe(evaluated.at(-1)!.total);
    expect(evaluated.map((e) => e.done)).toEqual([...evaluated.map((e) => e.done)].sort((a, b) => a - b));
    expect(events.at(-1)).toEqual({ type: "scored", resources: report.summary.resources.total, failed: report.summary.resources.failed });
  });

  it("cancels a scan mid-evaluation within 200 ms, and the next scans are whole and correct", async () => {
    const whole = await scanner.scan({ source: fileSource([big]) });
    const rssBefore = process.memoryUsage().rss;
    for (let round = 0; round < 3; round++) {
      const ac = new AbortController();
      let abortedAt = 0;
      const scan = scanner.scan(
        { source: fileSource([big]) },
        {
          signal: ac.signal,
          onEvent: (e) => {
            if (e.type === "evaluated" && !abortedAt) {
              abortedAt = performance.now();
              ac.abort(new Error("cancelled by the test"));
            }
          },
        },
      );
      await expect(scan).rejects.toThrow("cancelled by the test");
      expect(performance.now() - abortedAt).toBeLessThan(200);
    }
    const after = await scanner.scan({ source: fileSource([big]) });
    expect(stable(after)).toBe(stable(whole));
    // three cancelled scans leave nothing behind that grows (loose bound: one scan's garbage)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  });

  it("an aborted signal stops a scan before it reads anything", async () => {
    const ac = new AbortController();
    ac.abort(new Error("too late"));
    await expect(scanner.scan({ source: fileSource([big]) }, { signal: ac.signal })).rejects.toThrow("too late");
  });

  it("re-renders a saved report without scanning, and applies a baseline to it", async () => {
    const first = await scanner.scan({ source: streamSource("<pod>", POD), controls: ["C-0046"], controlInputs: { insecureCapabilities: ["SYSLOG"] } });
    const saved = JSON.parse(JSON.stringify(first)) as ScanReport;
    const events: ScanEvent[] = [];
    const again = await scanner.scan({ source: reportSource(saved) }, { onEvent: (e) => events.push(e) });
    expect(again).toEqual(saved);
    expect(events).toEqual([]); // nothing was read or evaluated
    const compared = await scanner.scan({ source: reportSource(saved), baseline: { report: { resources: [] }, name: "empty.json" } });
    expect(compared.baseline).toMatchObject({ file: "empty.json", existing: 0 });
    expect(compared.baseline!.new).toBeGreaterThan(0);
    expect(saved.baseline).toBeUndefined(); // the saved report itself is left as it was
  });

  it("unknown controls and frameworks are usage errors", async () => {
    await expect(scanner.scan({ source: streamSource("<pod>", POD), controls: ["C-9999"] })).rejects.toMatchObject({ name: "UsageError", message: expect.stringContaining("C-9999") });
    await expect(scanner.scan({ source: streamSource("<pod>", POD), frameworks: ["nope"] })).rejects.toMatchObject({ name: "UsageError" });
  });
});
