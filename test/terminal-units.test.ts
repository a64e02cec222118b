// The pieces behind the terminal report: layout within a width, suggestions, the command
// line's order, colour and width choices, and the progress line's timing and ETA.
import { beforeAll, describe, expect, it } from "vitest";
import { columns, elide, joinPieces, wrap, wrapItems } from "../src/report/table.js";
import { fixHint, notApplicable, renderPretty } from "../src/report/pretty.js";
import { closest, editDistance } from "../src/cli/suggest.js";
import { commandArgv, usageLine, type CommandShape } from "../src/cli/main.js";
import { terminalWidth, useColor } from "../src/cli/terminal.js";
import { eta, stderrProgress } from "../src/cli/progress.js";
import type { ControlResult, ScanReport } from "../src/core/scoring/result.js";
import { runCli } from "./support/cli.js";

describe("layout within a width", () => {
  it("columns narrow the widest flexible column first and elide what does not fit", () => {
    const rows = [["High", "C-0210 Ensure that the seccomp profile is set to docker/default in your pod definitions", "3/4", "Set securityContext.seccompProfile.type to RuntimeDefault"]];
    const cols = [{ header: "Severity" }, { header: "Control", flex: true, min: 20 }, { header: "Failed", align: "right" as const }, { header: "Fix", flex: true, min: 10 }];
    const out = columns(cols, rows, { width: 80 });
    for (const l of out) expect([...l].length).toBeLessThanOrEqual(80);
    expect(out[1]).toMatch(/^High {6}C-0210 Ensure .*… {2}\s*3\/4 {2}Set securityContext.*…$/);
    // wide enough: nothing cut
    expect(columns(cols, rows, { width: 200 })[1]).toContain(rows[0][1]);
    // styles colour the text, not the padding
    const styled = columns([{ header: "A" }, { header: "B" }], [[{ text: "x", style: (s) => `<${s}>` }, "y"]], { width: 80 });
    expect(styled[1]).toBe("<x>  y");
  });

  it("wrap breaks at spaces and keeps a long word whole unless told to cut it", () => {
    expect(wrap("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(wrap("spec.template.spec.containers[0] x", 10)).toEqual(["spec.template.spec.containers[0]", "x"]);
    expect(wrap("abcdefghij", 4, { hard: true })).toEqual(["abcd", "efgh", "ij"]);
    expect(elide("abcdef", 4)).toBe("abc…");
  });

  it("joinPieces moves a piece that does not fit to the next line, whole when it can", () => {
    const lines = joinPieces("    ", [{ text: "f.yaml:20:11 (parent)" }, { text: "fix: set a.b.c = 1" }], 6, 30);
    expect(lines).toEqual(["    f.yaml:20:11 (parent)", "      fix: set a.b.c = 1"]);
    expect(joinPieces("", [{ text: "a" }, { text: "b" }], 2, 30)).toEqual(["a  b"]);
  });

  it("wrapItems keeps each item whole (a count with its kind)", () => {
    const items = ["listed 120 Pod", "40 Deployment", "12 Namespace"].map((text) => ({ text, sep: ", " }));
    expect(wrapItems([...items, { text: "in 0.4 s", sep: " " }], 30)).toEqual(["listed 120 Pod, 40 Deployment,", "12 Namespace in 0.4 s"]);
  });

  it("the fix hint is the remediation's first sentence", () => {
    expect(fixHint("Remove hostNetwork (or set it to false). Expose it through a Service.")).toBe("Remove hostNetwork (or set it to false)");
    expect(fixHint(undefined)).toBe("");
  });

  it("a control that checked no resource is not applicable", () => {
    const c = (status: string, n: number) => ({ status, resources: { passed: n, failed: 0, excepted: 0 } }) as unknown as ControlResult;
    expect(notApplicable(c("passed", 0))).toBe(true);
    expect(notApplicable(c("not-applicable", 0))).toBe(true);
    expect(notApplicable(c("passed", 2))).toBe(false);
    expect(notApplicable(c("skipped", 0))).toBe(false);
  });
});

describe("suggestions", () => {
  it("edit distance counts a swap of neighbours as one edit", () => {
    expect(editDistance("sacn", "scan")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("NSA", "nsa")).toBe(0);
  });
  it("suggests only what is close for the word's length", () => {
    expect(closest("sacn", ["scan", "list", "diff"])).toBe("scan");
    expect(closest("xyz", ["scan", "list"])).toBeUndefined();
    expect(closest("--verbos", ["--verbose", "--version"])).toBe("--verbose");
  });
});

describe("the command line", () => {
  const commands: Record<string, CommandShape> = {
    scan: { flags: { namespace: { char: "n", type: "option" }, verbose: { char: "v", type: "boolean" }, format: { char: "f", type: "option" } }, args: { paths: { name: "paths" } }, strict: false },
    "scan:control": { flags: {}, args: { controls: { name: "controls", required: true } }, strict: false },
    list: { flags: {}, args: {} },
  };
  it("puts a subcommand after its topic wherever the flags are", () => {
    expect(commandArgv(["scan", "-n", "x", "control", "C-0057"], commands)).toEqual({ argv: ["scan", "control", "-n", "x", "C-0057"], id: "scan:control" });
    expect(commandArgv(["scan", "--namespace", "control", "examples/"], commands)).toEqual({ argv: ["scan", "--namespace", "control", "examples/"], id: "scan" });
    expect(commandArgv(["scan", "-v", "--format=json", "control", "C-1"], commands).id).toBe("scan:control");
    expect(commandArgv(["scan", "examples/", "control"], commands).id).toBe("scan"); // a path first: "control" is a path
    expect(commandArgv(["sacn"], commands).id).toBeUndefined();
    expect(commandArgv(["--help"], commands)).toEqual({ argv: ["--help"] });
  });
  it("writes one usage line", () => {
    expect(usageLine("kubescape", "scan:control", commands["scan:control"])).toBe("kubescape scan control CONTROLS... [flags]");
    expect(usageLine("kubescape", "scan", commands.scan)).toBe("kubescape scan [PATHS...] [flags]");
  });
  it("colour: the flag, else NO_COLOR, else FORCE_COLOR, else the terminal", () => {
    expect(useColor(undefined, true, {})).toBe(true);
    expect(useColor(undefined, false, {})).toBe(false);
    expect(useColor(undefined, false, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor(undefined, false, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor(undefined, true, { NO_COLOR: "1" })).toBe(false);
    expect(useColor(true, false, { NO_COLOR: "1" })).toBe(true);
  });
  it("width: the terminal's, else COLUMNS, else 80", () => {
    expect(terminalWidth({ isTTY: true, columns: 132 }, { COLUMNS: "100" })).toBe(132);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: "100" })).toBe(100);
    expect(terminalWidth({ isTTY: false }, {})).toBe(80);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: "wide" })).toBe(80);
  });
});

describe("the progress line", () => {
  const stream = () => {
    const out: string[] = [];
    return { out, s: { isTTY: true, columns: 80, write: (x: string) => out.push(x) } as unknown as NodeJS.WriteStream };
  };
  it("shows nothing for the first second, then files read and evaluation with an ETA", () => {
    let t = 0;
    const { out, s } = stream();
    const p = stderrProgress(s, {}, { now: () => t });
    p.onEvent({ type: "read", files: 2000, objects: 2100 });
    p.onEvent({ type: "evaluated", done: 1, total: 10 });
    expect(out).toEqual([]);
    t = 1000;
    p.onEvent({ type: "evaluated", done: 2, total: 10 });
    expect(out.at(-1)).toBe("\r\x1b[Kread 2000 files, 2100 objects · evaluating controls: 20% (2/10) · ETA 4 s");
    t = 1050; // within 100 ms: not redrawn
    p.onEvent({ type: "evaluated", done: 3, total: 10 });
    expect(out).toHaveLength(1);
    t = 1300;
    p.onEvent({ type: "evaluated", done: 10, total: 10 });
    expect(out.at(-1)).toBe("\r\x1b[Kread 2000 files, 2100 objects · evaluating controls: 100% (10/10)");
    p.done();
    expect(out.at(-1)).toBe("\r\x1b[K");
  });
  it("a cluster read shows kinds listed of all to list as each LIST completes", () => {
    let t = 2000;
    const { out, s } = stream();
    const p = stderrProgress(s, {}, { now: () => t, delayMs: 0 });
    p.onEvent({ type: "listed", kind: "Pod", objects: 120, of: { done: 1, total: 17 } });
    expect(out.at(-1)).toBe("\r\x1b[Klisted 1/17 kinds, 120 objects (Pod)");
    t = 2200;
    p.onEvent({ type: "listed", kind: "Deployment", objects: 40, of: { done: 2, total: 17 } });
    expect(out.at(-1)).toBe("\r\x1b[Klisted 2/17 kinds, 160 objects (Deployment)");
  });
  it("is silent off a terminal and in CI", () => {
    const { out, s } = stream();
    const ci = stderrProgress(s, { CI: "true" }, { delayMs: 0 });
    ci.onEvent({ type: "read", files: 1, objects: 1 });
    const pipe = stderrProgress({ ...s, isTTY: false } as NodeJS.WriteStream, {}, { delayMs: 0 });
    pipe.onEvent({ type: "read", files: 1, objects: 1 });
    expect(out).toEqual([]);
  });
  it("ETA in seconds, then minutes", () => {
    expect(eta(1, 4, 3000)).toBe("ETA 9 s");
    expect(eta(1, 100, 2000)).toBe("ETA 3 min");
    expect(eta(0, 4, 3000)).toBe("");
    expect(eta(4, 4, 3000)).toBe("");
  });
});

describe("the pretty report of a given result", () => {
  const base = (): ScanReport => JSON.parse(runCli(["scan", "examples/", "-f", "json"]).stdout);
  let report: ScanReport;
  beforeAll(() => {
    report = base();
  });

  it("a cluster scan: the scope names the cluster; the listed kinds wrap whole", () => {
    const r: ScanReport = structuredClone(report);
    r.target = {
      kind: "cluster",
      paths: [],
      cluster: {
        context: "admin",
        server: "https://127.0.0.1:6443",
        version: "v1.31.2",
        counts: { Pod: 120, Deployment: 40, Namespace: 12, ConfigMap: 30, Service: 25 },
        unavailable: {},
        listMs: 400,
        requests: 9,
      },
    };
    const lines = renderPretty(r, { color: false, width: 50, doc: () => ({ id: "", description: "", why: "", remediation: "Do the right thing. Then more." }) }).split("\n");
    expect(lines.slice(0, 3)).toEqual(["Kubescape scan ·", "cluster admin (https://127.0.0.1:6443, v1.31.2) ·", "9 resources, 6 failed"]);
    expect(lines.slice(0, 8).join("\n")).toMatch(/^listed 120 Pod, 40 Deployment, 30 ConfigMap,$/m);
    expect(lines.slice(0, 8).join("\n")).toMatch(/^25 Service, 12 Namespace in 0\.4 s ·$/m);
    for (const l of lines) if ([...l].length > 50) expect(l).toMatch(/^\s*\S+$/);
    // a cluster resource has no file to open: the workloads list no place
    expect(lines[lines.indexOf("Most risky workloads · failed controls by severity") + 2]).toMatch(/^ 2\. /);
  });

  it("controls with nothing to check are not applicable, apart, and not in the passed list", () => {
    const r: ScanReport = structuredClone(report);
    // two passed controls: one that checked nothing (a report saved before schema 1.2), one marked not applicable
    const [na, other] = r.controls.filter((c) => c.status === "passed" && c.resources.passed > 0);
    na.resources = { passed: 0, failed: 0, excepted: 0 };
    other.status = "not-applicable";
    other.resources = { passed: 0, failed: 0, excepted: 0 };
    const count = (st: string) => r.controls.filter((c) => c.status === st).length;
    const passed = count("passed") - 1;
    const notApplicable = count("not-applicable") + 1;
    const out = renderPretty(r, { color: true, verbose: true, width: 120 });
    const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
    expect(plain).toMatch(new RegExp(`^Controls: ${count("failed")} failed, ${passed} passed, ${notApplicable} not applicable, ${count("skipped")} skipped$`, "m"));
    expect(plain).toMatch(new RegExp(`^Passed controls \\(${passed}\\)$`, "m"));
    expect(plain).toMatch(new RegExp(`^Not applicable \\(${notApplicable}\\): nothing in the scan for these controls to check; not counted in any score$`, "m"));
    const passedSection = plain.slice(plain.indexOf(`Passed controls (${passed})`), plain.indexOf(`Not applicable (${notApplicable})`));
    expect(passedSection).not.toContain(na.id);
    expect(passedSection).not.toContain(other.id);
    const naSection = plain.slice(plain.indexOf(`Not applicable (${notApplicable})`));
    expect(naSection).toContain(`${na.id} ${na.name}`);
    expect(naSection).toContain(`${other.id} ${other.name}`);
    // the passed table has no colour but its bold header
    const raw = out.slice(out.indexOf("Passed controls"), out.indexOf("Not applicable"));
    expect(raw.split("\n").slice(2).join("\n")).not.toMatch(/\x1b\[3[1-6]m/);
  });
});
