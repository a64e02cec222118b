// The fuzz tier: generated manifest TEXT (YAML and JSON, hostile strings, keys, types,
// anchors, merges, BOMs, nesting, garbage documents) read and scanned in-process and through
// the real CLI. Properties: the reading equals the generator's model of what Kubernetes
// reads; no crash; no raw control character reaches a terminal; every object is scanned or
// reported; the exit code follows from the report; a privileged container is always found.
//
// Bounded and reproducible: a fixed seed and fixed numbers of runs. FUZZ_SEED=<n> changes
// the seed, FUZZ_RUNS=<k> multiplies every property's runs (e.g. FUZZ_RUNS=10 for a long
// local session). A failure prints the seed and the path fast-check shrank to.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSources } from "../../src/core/sources/files.js";
import { Scanner, fileSource, gate, type ScanReport } from "../../src/core/index.js";
import { scanOutcome } from "../../src/cli/scan-command.js";
import { repoRoot } from "../support/cli.js";
import { canon, genBatch, genFileDraw, writeFile, privilegedIn, type FileDraw, type GenFile } from "./gen.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const SCALE = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1));
const runs = (n: number) => Math.ceil(n * SCALE);
console.log(`fuzz: seed ${SEED} (FUZZ_SEED), runs ×${SCALE} (FUZZ_RUNS)`);

const HOSTILE = { valid: false };
/** Reasons that refuse a whole file (as opposed to one object of it). */
const FILE_LEVEL = /^(invalid (YAML|JSON)|YAML aliases|binary file|file too large)/;
const shortName = (s: string) => (s.length > 100 ? s.slice(0, 100) + "…" : s);
const prefixOf = (o: GenFile["objects"][number]) => `${o.kind}/${o.name === undefined ? "<unnamed>" : shortName(o.name)}: `;

let root: string;
let n = 0;
beforeAll(() => void (root = fs.mkdtempSync(path.join(os.tmpdir(), "ks-fuzz-"))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function writeBatch(files: GenFile[]): string {
  const dir = path.join(root, `b${n++}`);
  fs.mkdirSync(dir);
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
  return dir;
}

/** Run checks on a written batch; on failure the batch is kept in test-output/fuzz-failure/ to reproduce. */
async function keepOnFailure<T>(dir: string, check: () => Promise<T> | T): Promise<T> {
  try {
    return await check();
  } catch (e) {
    const keep = path.join(repoRoot, "test-output", "fuzz-failure"); // the last failing batch: the shrunk one
    fs.rmSync(keep, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(keep), { recursive: true });
    fs.cpSync(dir, keep, { recursive: true });
    throw e;
  }
}

interface Accounting {
  /** model objects expected among the scanned ones */
  scanned: { file: string; kind: string; name: string; value: Record<string, unknown> }[];
  /**
   * objects without a string name, by file and kind: which of them a skipped line names is
   * ambiguous, so they are checked as a group (how many were read, and that each read one
   * is one of them)
   */
  unnamed: { file: string; kind: string; values: Record<string, unknown>[]; reported: number }[];
  problems: string[];
}

/**
 * Each generated object is scanned, or named by a skipped-file line, or its whole file is
 * skipped (only files the generator broke, or may not be able to read). Returns the objects
 * that must have been scanned.
 */
function account(dir: string, files: GenFile[], skipped: { file: string; reason: string }[]): Accounting {
  const out: Accounting = { scanned: [], unnamed: [], problems: [] };
  for (const f of files) {
    const file = path.join(dir, f.name);
    const entries = skipped.filter((s) => s.file === file);
    const fileLevel = entries.find((e) => FILE_LEVEL.test(e.reason));
    if (f.broken) {
      if (!fileLevel) out.problems.push(`${f.name}: broken file not skipped whole (${JSON.stringify(entries)})`);
      continue;
    }
    if (fileLevel) {
      if (!f.mayFail) out.problems.push(`${f.name}: refused whole: ${fileLevel.reason}`);
      continue;
    }
    const reasons = entries.map((e) => e.reason).filter((r) => !/: duplicate key /.test(r));
    for (const o of f.objects) {
      if (o.name === undefined) {
        let g = out.unnamed.find((u) => u.file === file && u.kind === o.kind);
        if (!g) out.unnamed.push((g = { file, kind: o.kind, values: [], reported: 0 }));
        g.values.push(o.value);
        continue;
      }
      const i = reasons.findIndex((r) => r.startsWith(prefixOf(o)));
      if (i >= 0) reasons.splice(i, 1);
      else out.scanned.push({ file, kind: o.kind, name: o.name, value: o.value });
    }
    for (const g of out.unnamed.filter((u) => u.file === file)) g.reported = reasons.filter((r) => r.startsWith(`${g.kind}/<unnamed>: `)).length;
  }
  return out;
}

describe("fuzz: generated manifests", () => {
  it("the generator writes what it claims to (so the properties below test something)", () => {
    const files = fc.sample(genBatch(HOSTILE, { min: 10, max: 10 }), { seed: SEED, numRuns: 30 }).flat();
    const count = (re: RegExp) => files.filter((f) => re.test(f.text)).length;
    const seen = {
      json: files.filter((f) => f.name.endsWith(".json")).length,
      broken: files.filter((f) => f.broken).length,
      alias: count(/(: |- |\[|, )\*[^\s,\]}]+/),
      merge: count(/<<: /),
      mergeList: count(/<<: \[/),
      duplicateKey: count(/junk-before-duplicate/),
      bom: count(/\ufeff/),
      escEscape: count(/\\e|\\x1b|\\u001b/),
      bidiRaw: count(/\u202e/),
      loneSurrogateEscape: count(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i),
      protoKey: count(/"?__proto__"?:/),
      mergeMarkerKey: count(/\\0<<merge|\\x00<<merge|\\u0000<<merge/),
      yaml11Bool: count(/: (yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$/m),
      octalOrHex: count(/: (0x[0-9a-f]+|0o[0-7]+|0[0-7]+)$/m),
      nested: count(/x-nested/),
      longString: count(/A{1000}/),
      garbageDoc: count(/^(just a string|42|- a)$/m),
      multiDoc: count(/^---/m),
      wrongType: files.filter((f) =>
        f.objects.some(
          (o) => canon(o.value).includes('"metadata":[') || canon(o.value).includes('"containers":{') || /"(spec|securityContext|labels)":(-?\d|true|false|null|\[|")/.test(canon(o.value)),
        ),
      ).length,
      privileged: files.filter((f) => f.objects.some((o) => privilegedIn(o.value))).length,
    };
    for (const [what, n] of Object.entries(seen)) expect(n, `${what} in ${files.length} files`).toBeGreaterThanOrEqual(3);
  });

  it("are read as the model says Kubernetes reads them; each object read or named in a skipped line", async () => {
    await fc.assert(
      fc.asyncProperty(genBatch(HOSTILE, { min: 4, max: 8 }), async (files) => {
        const dir = writeBatch(files);
        await keepOnFailure(dir, () => checkReading(dir, files));
        fs.rmSync(dir, { recursive: true });
      }),
      { seed: SEED, numRuns: runs(150) },
    );
  });
});

async function checkReading(dir: string, files: GenFile[]) {
  const { result } = await readFileSources([dir]);
  const acc = account(dir, files, result.skippedFiles);
  expect(acc.problems).toEqual([]);
  const unmatched = [...result.objects];
  for (const m of acc.scanned) {
    const i = unmatched.findIndex((o) => o.source.file === m.file && o.object.kind === m.kind && o.object.metadata?.name === m.name);
    expect(i, `${m.file}: ${m.kind}/${JSON.stringify(m.name)} read`).toBeGreaterThanOrEqual(0);
    expect(canon(unmatched[i].object), `${m.file}: ${m.kind}/${JSON.stringify(m.name)}`).toBe(canon(m.value));
    unmatched.splice(i, 1);
  }
  for (const g of acc.unnamed) {
    const read = unmatched.filter((o) => o.source.file === g.file && o.object.kind === g.kind && o.object.metadata?.name === undefined);
    expect(read.length + g.reported, `${g.file}: ${g.kind} objects without a name, read or reported`).toBe(g.values.length);
    const left = g.values.map((v) => canon(v));
    for (const o of read) {
      const i = left.indexOf(canon(o.object));
      expect(i, `${g.file}: ${g.kind} without a name read as one of those written: ${canon(o.object).slice(0, 300)}`).toBeGreaterThanOrEqual(0);
      left.splice(i, 1);
      unmatched.splice(unmatched.indexOf(o), 1);
    }
  }
  expect(unmatched.map((o) => `${o.source.file}: ${o.object.kind}/${o.object.metadata?.name}`)).toEqual([]);
}

// ---- scanning ---------------------------------------------------------------------------------

/** A Pod or Deployment with a container as a map: make that container privileged (hostile neighbours stay). */
function injectPrivileged(d: FileDraw): FileDraw {
  for (const g of d.objects) {
    const spec: any = g.kind === "Pod" ? g.value.spec : (g.value.spec as any)?.template?.spec;
    const c = Array.isArray(spec?.containers) ? spec.containers[spec.containers.length - 1] : undefined;
    if (typeof c !== "object" || c === null || Array.isArray(c)) continue;
    const sc = c.securityContext;
    if (typeof sc === "object" && sc !== null && !Array.isArray(sc)) sc.privileged = true;
    else Object.defineProperty(c, "securityContext", { value: { privileged: true }, enumerable: true, writable: true, configurable: true });
  }
  return d;
}

const scanBatch = (files: { min: number; max: number }) =>
  fc
    .array(fc.tuple(genFileDraw(HOSTILE), fc.boolean()), { minLength: files.min, maxLength: files.max })
    .map((draws) => draws.map(([d, inject], i) => writeFile(inject ? injectPrivileged(d) : d, i, HOSTILE)));

const HIGH = new Set(["Critical", "High"]);

/** The exit code the report calls for, worked out from the json report alone. */
function expectedExit(report: ScanReport, allowErrors: boolean): number {
  const unevaluated = report.resources.some((r) => r.findings.some((f) => f.error !== undefined));
  if (unevaluated && !allowErrors) return 2;
  if (report.skippedFiles.length) return 2;
  const severity = new Map(report.controls.map((c) => [c.id, c.severity]));
  return report.resources.some((r) => r.findings.some((f) => f.status === "failed" && HIGH.has(severity.get(f.controlID)!))) ? 1 : 0;
}

/** Every object scanned or reported; every privileged container found by C-0057. */
function checkReport(dir: string, files: GenFile[], report: ScanReport): void {
  const acc = account(dir, files, report.skippedFiles);
  expect(acc.problems).toEqual([]);
  expect(report.summary.resources.total, "objects scanned").toBe(acc.scanned.length + acc.unnamed.reduce((n, g) => n + g.values.length - g.reported, 0));
  const key = (file: string | undefined, kind: string, name: string | undefined) => JSON.stringify([file, kind, name]);
  // a scanned object without a name is reported with the name ""
  const expected = new Set([...acc.scanned.map((m) => key(m.file, m.kind, m.name)), ...acc.unnamed.map((g) => key(g.file, g.kind, ""))]);
  for (const r of report.resources) expect(expected.has(key(r.source?.file, r.kind, r.name)), `resource ${key(r.source?.file, r.kind, r.name)} was generated`).toBe(true);
  const byKey = new Map(report.resources.map((r) => [key(r.source?.file, r.kind, r.name), r]));
  let privileged = 0;
  for (const m of acc.scanned) {
    if (!privilegedIn(m.value as never)) continue;
    privileged++;
    const f = byKey.get(key(m.file, m.kind, m.name))?.findings.find((x) => x.controlID === "C-0057");
    expect(f?.status, `${m.file}: ${m.kind}/${m.name} has a privileged container: C-0057 fails`).toBe("failed");
  }
  return void privileged;
}

describe("fuzz: generated manifests scanned", () => {
  let scanner: Scanner;
  beforeAll(async () => void (scanner = await Scanner.create({ threads: 2 })));
  afterAll(async () => scanner?.close());

  it("in-process: every object evaluated or reported, privileged containers always fail C-0057, the exit code follows the report", async () => {
    await fc.assert(
      fc.asyncProperty(scanBatch({ min: 6, max: 12 }), async (files) => {
        const dir = writeBatch(files);
        await keepOnFailure(dir, async () => {
          const report = await scanner.scan({ source: fileSource([dir]), annotationExceptions: false });
          checkReport(dir, files, report);
          for (const allow of [false, true]) expect(scanOutcome(report, gate(report, { severityThreshold: "high" }), { "allow-errors": allow }).code).toBe(expectedExit(report, allow));
        });
        fs.rmSync(dir, { recursive: true });
      }),
      { seed: SEED, numRuns: runs(30), endOnFailure: true }, // no shrinking: the failing batch is kept on disk
    );
  });

  it("through the CLI (json and pretty): no crash, no raw control character, the exit code the report calls for", async () => {
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "run.js"), ...args], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
        maxBuffer: 512 * 1024 * 1024,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
    };

    const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    const noCrash = (r: ReturnType<typeof cli>, what: string) => {
      expect(r.signal, what).toBeNull();
      expect([0, 1, 2], `${what}: exit code ${r.code}; stderr: ${r.stderr.slice(0, 2000)}`).toContain(r.code);
      expect(r.stderr, what).not.toMatch(/^\s+at |TypeError|RangeError|ReferenceError|SyntaxError/m);
    };
    await fc.assert(
      fc.asyncProperty(scanBatch({ min: 40, max: 50 }), async (files) => {
        const dir = writeBatch(files);
        await keepOnFailure(dir, () => {
          const flags = ["--severity-threshold", "high", "--no-annotation-exceptions"];
          const json = cli(["scan", dir, "--format", "json", ...flags]);
          noCrash(json, "json");
          const report = JSON.parse(json.stdout) as ScanReport;
          checkReport(dir, files, report);
          expect(json.code, "json exit code").toBe(expectedExit(report, false));
          const m = RAW_CONTROL.exec(json.stderr);
          expect(m, `raw ${JSON.stringify(m?.[0])} on stderr (json run) near ${JSON.stringify(json.stderr.slice(Math.max(0, (m?.index ?? 0) - 80), (m?.index ?? 0) + 20))}`).toBeNull();

          const pretty = cli(["scan", dir, ...flags]);
          noCrash(pretty, "pretty");
          expect(pretty.code, "pretty exit code as json's").toBe(json.code);
          for (const [name, text] of [
            ["stdout", pretty.stdout],
            ["stderr", pretty.stderr],
          ] as const) {
            const m = RAW_CONTROL.exec(text);
            expect(m, `raw ${JSON.stringify(m?.[0])} on ${name} (pretty) near ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 80), (m?.index ?? 0) + 20))}`).toBeNull();
          }
          const allowed = cli(["scan", dir, "--format", "json", "--allow-errors", ...flags]);
          noCrash(allowed, "--allow-errors");
          expect(allowed.code, "--allow-errors exit code").toBe(expectedExit(JSON.parse(allowed.stdout), true));
        });
        fs.rmSync(dir, { recursive: true });
      }),
      { seed: SEED, numRuns: runs(4), endOnFailure: true },
    );
  });
});
