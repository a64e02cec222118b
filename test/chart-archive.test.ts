// Packaged charts are read in memory: names that would leave the archive's folder are dropped,
// links are not followed, and an archive that unpacks past the cap is not read at all.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseTar, readChartArchive, safeName } from "../src/core/sources/chart-archive.js";

function entry(name: string, body: string, type = "0"): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100);
  h.write(Buffer.byteLength(body).toString(8).padStart(11, "0") + "\0", 124);
  h.write(type, 156);
  h.write("ustar\0" + "00", 257);
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([h, data]);
}
const tar = (...e: Buffer[]) => Buffer.concat([...e, Buffer.alloc(1024)]);

describe("packaged chart archive", () => {
  it("keeps regular files with plain relative names only", () => {
    const files = parseTar(
      tar(entry("web/Chart.yaml", "name: web\n"), entry("../evil.yaml", "x"), entry("/etc/passwd", "x"), entry("web/../../up", "x"), entry("web/link", "", "2"), entry("./web/values.yaml", "a: 1\n")),
      "w.tgz:",
    )!;
    expect([...files.keys()]).toEqual(["w.tgz:web/Chart.yaml", "w.tgz:web/values.yaml"]);
    expect(files.get("w.tgz:web/values.yaml")).toBe("a: 1\n");
    expect(safeName("a/./b")).toBe("a/b");
    expect(safeName("a\\..\\b")).toBeUndefined();
  });

  it("a pax path names the next entry; an archive unpacking past the cap is not read", () => {
    const long = "web/templates/" + "x".repeat(120) + ".yaml";
    const pax = `${(" path=" + long + "\n").length + 3} path=${long}\n`;
    const files = parseTar(tar(entry("PaxHeader", pax, "x"), entry("web/templates/short", "kind: Pod\n")), "")!;
    expect([...files.keys()]).toEqual([long]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-tgz-"));
    const f = path.join(dir, "big.tgz");
    fs.writeFileSync(f, zlib.gzipSync(tar(entry("web/Chart.yaml", "a".repeat(200_000)))));
    expect(fs.statSync(f).size).toBeLessThan(10_000);
    expect(readChartArchive(f, "", 100_000)).toBeUndefined();
    expect(readChartArchive(f, "", 1_000_000)?.size).toBe(1);
    fs.rmSync(dir, { recursive: true });
  });
});
