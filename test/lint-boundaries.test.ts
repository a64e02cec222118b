// The import boundaries of eslint.config.js, run through ESLint's Node API on code that
// crosses them (and on code that does not), so a config change that silently stops a
// boundary from firing fails here rather than in review.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const eslint = new ESLint({ cwd: root });

/** The messages of the boundary rules for `code` linted as if it were the file `filePath`. */
async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, "the code must parse").toEqual([]);
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-properties").map((m) => m.message);
}

describe("import boundaries (npm run lint)", () => {
  it("src/core/engine importing the CLI is an error", async () => {
    const errors = await boundaryErrors('import { fail } from "../../cli/fail.js";\nexport const f = fail;\n', "src/core/engine/bad.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("must not depend on the CLI");
  });

  it("src/core/engine importing the model, another engine module or a source passes", async () => {
    const code =
      'import type { ScanObject } from "../model.js";\nimport { customBuiltins } from "./builtins.js";\nimport type { PositionRequest } from "../sources/positions.js";\nexport type T = [ScanObject, PositionRequest, typeof customBuiltins];\n';
    expect(await boundaryErrors(code, "src/core/engine/good.ts")).toEqual([]);
  });

  it("src/core/sources and src/core/engine never reach scoring or reports, at any depth", async () => {
    expect(await boundaryErrors('export { score } from "../../scoring/score.js";\n', "src/core/sources/cluster/bad.ts")).toHaveLength(1);
    expect(await boundaryErrors('import { SCHEMA_VERSION } from "../scoring/result.js";\nexport const v = SCHEMA_VERSION;\n', "src/core/engine/bad.ts")).toHaveLength(1);
    // naming the report model's type runs no scoring code (a saved report is a source)
    expect(await boundaryErrors('import type { ScanReport } from "../scoring/result.js";\nexport type R = ScanReport;\n', "src/core/sources/good.ts")).toEqual([]);
    expect(await boundaryErrors('import { render } from "../../report/index.js";\nexport const r = render;\n', "src/core/sources/bad.ts")).toHaveLength(1);
    // scoring itself may read the engine's registry
    expect(await boundaryErrors('import type { Registry } from "../engine/registry.js";\nexport type R = Registry;\n', "src/core/scoring/good.ts")).toEqual([]);
  });

  it("src/core never imports oclif or a report format; only src/core/index.ts re-exports src/report/index.ts", async () => {
    expect(await boundaryErrors('import { Command } from "@oclif/core";\nexport const C = Command;\n', "src/core/scan.ts")).toHaveLength(1);
    expect(await boundaryErrors('export { render } from "../report/index.js";\n', "src/core/scan.ts")).toHaveLength(1);
    expect(await boundaryErrors('export { render } from "../report/index.js";\n', "src/core/index.ts")).toEqual([]);
    expect(await boundaryErrors('export { sarif } from "../report/sarif.js";\n', "src/core/index.ts")).toHaveLength(1);
    expect(await boundaryErrors('export { fail } from "../cli/fail.js";\n', "src/core/index.ts")).toHaveLength(1);
  });

  it("src/report never imports the CLI; src/cli may import reports and the core", async () => {
    expect(await boundaryErrors('import { fail } from "../cli/fail.js";\nexport const f = fail;\n', "src/report/bad.ts")).toHaveLength(1);
    expect(await boundaryErrors('import { render } from "../report/index.js";\nimport { UserError } from "../core/errors.js";\nexport const x = [render, UserError];\n', "src/cli/good.ts")).toEqual(
      [],
    );
  });

  it("src/core never writes to stdout or sets the exit code", async () => {
    const errors = await boundaryErrors('process.stdout.write("x");\nprocess.exitCode = 1;\n', "src/core/scoring/bad.ts");
    expect(errors).toHaveLength(2);
    expect(await boundaryErrors('process.stdout.write("x");\nprocess.exitCode = 1;\n', "src/cli/good.ts")).toEqual([]);
  });
});
