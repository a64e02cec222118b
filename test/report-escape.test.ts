// Scanned input shown to a person cannot talk to the terminal: a resource named with an
// escape sequence and a carriage return ("…\r PASS: ALL CLEAR"), a namespace with a bidi
// override and a file name with control characters come out of the pretty report as
// visible escapes, with and without colour; markdown, html and junit keep them from their
// readers in their own way, and csv keeps the data exact.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseCsv } from "csv-parse/sync";
import { XMLParser } from "fast-xml-parser";
import MarkdownIt from "markdown-it";
import { repoRoot, runCli } from "./support/cli.js";

const { forTerminal, escapeControls } = await import(pathToFileURL(path.join(repoRoot, "dist", "core", "escape.js")).href);

const evilName = "evil\x1b]0;title\x07\x1b[2K\rPASS: ALL CLEAR";
const evilNamespace = "shop\u202eevil\u2066x\u2069";
const evilFile = "ops\x1b[31m\x9b2J\u202e.yaml";
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${JSON.stringify(evilName)}
  namespace: ${JSON.stringify(evilNamespace)}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: c
          image: nginx:1.27
`;

/** what a terminal would act on: controls other than the newline ending each line, C1, bidi controls */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** our own colours: SGR sequences only */
const SGR = /\x1b\[[0-9;]*m/g;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-escape-"));
  fs.writeFileSync(path.join(dir, evilFile), manifest);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("forTerminal", () => {
  it("writes control characters and bidi controls as escapes, and leaves other text alone", () => {
    expect(forTerminal(evilName)).toBe("evil\\x1b]0;title\\x07\\x1b[2K\\rPASS: ALL CLEAR");
    expect(forTerminal("a\nb\tc\bd\x7fe\x9bf\x00")).toBe("a\\nb\\tc\\bd\\x7fe\\x9bf\\0");
    expect(forTerminal("\u202eabc\u2066\u2069\u200f")).toBe("\\u202eabc\\u2066\\u2069\\u200f");
    const plain = "C:\\manifests\\café 日本 ✓ -> {a: [1]} \"q\" 'q'";
    expect(forTerminal(plain)).toBe(plain);
    for (let cp = 0; cp < 0x3000; cp++) expect(RAW.test(forTerminal(String.fromCharCode(cp))), `U+${cp.toString(16)}`).toBe(false);
  });

  it("escapeControls keeps the characters it is told to keep", () => {
    expect(escapeControls("a\nb\x1bc\td", "\n\t")).toBe("a\nb\\x1bc\td");
  });
});

describe("the pretty report of hostile input", () => {
  for (const color of [false, true]) {
    it(`has no raw control character ${color ? "besides its own colours" : "at all"}`, () => {
      const r = runCli(["scan", evilFile, ...(color ? ["--color"] : [])], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout;
      if (color) expect(out).toMatch(SGR);
      else expect(out).not.toContain("\x1b");
      expect(out.replace(SGR, "")).not.toMatch(RAW);
      // the reader sees what is there
      const plain = out.replace(SGR, "");
      expect(plain).toContain(`apps/v1/${forTerminal(evilNamespace)}/Deployment/${forTerminal(evilName)}`);
      expect(plain).toContain(`${forTerminal(evilFile)}:9:7  spec.template.spec.hostNetwork`);
      expect(plain).not.toMatch(/^PASS: ALL CLEAR/m);
    });
  }
});

describe("the other human formats keep the same input from their readers", () => {
  let out: Record<string, string>;
  beforeAll(() => {
    const base = path.join(dir, "report");
    const r = runCli(["scan", evilFile, "--format", "markdown,html,junit,csv,json", "--output", base], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    out = Object.fromEntries(["md", "html", "xml", "csv", "json"].map((e) => [e, fs.readFileSync(`${base}.${e}`, "utf8")]));
  });

  it("markdown and html show the controls as escapes", () => {
    for (const e of ["md", "html"]) {
      expect(out[e], e).not.toMatch(RAW);
      expect(out[e], e).toContain("2K"); // the name is there, in its escaped form
    }
    expect(out.html).toContain(forTerminal(evilName));
    // in a text cell: a line break is a space, and mdText's punctuation escapes come on top
    expect(out.md).toContain("evil\\\\x1b\\]0\\;title\\\\x07\\\\x1b\\[2K PASS\\: ALL CLEAR");
    expect(new MarkdownIt().render(out.md)).toContain("evil\\x1b]0;title\\x07\\x1b[2K PASS: ALL CLEAR");
  });

  it("junit replaces what XML cannot carry, and still parses", () => {
    expect(out.xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(out.xml);
    expect(JSON.stringify(xml)).toContain("PASS: ALL CLEAR");
  });

  it("csv keeps the data exact: the name reads back as it is in the manifest", () => {
    const rows = parseCsv(out.csv, { columns: true }) as Record<string, string>[];
    expect(rows.find((x) => x.controlID === "C-0041")).toMatchObject({ name: evilName, namespace: evilNamespace, file: evilFile });
    // and the json report, the model, is untouched by any of this
    expect(JSON.parse(out.json).resources[0]).toMatchObject({ name: evilName, namespace: evilNamespace, source: { file: evilFile } });
  });
});

describe("kubescape diff's pretty output", () => {
  it("shows resource IDs, paths and files of both reports as escapes", async () => {
    const { renderDiffPretty } = await import(pathToFileURL(path.join(repoRoot, "dist", "report", "diff.js")).href);
    const item = {
      controlID: "C-0041",
      resourceID: `apps/v1/x/Deployment/${evilName}`,
      path: "spec.\u202ehostNetwork",
      kind: "Deployment",
      namespace: "x",
      name: evilName,
      file: evilFile,
      line: 9,
      message: "m",
    };
    const controls = new Map([["C-0041", { id: "C-0041", name: "HostNetwork access", severity: "High" }]]);
    for (const color of [false, true]) {
      const out: string = renderDiffPretty({ new: [item], fixed: [item], unchanged: [item], unscanned: [item] }, controls, { color, unchanged: true });
      expect(out.replace(SGR, "")).not.toMatch(RAW);
      expect(out).toContain(forTerminal(evilName));
    }
  });
});
