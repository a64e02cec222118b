// ESLint 9 flat config (npm run lint). typescript-eslint's recommended rules over all of our
// TypeScript and JavaScript, plus the import boundaries between the scanner library
// (src/core), the report formats (src/report) and the oclif CLI (src/cli, src/commands).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The Node globals our .js/.mjs scripts use (TypeScript files get theirs from @types/node).
const nodeGlobals = Object.fromEntries(
  [
    "process",
    "console",
    "Buffer",
    "URL",
    "URLSearchParams",
    "fetch",
    "AbortController",
    "AbortSignal",
    "performance",
    "structuredClone",
    "TextEncoder",
    "TextDecoder",
    "WebAssembly",
    "queueMicrotask",
    "setTimeout",
    "clearTimeout",
    "setInterval",
    "clearInterval",
    "setImmediate",
    "clearImmediate",
  ].map((name) => [name, "readonly"]),
);

// Import boundaries. The patterns are regexes on the import specifier; relative imports
// climb with ../ (any depth), and no folder inside src/core or src/report is named cli,
// commands, report or scoring, so "(../)+cli/" can only mean src/cli.
const up = (dirs) => `^(\\.\\./)+(${dirs.join("|")})(/|$)`;
const CLI = { regex: up(["cli", "commands"]), message: "src/core and src/report must not depend on the CLI (src/cli, src/commands)." };
const OCLIF = { regex: "^@oclif/", message: "src/core is a library: oclif belongs to src/cli and src/commands." };
const REPORT = { regex: up(["report"]), message: "src/core must not import report formats (only src/core/index.ts re-exports src/report/index.ts)." };
const REPORT_BUT_INDEX = { regex: "^\\.\\./report/(?!index\\.js$)", message: "src/core/index.ts may re-export src/report/index.ts only." };
// type-only imports are allowed: a source may hand over a finished report (a saved json
// report), so it names the report model's type without running any scoring code
const SCORING = { regex: up(["scoring", "report"]), message: "src/core/sources and src/core/engine must not depend on scoring or reports.", allowTypeImports: true };
const restrict = (...patterns) => ["error", { patterns }];
// The library never writes to the terminal or sets the exit code: the CLI does.
const noProcessOutput = [
  "error",
  { object: "process", property: "stdout", message: "src/core must not write to stdout: return data, the CLI prints it." },
  { object: "process", property: "exitCode", message: "src/core must not set the exit code: throw or return, the CLI decides." },
];

export default tseslint.config(
  {
    ignores: ["dist/", "dist-bin/", "release/", "rules/bundle/", "node_modules/", "test/fixtures/", "test-output/", "bench/out/"],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: nodeGlobals },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // the code's convention for a parameter or binding that is deliberately unused: a leading _
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // off: 123 uses, 109 of them in tests (parsed JSON/YAML output); the 14 in src type
      // untyped external data (opa-wasm exports and builtins, discovery JSON, exceptions files)
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  // Later entries replace earlier options of the same rule, so each lists all its patterns.
  { files: ["src/core/**/*.ts"], rules: { "no-restricted-imports": restrict(CLI, OCLIF, REPORT), "no-restricted-properties": noProcessOutput } },
  { files: ["src/core/index.ts"], rules: { "no-restricted-imports": restrict(CLI, OCLIF, REPORT_BUT_INDEX) } },
  { files: ["src/core/sources/**/*.ts", "src/core/engine/**/*.ts"], rules: { "no-restricted-imports": restrict(CLI, OCLIF, SCORING) } },
  { files: ["src/report/**/*.ts"], rules: { "no-restricted-imports": restrict(CLI) } },
  // tests feed hostile input on purpose: control characters in their patterns are the point
  { files: ["test/**/*.ts"], rules: { "no-control-regex": "off" } },
);
