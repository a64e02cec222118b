// Every view and key of the TUI through ink-testing-library, over a real scan of examples/
// (a real Scanner kept loaded, as `kubescape tui examples/` holds it).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import React from "react";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { App, type AppProps } from "../../src/tui/App.js";
import { scannerProvider, staticProvider, type ReportProvider } from "../../src/tui/provider.js";
import { Scanner, fileSource, explainControl, type ScanReport } from "../../src/core/index.js";
import { repoRoot } from "../support/cli.js";

const ESC = "\u001B";
const DOWN = "\u001B[B";
const UP = "\u001B[A";
const ENTER = "\r";
const BACKSPACE = "\u007F";
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));

let scanner: Scanner;
let report: ScanReport;
const cwd = process.cwd();

beforeAll(async () => {
  process.chdir(repoRoot); // the report's file names are relative to the repo, as the CLI gives them
  scanner = await Scanner.create({ threads: 1 });
  report = await scanner.scan({ source: fileSource(["examples/"]) });
});
afterAll(async () => {
  process.chdir(cwd);
  await scanner.close();
});

async function open(props: Partial<AppProps> = {}) {
  const provider = props.provider ?? scannerProvider(scanner, { source: fileSource(["examples/"]) }, "examples/");
  const app = render(<App provider={provider} color={false} {...props} />);
  for (let i = 0; i < 100 && !app.lastFrame()?.includes("Compliance score") && !app.lastFrame()?.includes("[overview ›"); i++) await tick(50);
  // ink-testing-library's stdin drops the first chunk written (a terminal does not): prime it with a key no view uses
  app.stdin.write("x");
  await tick();
  const keys = async (...ks: string[]) => {
    for (const k of ks) {
      // wait for the frame to change (the machine may be slow), or a while for keys that change nothing
      const before = app.lastFrame();
      app.stdin.write(k);
      for (let i = 0; i < 20 && app.lastFrame() === before; i++) await tick(25);
      await tick(20);
    }
    return app.lastFrame() ?? "";
  };
  return { app, keys, frame: () => app.lastFrame() ?? "" };
}

describe("tui views", () => {
  it("overview: scope, time, a score bar per framework, failed controls by severity, the most risky workloads", async () => {
    const { frame, app } = await open();
    const f = frame();
    expect(f).toContain("Scope: files examples/ (5 read)");
    expect(f).toMatch(/Time: .*9 resources, 6 failing/);
    const all = report.frameworks.find((x) => x.name === "AllControls")!;
    expect(f).toMatch(new RegExp(`AllControls\\s+${Math.round(all.score!)}% █+░+ ${all.controls.failed} failed`));
    expect(f).toContain(`High ${report.summary.failedBySeverity.High}`);
    // log-agent fails the most (and the heaviest) controls
    expect(f).toMatch(/Most risky workloads[\s\S]*logging\/DaemonSet\/log-agent[\s\S]*Pod\/debug-shell/);
    // a frame is the terminal's height less one line, and no line is wider than it
    expect(f.split("\n").length).toBe(23);
    for (const l of f.split("\n")) expect(l.length).toBeLessThanOrEqual(100);
    app.unmount();
  });

  it("Enter opens the controls; s sorts by severity, score, failed count; / filters as you type", async () => {
    const { keys, app } = await open();
    let f = await keys(ENTER);
    expect(f).toContain("sorted by severity");
    const rows = (s: string) => s.split("\n").filter((l) => /^[›\s] (Critical|High|Medium|Low|Info)\s/.test(l));
    expect(rows(f)[0]).toMatch(/^› High/);
    f = await keys("s");
    expect(f).toContain("sorted by score");
    expect(rows(f)[0]).toMatch(/\s0%/);
    f = await keys("s");
    expect(f).toContain("sorted by failed");
    const failed = rows(f).map((l) => Number(l.slice(19, 27).trim()));
    expect(failed).toEqual([...failed].sort((a, b) => b - a));
    f = await keys("s");
    expect(f).toContain("sorted by severity");
    f = await keys("/", "p", "r", "i", "v");
    expect(f).toContain("filter: priv");
    const ids = rows(f).map((l) => l.slice(11, 17));
    expect(ids).toContain("C-0057");
    const priv = report.controls.filter((c) => c.status === "failed" && `${c.id} ${c.name} ${c.severity}`.toLowerCase().includes("priv")).map((c) => c.id);
    expect([...ids].sort()).toEqual(priv.sort());
    for (const l of rows(f)) expect(l.toLowerCase()).toContain("priv");
    // Backspace edits the filter, Enter keeps it, Esc (while filtering) clears it
    f = await keys(BACKSPACE, "x");
    expect(f).toContain("filter: prix");
    expect(f).toContain("no control matches the filter");
    f = await keys(BACKSPACE, ENTER);
    expect(rows(f)).toHaveLength(ids.length);
    f = await keys("/", ESC);
    expect(rows(f).length).toBeGreaterThan(10);
    app.unmount();
  });

  it("arrows and j/k move; Enter opens the resources of a control with namespace/kind/name and file:line; detail highlights the failed lines", async () => {
    const { keys, app } = await open();
    await keys(ENTER, "/", "C-0057", ENTER);
    let f = await keys(ENTER);
    expect(f).toContain("C-0057 Privileged container (High): 1 resource");
    expect(f).toMatch(/› failed\s+logging\/DaemonSet\/log-agent\s+examples\/risky\/log-agent\.yaml:3/);
    f = await keys(ENTER);
    expect(f).toContain("[overview › controls › C-0057 › detail]");
    expect(f).toContain("spec.template.spec.containers[0].securityContext.privileged (line 23)");
    // scroll down to the object: the failed lines carry ">"
    f = await keys(...Array(15).fill("j"));
    expect(f).toMatch(/>23\s+privileged: true/);
    expect(f).toMatch(/ 22\s+securityContext:/);
    f = await keys("j", "j", "j");
    expect(f).toMatch(/>25\s+add: \["SYS_ADMIN", "NET_ADMIN"\]/);
    expect(f).toMatch(/ 24\s+capabilities:/);
    // the fix preview and the explanation further down (arrows scroll as j does)
    let seen = "";
    for (let i = 0; i < 4; i++) seen += "\n" + (await keys(DOWN, DOWN, DOWN, DOWN, DOWN, DOWN));
    for (let i = 0; i < 5; i++) seen += "\n" + (await keys(" ")); // space pages down
    expect(seen).toContain("Fix preview");
    expect(seen).toMatch(/-\s+privileged: true/);
    const doc = explainControl(scanner.registry, "C-0057")!.doc!;
    expect(seen).toContain("How to fix:");
    expect(seen.replace(/\s+/g, " ")).toContain(doc.remediation.trim().split(/\s+/).slice(0, 6).join(" "));
    f = await keys(...Array(60).fill(UP), "k");
    expect(f).toContain("logging/DaemonSet/log-agent  examples/risky/log-agent.yaml:3");
    // Esc and Backspace go back, one view each
    f = await keys(ESC);
    expect(f).toContain("[overview › controls › C-0057]");
    f = await keys(BACKSPACE);
    expect(f).toContain("[overview › controls]");
    f = await keys(ESC, ESC);
    expect(f).toContain("[overview]");
    app.unmount();
  });

  it("a fix path shows as an added line in the fix preview", async () => {
    const { keys, app } = await open();
    await keys(ENTER, "/", "C-0234", ENTER, ENTER);
    let f = await keys(ENTER);
    expect(f).toContain("Fix: set these fields");
    f = await keys(...Array(80).fill("j"));
    const all = [f];
    for (let i = 0; i < 6 && !all.join("\n").includes("Fix preview"); i++) all.push(await keys(...Array(15).fill("k")));
    expect(all.join("\n")).toMatch(/\+\s+secretProviderClass: YOUR_VALUE/);
    app.unmount();
  });

  it("e exports the current view as json into the export folder and names the file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-tui-export-"));
    const { keys, app } = await open({ exportDir: dir, now: () => new Date("2026-01-02T03:04:05Z") });
    let f = await keys("e");
    expect(f).toContain("exported overview to kubescape-tui-overview-20260102-030405.json");
    const overview = JSON.parse(fs.readFileSync(path.join(dir, "kubescape-tui-overview-20260102-030405.json"), "utf8"));
    expect(overview.frameworks).toHaveLength(report.frameworks.length);
    expect(overview.riskyWorkloads[0].resourceID).toBe("apps/v1/logging/DaemonSet/log-agent");
    f = await keys(ENTER, "/", "host", ENTER, "e");
    const controls = JSON.parse(fs.readFileSync(path.join(dir, "kubescape-tui-controls-20260102-030405.json"), "utf8"));
    expect(controls.filter).toBe("host");
    const host = report.controls.filter((c) => c.status === "failed" && `${c.id} ${c.name} ${c.severity}`.toLowerCase().includes("host")).map((c) => c.id);
    expect(host.length).toBeGreaterThan(2);
    expect(controls.controls.map((c: { id: string }) => c.id).sort()).toEqual(host.sort());
    await keys(ENTER, ENTER, "e");
    const detail = JSON.parse(fs.readFileSync(path.join(dir, "kubescape-tui-detail-20260102-030405.json"), "utf8"));
    expect(detail.resource.findings).toHaveLength(1);
    expect(detail.explanation.id).toBe(detail.control.id);
    app.unmount();
  });

  it("? shows the keys; any key closes the help", async () => {
    const { keys, app } = await open();
    let f = await keys("?");
    for (const k of ["Enter", "Esc/Backspace", "rescan", "export the current view as json", "quit"]) expect(f).toContain(k);
    f = await keys("x");
    expect(f).toContain("Compliance score");
    app.unmount();
  });

  it("r rescans with the same provider (the scanner stays loaded) and reports the time", async () => {
    let loads = 0;
    const inner = scannerProvider(scanner, { source: fileSource(["examples/"]) }, "examples/");
    const provider: ReportProvider = { ...inner, load: (o) => (loads++, inner.load(o)) };
    const { keys, app, frame } = await open({ provider });
    expect(loads).toBe(1);
    await keys("r");
    for (let i = 0; i < 100 && loads === 1; i++) await tick(20);
    for (let i = 0; i < 100 && !/scanned in \d/.test(frame()); i++) await tick(50);
    expect(loads).toBe(2);
    expect(frame()).toMatch(/scanned in \d+\.\d\d s/);
    app.unmount();
  });

  it("a running scan shows its progress and Esc cancels it", async () => {
    // a source that reports progress, then waits until the scan is aborted
    let aborted = false;
    const slow = {
      name: "slow",
      read: (ctx: { signal?: AbortSignal; onEvent: (e: any) => void }) =>
        new Promise<never>((_, reject) => {
          ctx.onEvent({ type: "listed", kind: "Pod", objects: 12 });
          ctx.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(ctx.signal!.reason);
          });
        }),
    };
    const app = render(<App provider={scannerProvider(scanner, { source: slow }, "slow")} color={false} />);
    for (let i = 0; i < 50 && !app.lastFrame()?.includes("listed Pod: 12"); i++) await tick(20);
    expect(app.lastFrame()).toContain("listed Pod: 12  (Esc cancels)");
    app.stdin.write(ESC);
    for (let i = 0; i < 50 && !app.lastFrame()?.includes("cancelled"); i++) await tick(20);
    expect(aborted).toBe(true);
    expect(app.lastFrame()).toContain("scan cancelled (r scans again, q quits)");
    app.unmount();
  });

  it("a failed scan says why, in one escaped line", async () => {
    const broken = { name: "broken", read: async () => Promise.reject(new Error("no route to \u001b]0;host\u0007")) };
    const app = render(<App provider={scannerProvider(scanner, { source: broken }, "broken")} color={false} />);
    for (let i = 0; i < 50 && !app.lastFrame()?.includes("failed"); i++) await tick(20);
    expect(app.lastFrame()).toContain("The scan failed:");
    expect(app.lastFrame()).toContain("no route to \\x1b]0;host\\x07");
    app.unmount();
  });

  it("--resource opens straight on that resource's findings", async () => {
    const { frame, keys, app } = await open({ resource: { kind: "pod", name: "debug-shell" } });
    for (let i = 0; i < 40 && !frame().includes("[overview › resource]"); i++) await tick(50);
    let f = frame();
    const pod = report.resources.find((r) => r.kind === "Pod" && r.name === "debug-shell")!;
    expect(f).toContain(`Pod/debug-shell  examples/risky/debug-pod.yaml:2: ${pod.findings.length} findings`);
    expect(f).toMatch(/› High\s+C-0\d{3}\s+failed/);
    f = await keys(ENTER);
    expect(f).toContain("› detail]");
    expect(f).toContain("Pod/debug-shell");
    app.unmount();
  });

  it("resizing re-lays out the frame to the new size", async () => {
    const { app, frame } = await open();
    expect(frame()).not.toContain("cis-eks-t1.7.0");
    // the test stdout has a fixed 100 columns: give it the new size as a terminal would, then signal it
    const stdout = app.stdout as unknown as { emit: (e: string) => void };
    Object.defineProperty(stdout, "columns", { value: 60, configurable: true });
    Object.defineProperty(stdout, "rows", { value: 30, configurable: true });
    stdout.emit("resize");
    await tick(100);
    const lines = frame().split("\n");
    expect(lines.length).toBe(29);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    // more rows: more frameworks fit
    expect(frame()).toContain("cis-eks-t1.7.0");
    app.unmount();
  });

  it("without colour: no escape sequences, and the marks still show what is selected and failed", async () => {
    const { keys, app } = await open();
    const f = await keys(ENTER);
    expect(f).not.toContain("\u001b[");
    expect(f).toMatch(/^› High/m);
    app.unmount();
  });

  it("names from the input are escaped; a saved report (no objects) still shows its findings", async () => {
    const hostile = structuredClone(report);
    const r = hostile.resources.find((x) => x.name === "log-agent")!;
    r.name = "evil\u001b[2J\u202ename";
    const { keys, app } = await open({ provider: staticProvider(() => hostile, "saved.json") });
    const f = await keys(ENTER, "/", "C-0057", ENTER, ENTER);
    expect(f).not.toContain("\u001b[2J");
    expect(f).toContain("evil\\x1b[2J\\u202ename");
    const d = await keys(ENTER);
    expect(d).toContain("Failed fields");
    app.unmount();
  });
});
