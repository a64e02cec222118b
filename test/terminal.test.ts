// The terminal report a person reads first (issue 15): on a real pseudo-terminal at 80 and
// 200 columns, the summary comes first and fits; details, passed controls and progress
// appear when asked; commands forgive the order of flags, names and small typos.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./support/cli.js";
import { runPty, screenLines, SGR } from "./support/pty.js";

const GOLDEN = path.join(repoRoot, "test", "golden", "scan-examples-80.txt");
const SEVERITY_ORDER = ["Critical", "High", "Medium", "Low", "Info"];

/** Lines longer than the width that are more than one unbreakable word (a path) after their indent. */
const overWidth = (lines: string[], width: number) => lines.filter((l) => [...l].length > width && !/^\s*\S+$/.test(l));

/** The rows of the "Failed controls" table: severity and control ID. */
function failedControlRows(lines: string[]): { severity: string; id: string; line: string }[] {
  const start = lines.findIndex((l) => /^Failed controls \(\d+\)$/.test(l));
  const rows = [];
  for (const l of lines.slice(start + 2)) {
    const m = /^(Critical|High|Medium|Low|Info)\s+(C-\d{4})/.exec(l);
    if (!m) break;
    rows.push({ severity: m[1], id: m[2], line: l });
  }
  return rows;
}

// the counts the summary must show, from the json report of the same scan
let failedCount = 0;
let passedCount = 0;
/** resources by the worst severity of the controls they fail, as "0 Critical · 4 High · …" */
let byWorst = "";
beforeAll(() => {
  type Report = { controls: { id: string; status: string; severity: string }[]; resources: { findings: { controlID: string; status: string }[] }[] };
  const report = JSON.parse(runCli(["scan", "examples/", "--format", "json"]).stdout) as Report;
  failedCount = report.controls.filter((c) => c.status === "failed").length;
  passedCount = report.controls.filter((c) => c.status === "passed").length;
  const sev = new Map(report.controls.map((c) => [c.id, SEVERITY_ORDER.indexOf(c.severity)]));
  const worst = [0, 0, 0, 0, 0];
  for (const r of report.resources) {
    const ranks = r.findings.filter((f) => f.status === "failed").map((f) => sev.get(f.controlID)!);
    if (ranks.length) worst[Math.min(...ranks)]++;
  }
  byWorst = SEVERITY_ORDER.slice(0, 4)
    .map((s, i) => `${worst[i]} ${s}`)
    .join(" · ");
});

describe("the summary on a terminal", () => {
  it("at 80 columns: the worst problems on the first screen, coloured, no line over the width", () => {
    const r = runPty(["scan", "examples/"], { cols: 80 });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(SGR); // a terminal gets colour
    const lines = screenLines(r.out);
    expect(overWidth(lines, 80)).toEqual([]);
    const screen = lines.slice(0, 24).join("\n");
    expect(screen).toMatch(/^Kubescape scan · 5 files · 9 resources, 6 failed$/m);
    expect(screen).toMatch(new RegExp(`^Failed resources by severity: ${byWorst}$`, "m"));
    expect(screen).toMatch(/^Compliance score: \d+\.\d\d%$/m);
    expect(screen).toMatch(/^High {6}C-0004 /m); // the first failed control row is on screen
    // failed controls only, worst severity first, then most failed resources
    const rows = failedControlRows(lines);
    expect(rows.length).toBe(failedCount);
    const rank = rows.map((x) => SEVERITY_ORDER.indexOf(x.severity));
    expect(rank).toEqual([...rank].sort((a, b) => a - b));
    expect(rows.map((x) => x.id)).not.toContain("C-0005"); // passes: not in the table
    // each row carries a fix hint from the control's remediation
    expect(rows.find((x) => x.id === "C-0041")!.line).toMatch(/Remove hostNetwork/);
    // the most risky workload is the privileged DaemonSet, and its details come first
    const top = lines.indexOf("Most risky workloads · failed controls by severity");
    expect(lines[top + 1]).toMatch(/^ 1\. DaemonSet logging\/log-agent {2}\d+ High, \d+ Medium, \d+ Low$/);
    const details = lines.findIndex((l) => /^Failed resources \(6\)/.test(l));
    expect(lines.slice(details + 1).find((l) => l.trim())).toBe("apps/v1/logging/DaemonSet/log-agent  examples/risky/log-agent.yaml:3:1");
    // each failed field once, at file:line:col, with its fix
    const hn = lines.filter((l) => l.includes("spec.template.spec.hostNetwork"));
    expect(hn).toEqual(["           examples/risky/log-agent.yaml:17:7  spec.template.spec.hostNetwork"]);
    expect(lines[lines.indexOf(hn[0]) + 1]).toBe("             fix: remove");
    // passed controls are not listed by default, and the report says how to see them
    expect(lines).not.toContain(`Passed controls (${passedCount})`);
    expect(lines.join("\n")).toMatch(new RegExp(`${passedCount} passed controls not listed: --show-passed lists them`));
  });

  it("at 200 columns: whole control names and hints, no line over 200", () => {
    const r = runPty(["scan", "examples/"], { cols: 200 });
    const lines = screenLines(r.out);
    expect(overWidth(lines, 200)).toEqual([]);
    expect(lines.some((l) => [...l].length > 80)).toBe(true); // it uses the room
    const rows = failedControlRows(lines);
    expect(rows.find((x) => x.id === "C-0210")!.line).toContain("C-0210 Ensure that the seccomp profile is set to docker/default in your pod definitions");
    expect(lines).toContain("           examples/risky/log-agent.yaml:17:7  spec.template.spec.hostNetwork  fix: remove");
  });

  it("-v lists every resource and the passed controls, never in severity colour", () => {
    for (const cols of [80, 200]) {
      const r = runPty(["scan", "examples/", "-v"], { cols });
      const lines = screenLines(r.out);
      expect(overWidth(lines, cols)).toEqual([]);
      const raw = r.out.split("\n");
      const start = raw.findIndex((l) => l.replace(SGR, "").startsWith(`Passed controls (${passedCount})`));
      expect(start).toBeGreaterThan(0);
      const passed = raw.slice(start + 2, start + 2 + passedCount);
      expect(passed.map((l) => l.replace(SGR, "")).filter((l) => /^(Critical|High|Medium|Low)\s+C-\d{4}/.test(l))).toHaveLength(passedCount);
      for (const l of passed) expect(l, l).not.toMatch(SGR);
      expect(lines.join("\n")).not.toMatch(/passed controls not listed/);
    }
    expect(runPty(["scan", "examples/", "--show-passed"], { cols: 80 }).out.replace(SGR, "")).toContain(`Passed controls (${passedCount})`);
  });

  it("NO_COLOR turns colour off on a terminal; FORCE_COLOR turns it on in a pipe", () => {
    expect(runPty(["scan", "examples/clean"], { cols: 80, env: { NO_COLOR: "1" } }).out).not.toMatch(SGR);
    expect(runCli(["scan", "examples/clean"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout).toMatch(SGR);
    expect(runCli(["scan", "examples/clean"], { env: { NO_COLOR: "", FORCE_COLOR: "0" } }).stdout).not.toMatch(SGR);
  });
});

describe("the summary in a pipe", () => {
  it("matches the golden summary of examples/ at 80 columns (UPDATE_GOLDEN=1 rewrites it)", () => {
    const r = runCli(["scan", "examples/"], { env: { COLUMNS: "80" } });
    expect(r.code).toBe(0);
    // a file scan prints no dates or durations; checked so the golden file stays stable
    expect(r.stdout).not.toMatch(/\d{4}-\d\d-\d\d|\d+\.\d s\b/);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, r.stdout);
    expect(r.stdout).toBe(fs.readFileSync(GOLDEN, "utf8"));
    expect(overWidth(r.stdout.split("\n"), 80)).toEqual([]);
  });

  it("shows ten failed resources in detail and says how to see the rest; -v and a report file show all", () => {
    const pods = Array.from({ length: 12 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: x}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n`).join(
      "---\n",
    );
    const r = runCli(["scan", "-"], { input: pods, env: { COLUMNS: "80" } });
    const heads = (out: string) => out.split("\n").filter((l) => /^\/v1\/x\/Pod\/p\d+ {2}<stdin>/.test(l)).length;
    expect(heads(r.stdout)).toBe(10);
    expect(r.stdout).toMatch(/^2 more failed resources not shown in detail: -v \(--verbose\) shows every one/m);
    expect(heads(runCli(["scan", "-", "--verbose"], { input: pods }).stdout)).toBe(12);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ks-term-")), "r.txt");
    expect(runCli(["scan", "-", "-o", out, "-f", "pretty"], { input: pods }).code).toBe(0);
    expect(heads(fs.readFileSync(out, "utf8"))).toBe(12);
  });

  it("scan framework nsa,mitre shows one score per framework", () => {
    const r = runCli(["scan", "framework", "nsa,mitre", "examples/"]);
    const json = JSON.parse(runCli(["scan", "framework", "nsa,mitre", "examples/", "-f", "json"]).stdout);
    const score = (n: string) => json.frameworks.find((f: { name: string }) => f.name === n).score.toFixed(2);
    expect(r.stdout).toMatch(new RegExp(`^Compliance score: NSA ${score("NSA")}% · MITRE ${score("MITRE")}%$`, "m"));
  });

  it("list controls is a table that fits 80 columns", () => {
    const r = runCli(["list", "controls"], { env: { COLUMNS: "80" } });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+Severity\s+Control\s+Status$/);
    expect(lines.filter((l) => /^C-\d{4} /.test(l))).toHaveLength(281);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });
});

describe("progress on stderr", () => {
  let dir: string;
  let outDir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-progress-"));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-progress-out-"));
    const agent = fs.readFileSync(path.join(repoRoot, "examples", "risky", "log-agent.yaml"), "utf8");
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `a${i}.yaml`), agent.replaceAll("log-agent", `agent-${i}`));
  });
  // the scan is shorter than the second after which progress shows; the delay is set to 0 so the suite stays fast
  const now = { KUBESCAPE_PROGRESS_DELAY_MS: "0" };

  it("a terminal sees files read and controls evaluated on one line, cleared before the report", () => {
    for (const cols of [80, 200]) {
      const r = runPty(["scan", dir, "-f", "json", "-o", path.join(outDir, "out.json")], { cols, env: now });
      expect(r.code).toBe(0);
      expect(r.out).toContain("\r\x1b[Kread 40 files, 40 objects");
      expect(r.out).toMatch(/\r\x1b\[Kread 40 files, 40 objects · evaluating controls: 100% \(\d+\/\d+\)/);
      // cleared: what follows the last progress line starts on an empty line
      expect(r.out).toMatch(/evaluating controls: 100% \(\d+\/\d+\)\r\x1b\[Kreport written to /);
      for (const l of r.out.split(/[\r\n]/)) expect([...l.replace(/\x1b\[K/g, "")].length).toBeLessThan(cols);
    }
  });

  it("is silent with -q, with CI set, and when stderr is not a terminal", () => {
    const args = ["scan", dir, "-f", "json", "-o", path.join(outDir, "out.json")];
    expect(runPty([...args, "-q"], { cols: 80, env: now }).out).toBe("");
    expect(runPty(args, { cols: 80, env: { ...now, CI: "true" } }).out).not.toContain("evaluating");
    const err = path.join(outDir, "stderr.txt");
    runPty(args, { cols: 80, env: now, stderrTo: err });
    expect(fs.readFileSync(err, "utf8")).toBe(`report written to ${path.join(outDir, "out.json")}\n`);
  });
});

describe("forgiving commands", () => {
  it("flags before the subcommand: scan -n x control C-0057", () => {
    const r = runCli(["scan", "-n", "x", "-f", "json", "control", "C-0057", "examples/"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).controls.map((c: { id: string }) => c.id)).toEqual(["C-0057"]);
  });

  it("a control by its name, in any case, or by the start of one name", () => {
    const ids = (args: string[]) => JSON.parse(runCli(["scan", "control", ...args, "examples/", "-f", "json"]).stdout).controls.map((c: { id: string }) => c.id);
    expect(ids(["Privileged container"])).toEqual(["C-0057"]);
    expect(ids(["privileged CONTAINER, hostnetwork access"]).sort()).toEqual(["C-0041", "C-0057"]);
    expect(ids(["privileged cont"])).toEqual(["C-0057"]);
    const ambiguous = runCli(["scan", "control", "Ensure that the API Server", "examples/"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^error: "Ensure that the API Server" starts \d+ control names: C-\d{4} .*\(name one by ID\)\n$/);
  });

  it("did you mean: commands, subcommands, controls, frameworks, flags, list", () => {
    const cases: [string[], string][] = [
      [["sacn", "examples/"], 'error: unknown command "sacn" (did you mean scan?)'],
      [["scan", "contrl", "C-0057", "examples/"], "error: contrl: no such file or directory (did you mean: kubescape scan control?)"],
      [["scan", "control", "Privilegd", "examples/"], 'error: unknown control "Privilegd" (did you mean Privileged?) (see: kubescape list controls)'],
      [["scan", "framework", "mitr", "examples/"], 'error: unknown framework "mitr" (did you mean MITRE?) (see: kubescape list frameworks)'],
      [["scan", "framework", "nsa,mitr", "examples/"], 'error: unknown framework "mitr" in "nsa,mitr" (did you mean MITRE?) (see: kubescape list frameworks)'],
      [["scan", "examples/", "--verbos"], "error: unknown flag --verbos (did you mean --verbose?)"],
      [["list", "contrls"], 'error: cannot list "contrls" (did you mean controls?): frameworks or controls'],
    ];
    for (const [args, first] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0], args.join(" ")).toBe(first);
    }
  });

  it("an unknown flag is one line and the usage line, not the whole help", () => {
    const r = runCli(["scan", "control", "C-0057", "examples/", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown flag --bogus\nusage: kubescape scan control CONTROLS... [flags]  (kubescape scan control --help for all flags)\n");
    const missing = runCli(["scan", "control"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe("error: missing controls");
    expect(missing.stderr.trim().split("\n")).toHaveLength(2);
  });

  it("help, help COMMAND and help TOPIC COMMAND print that help, as kubectl help does", () => {
    const root = runCli(["help"]);
    expect(root.code, root.stderr).toBe(0);
    expect(root.stdout).toBe(runCli(["--help"]).stdout);
    const scan = runCli(["help", "scan", "control"]);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toContain("kubescape scan control CONTROLS");
    expect(scan.stdout).toBe(runCli(["scan", "control", "--help"]).stdout);
  });

  it("list alone lists frameworks and controls", () => {
    const r = runCli(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Frameworks \(16\)$/m);
    expect(r.stdout).toMatch(/^Controls \(281\)$/m);
    const json = JSON.parse(runCli(["list", "-f", "json"]).stdout);
    expect(json.frameworks).toHaveLength(16);
    expect(json.controls).toHaveLength(281);
  });

  it("-v/--verbose and -q/--quiet on every scan command", () => {
    for (const cmd of [["scan"], ["scan", "control", "C-0041"], ["scan", "framework", "nsa"]]) {
      const r = runCli([...cmd, "examples/risky/log-agent.yaml", "-v", "-q"]);
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/^Kubescape scan · 1 file · 1 resource, 1 failed$/m);
    }
    const help = runCli(["helm", "--help"]).stdout;
    expect(help).toMatch(/-v, --verbose/);
    expect(help).toMatch(/-q, --quiet/);
  });
});
