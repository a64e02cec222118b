// The fuzz tier against the real thing: a seeded sample of generated VALID manifests (YAML 1.1
// spellings, octal and hex numbers, merge keys, duplicate keys, BOMs, hostile annotation,
// env and ConfigMap strings, JSON with escapes) goes through `kubectl create --dry-run=server
// -o json` against the test kube-apiserver, and every field readFileSources read must be the
// field the server stores, with the same value. Fields the server adds (defaults) are not
// compared; empty values the server drops (omitempty) count as absent.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./support.js";
import { readFileSources } from "../../src/core/sources/files.js";
import { genFileDraw, writeFile, type GenFile } from "../fuzz/gen.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const COUNT = Number(process.env.FUZZ_APISERVER_FILES ?? 20);
const VALID = { valid: true };

let c: TestCluster;
let dir: string;
beforeAll(() => {
  c = startCluster("fuzz");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-fuzz-api-"));
});
afterAll(() => {
  c?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const isEmpty = (v: unknown) =>
  v === null || v === "" || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Every leaf of `ours` is in `server` with the same value (an empty one may be absent there). */
function differences(ours: unknown, server: unknown, where: string, out: string[]): string[] {
  if ((server === undefined || server === null) && isEmpty(ours)) return out;
  if (typeof ours === "object" && ours !== null) {
    if (typeof server !== "object" || server === null || Array.isArray(ours) !== Array.isArray(server)) {
      out.push(`${where}: we read ${JSON.stringify(ours).slice(0, 200)}, the server stores ${JSON.stringify(server)?.slice(0, 200)}`);
      return out;
    }
    for (const k of Object.keys(ours)) differences((ours as Record<string, unknown>)[k], (server as Record<string, unknown>)[k], `${where}.${k}`, out);
    return out;
  }
  if (ours !== server) out.push(`${where}: we read ${JSON.stringify(ours)?.slice(0, 200)}, the server stores ${JSON.stringify(server)?.slice(0, 200)}`);
  return out;
}

/** kubectl -o json of several objects: one JSON object after the other, or a List. */
function storedObjects(stdout: string): any[] {
  return stdout
    .trim()
    .split(/(?<=\n\})\s*(?=\{)/)
    .map((j) => JSON.parse(j))
    .flatMap((o) => (o.kind === "List" ? o.items : [o]));
}

describe("fuzz: generated valid manifests read as the API server stores them", () => {
  const files: GenFile[] = fc.sample(genFileDraw(VALID, 3), { seed: SEED, numRuns: COUNT }).map((d, i) => writeFile(d, i, VALID));

  it(`${COUNT} files (seed ${SEED}): every field read is the field the server stores`, async () => {
    const problems: string[] = [];
    let compared = 0;
    for (const f of files) {
      const file = path.join(dir, f.name);
      fs.writeFileSync(file, f.text);
      const { result } = await readFileSources([file]);
      expect(
        result.skippedFiles.filter((s) => !/duplicate key/.test(s.reason)),
        f.name,
      ).toEqual([]);
      expect(result.objects.length, f.name).toBe(f.objects.length);
      const r = c.kubectl(["create", "--dry-run=server", "-o", "json", "-n", "default", "-f", file]);
      if (r.code !== 0) {
        problems.push(`${f.name}: the server refused it: ${r.stderr.trim().slice(0, 400)}\n${f.text.slice(0, 2000)}`);
        continue;
      }
      const stored = storedObjects(r.stdout);
      expect(
        stored.map((o) => `${o.kind}/${o.metadata.name}`),
        f.name,
      ).toEqual(result.objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`));
      result.objects.forEach((o, i) => differences(o.object, stored[i], `${f.name}#${i} ${o.object.kind}/${o.object.metadata?.name}`, problems));
      compared += result.objects.length;
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(COUNT);
  });

  it("the sample holds the tricky spellings (so the comparison compares something)", () => {
    const text = files.map((f) => f.text).join("\n");
    expect(text).toMatch(/: (yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$/m); // YAML 1.1 booleans
    expect(text).toMatch(/: (0x[0-9a-f]+|0o[0-7]+|0[0-7]+)$/m); // hex and octal integers
    expect(text).toMatch(/<<: /); // merge keys
    expect(text).toMatch(/\\e|\\x1b|\\u001b/); // ESC in strings
    expect(files.some((f) => f.name.endsWith(".json"))).toBe(true);
  });
});
