// The markdown format: GitHub-flavoured Markdown for a pull-request comment or a job
// summary — score line, framework scores, failed controls, and per failed control a
// collapsed list of the resources that fail it, with file:line and the fix.
//
// Everything that comes from scanned objects (names, paths, messages) is escaped: in text
// cells every ASCII punctuation mark is backslash-escaped (so no markup, HTML or table pipe
// survives); code spans get a backtick fence longer than any run inside and \| for pipes.
// Control characters and bidi overrides are written as visible escapes (\x1b, \u202e), so
// neither a terminal showing the file nor a page rendering it reorders or rewrites text.
// The output stays under GitHub's 65,536-character comment limit: tables and resource lists
// are cut to fit, with a row saying how many were left out and a closing note.
import { markdownTable } from "markdown-table";
import type { Severity } from "../core/model.js";
import { SEVERITY_ORDER } from "../core/model.js";
import type { ScanReport, ResourceResult, ResourceFinding, ControlResult } from "../core/scoring/result.js";
import { findingView, type FieldView } from "./view.js";
import { escapeControls } from "../core/escape.js";
import type { Reporter, RenderOptions } from "./index.js";
import { fixText, loc } from "./text.js";

/** GitHub's limit for an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
const NOTE_ROOM = 400;

/** Text for a table cell or paragraph: one line, every ASCII punctuation mark escaped. */
export function mdText(s: string): string {
  return escapeControls(s.replace(/[\r\n]+/g, " ")).replace(/[!-/:-@[-`{-~]/g, "\\$&");
}

/** A code span (for use in a table cell: pipes escaped as GFM tables need). */
export function mdCode(s: string): string {
  const one = escapeControls(s.replace(/[\r\n]+/g, " ")).replace(/\|/g, "\\|");
  if (!one) return "";
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(one) ? " " : "";
  return `${fence}${pad}${one}${pad}${fence}`;
}

function html(s: string): string {
  return escapeControls(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

class Budget {
  private parts: string[] = [];
  private used = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  left(): number {
    return this.limit - this.used;
  }
  add(s: string): boolean {
    if (s.length > this.left()) {
      this.truncated = true;
      return false;
    }
    this.parts.push(s);
    this.used += s.length;
    return true;
  }
  text(): string {
    return this.parts.join("");
  }
}

type Align = "l" | "r" | "c";

/**
 * The table with as many rows as fit in `room` characters; when rows are left out, a last
 * row says how many. Undefined when not even the header and one row fit.
 */
function fitTable(header: string[], rows: string[][], align: Align[], room: number): { text: string; shown: number } | undefined {
  const render = (n: number) => {
    const body = rows.slice(0, n);
    if (n < rows.length) body.push([`… ${rows.length - n} more not shown`, ...header.slice(1).map(() => "")]);
    return markdownTable([header, ...body], { align, alignDelimiters: false }) + "\n";
  };
  const full = render(rows.length);
  if (full.length <= room) return { text: full, shown: rows.length };
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(mid).length <= room) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return undefined;
  return { text: render(lo), shown: lo };
}

const pct = (n: number | undefined) => (n === undefined ? "n/a" : `${n.toFixed(2)}%`);
const plural = (n: number, one: string, many = one + "s") => `${n} ${n === 1 ? one : many}`;

export function renderMarkdown(report: ScanReport, opts: Pick<RenderOptions, "doc">): string {
  const b = new Budget(GITHUB_COMMENT_LIMIT - NOTE_ROOM);
  const s = report.summary;
  const left: string[] = [];

  b.add("## Kubescape scan\n\n");
  const sev = SEVERITY_ORDER.filter((k) => s.failedBySeverity[k] > 0).map((k) => `${s.failedBySeverity[k]} ${k}`);
  const evaluated = s.controls.passed + s.controls.failed;
  const excepted = report.controls.reduce((n, c) => n + c.resources.excepted, 0);
  b.add(
    `**Compliance score: ${pct(s.complianceScore)}** · ` +
      (s.controls.failed ? `${s.controls.failed} of ${plural(evaluated, "control")} failed (${sev.join(", ")})` : `no failed controls (${plural(evaluated, "control")} evaluated)`) +
      ` · ${s.resources.failed} of ${plural(s.resources.total, "resource")} failed` +
      (s.controls.skipped ? ` · ${plural(s.controls.skipped, "control")} skipped` : "") +
      (s.controls.notApplicable ? ` · ${plural(s.controls.notApplicable, "control")} not applicable` : "") +
      (excepted ? ` · ${plural(excepted, "finding")} excepted` : "") +
      "\n\n",
  );
  const cl = report.target.cluster;
  b.add(
    cl
      ? `Scanned cluster ${mdCode(cl.context)} (${mdCode(cl.server)}${cl.version ? `, ${mdText(cl.version)}` : ""}${cl.namespace ? `, namespace ${mdCode(cl.namespace)}` : ""}).\n\n`
      : `Scanned ${plural(s.filesRead, "file")}: ${report.target.paths.map((p) => (p === "-" ? "standard input" : mdCode(p))).join(", ") || "none"}.\n\n`,
  );

  // a table under its heading, or a note that it did not fit at all
  const tableSection = (title: string, t: ReturnType<typeof fitTable>, rows: number, what: string) => {
    if (!t) return void left.push(what);
    b.add(`### ${title}\n\n`);
    b.add(t.text + "\n");
    if (t.shown < rows) b.truncated = true;
  };
  const frameworks = report.frameworks.filter((f) => f.controls.evaluated > 0);
  if (frameworks.length) {
    const t = fitTable(
      ["Framework", "Score", "Failed controls", "Evaluated", "Skipped"],
      frameworks.map((f) => [mdText(f.name), pct(f.score), String(f.controls.failed), String(f.controls.evaluated), String(f.controls.skipped)]),
      ["l", "r", "r", "r", "r"],
      b.left() - 20,
    );
    tableSection("Frameworks", t, frameworks.length, "the framework table");
  }

  const rank = (x: Severity) => SEVERITY_ORDER.indexOf(x);
  const failed = report.controls.filter((c) => c.status === "failed").sort((x, y) => rank(x.severity) - rank(y.severity) || y.resources.failed - x.resources.failed || x.id.localeCompare(y.id));
  if (failed.length) {
    const t = fitTable(
      ["Severity", "Control", "Name", "Failed", "Excepted", "Score"],
      failed.map((c) => [c.severity, c.id, mdText(c.name) + (c.partial ? " (partial)" : ""), String(c.resources.failed), String(c.resources.excepted), pct(c.score)]),
      ["l", "l", "l", "r", "r", "r"],
      b.left() - 30,
    );
    tableSection("Failed controls", t, failed.length, "the failed-control table");
  }

  // per control: the resources failing it
  const byControl = new Map<string, { r: ResourceResult; f: ResourceFinding }[]>();
  for (const r of report.resources) {
    for (const f of r.findings) {
      if (f.status !== "failed") continue;
      const list = byControl.get(f.controlID);
      if (list) list.push({ r, f });
      else byControl.set(f.controlID, [{ r, f }]);
    }
  }
  const withResources = failed.filter((c) => byControl.has(c.id));
  if (withResources.length && b.add("### Failed resources\n\n")) {
    let i = 0;
    for (; i < withResources.length; i++) {
      const block = detailsBlock(withResources[i], byControl.get(withResources[i].id)!, report, opts, b.left());
      if (!block) break;
      b.add(block.text);
      if (block.cut) {
        i++;
        break;
      }
    }
    if (i < withResources.length) left.push(`the resources of ${plural(withResources.length - i, "more failed control")}`);
  }

  // objects that excuse themselves: a reviewer must see them (an exceptions file is the team's own)
  const self = report.resources.flatMap((r) => r.findings.filter((f) => f.selfExcepted).map((f) => ({ r, f })));
  if (self.length && b.add("### Self-excepted findings\n\nThese objects excuse themselves with an annotation (`--no-annotation-exceptions` ignores them):\n\n")) {
    let n = 0;
    while (n < self.length && b.add(`- ${mdCode(self[n].r.resourceID)} ${self[n].f.controlID}: ${mdText(self[n].f.exception ?? "")}\n`)) n++;
    b.add("\n");
    if (n < self.length) left.push(plural(self.length - n, "self-excepted finding"));
  }

  const notes = [...report.skippedFiles.map((f) => `${mdCode(loc(f.file, f.line))}: ${mdText(f.reason)}`), ...report.warnings.map(mdText)];
  if (notes.length && b.add("### Warnings\n\n")) {
    let n = 0;
    while (n < notes.length && b.add(`- ${notes[n]}\n`)) n++;
    b.add("\n");
    if (n < notes.length) left.push(plural(notes.length - n, "warning"));
  }

  let out = b.text();
  if (b.truncated || left.length) {
    out +=
      `> **Note:** shortened to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit` +
      (left.length ? `; left out: ${left.join(", ")}` : "") +
      ". The json report (`--format json`) has every result.\n";
  }
  return out;
}

function detailsBlock(
  ctl: ControlResult,
  items: { r: ResourceResult; f: ResourceFinding }[],
  report: ScanReport,
  opts: Pick<RenderOptions, "doc">,
  room: number,
): { text: string; cut: boolean } | undefined {
  const files = report.target.kind === "files";
  const head = `<details>\n<summary>${html(`${ctl.severity} · ${ctl.id} ${ctl.name} — ${plural(items.length, "resource")}`)}</summary>\n\n`;
  const remediation = opts.doc?.(ctl.id)?.remediation;
  const fix = remediation ? `**Fix:** ${mdText(remediation)}\n\n` : "";
  const tail = "\n</details>\n\n";
  const header = files ? ["Resource", "Location", "Failed fields", "Fix"] : ["Resource", "Failed fields", "Fix"];
  const rows = items.map(({ r, f }) => {
    const view = findingView(r, f);
    const where = view.lineFile !== undefined ? mdCode(loc(view.lineFile, view.line, view.column)) : "";
    const fields = view.failed.length ? view.failed.map(fieldCell).join("<br>") : mdText(f.message);
    const fixes = view.fixes.map((p) => fixText(p, mdCode)).join("<br>");
    return files ? [mdCode(r.resourceID), where, fields, fixes] : [mdCode(r.resourceID), fields, fixes];
  });
  const t = fitTable(
    header,
    rows,
    header.map(() => "l" as const),
    room - head.length - fix.length - tail.length,
  );
  if (!t) return undefined;
  return { text: head + fix + t.text + tail, cut: t.shown < rows.length };
}

function fieldCell(p: FieldView): string {
  return (p.failed ? "" : "review ") + mdCode(p.path);
}

export const reporter: Reporter = { ext: "md", render: renderMarkdown };
