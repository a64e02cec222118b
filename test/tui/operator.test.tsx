// The TUI with the in-cluster operator (issue 13): it opens on the operator's stored results,
// `r` asks the operator for a scan (its progress shown) and reads them again, and with no
// operator `i` offers to install it behind a y/N question. The operator is a stand-in here
// (the real one is driven in test/terminal/tui-operator.test.ts); the report is a real scan.
import React from "react";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { App, type AppProps } from "../../src/tui/App.js";
import { operatorProvider, scannerProvider, type InstallOffer, type OperatorSource } from "../../src/tui/provider.js";
import { Scanner, fileSource, type ScanReport } from "../../src/core/index.js";
import { repoRoot } from "../support/cli.js";

const ESC = "\u001B";
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean, ms = 5000) => {
  for (let i = 0; i < ms / 20 && !cond(); i++) await tick(20);
};

let scanner: Scanner;
let report: ScanReport;
const cwd = process.cwd();

beforeAll(async () => {
  process.chdir(repoRoot);
  scanner = await Scanner.create({ threads: 1 });
  report = await scanner.scan({ source: fileSource(["examples/"]) });
});
afterAll(async () => {
  process.chdir(cwd);
  await scanner.close();
});

/** A stand-in operator: counts reads, and its scans wait until the test lets them finish. */
function fakeOperator(opts: { failTrigger?: string } = {}) {
  const calls = { read: 0, trigger: 0 };
  let finish: (() => void) | undefined;
  let signal: AbortSignal | undefined;
  let lastScan = "2025-05-01T10:00:00Z";
  const op: OperatorSource = {
    read: async () => {
      calls.read++;
      return { report, lastScan };
    },
    trigger: ({ onProgress, signal: s }) => {
      calls.trigger++;
      signal = s;
      onProgress("created ScanCommand kubescape/scan-x7k2p");
      onProgress("Running: 3/9 objects");
      return new Promise((resolve, reject) => {
        s.addEventListener("abort", () => reject(s.reason));
        finish = () => {
          lastScan = "2025-05-01T11:30:00Z";
          if (opts.failTrigger) reject(new Error(opts.failTrigger));
          else resolve({ phase: "Completed" });
        };
      });
    },
  };
  return { op, calls, finish: () => finish?.(), signal: () => signal };
}

async function open(props: Partial<AppProps> & Pick<AppProps, "provider">, ready: RegExp = /Compliance score/) {
  const app = render(<App color={false} {...props} />);
  await until(() => ready.test(app.lastFrame() ?? ""));
  // ink-testing-library's stdin drops the first chunk written: prime it with a key no view uses
  app.stdin.write("x");
  await tick();
  const key = async (k: string) => {
    const before = app.lastFrame();
    app.stdin.write(k);
    for (let i = 0; i < 20 && app.lastFrame() === before; i++) await tick(25);
    return app.lastFrame() ?? "";
  };
  return { app, key, frame: () => app.lastFrame() ?? "" };
}

describe("tui on the in-cluster operator", () => {
  it("opens on the stored results without a scan, and says so with the last scan's time", async () => {
    const fake = fakeOperator();
    const { frame, app } = await open({ provider: operatorProvider(fake.op, "cluster admin (in-cluster operator)") });
    const f = frame();
    expect(fake.calls).toEqual({ read: 1, trigger: 0 });
    expect(f).toContain("kubescape tui — cluster admin (in-cluster operator)  [overview]");
    expect(f).toContain("From:  stored results of the in-cluster operator, last scan 2025-05-01T10:00:00Z");
    expect(f).toMatch(/Time: {2}9 resources, 6 failing/);
    expect(f).toMatch(/stored results read in \d+\.\d\d s/);
    expect(f).toContain("r operator scan");
    // the frame still fits the terminal with the extra line
    expect(f.split("\n").length).toBe(23);
    app.unmount();
  });

  it("r triggers an operator scan, shows its progress, then reads the stored results again", async () => {
    const fake = fakeOperator();
    const { key, frame, app } = await open({ provider: operatorProvider(fake.op, "cluster admin (in-cluster operator)") });
    await key("r");
    await until(() => frame().includes("Running: 3/9 objects"));
    expect(frame()).toContain("Running: 3/9 objects  (Esc cancels)");
    expect(fake.calls).toEqual({ read: 1, trigger: 1 });
    fake.finish();
    await until(() => frame().includes("11:30"));
    expect(fake.calls).toEqual({ read: 2, trigger: 1 });
    expect(frame()).toContain("last scan 2025-05-01T11:30:00Z");
    expect(frame()).toMatch(/operator scanned, results read in \d+\.\d\d s/);
    app.unmount();
  });

  it("Esc cancels the operator scan; a failed one keeps the results and says why in one escaped line", async () => {
    const fake = fakeOperator();
    const { key, frame, app } = await open({ provider: operatorProvider(fake.op, "c") });
    await key("r");
    await until(() => frame().includes("Running"));
    await key(ESC);
    await until(() => frame().includes("cancelled"));
    expect(fake.signal()?.aborted).toBe(true);
    expect(frame()).toContain("scan cancelled");
    expect(fake.calls.read).toBe(1);
    app.unmount();

    const bad = fakeOperator({ failTrigger: "ScanCommand kubescape/scan-1 failed: \u001b]0;pwned\u0007\nsecond line" });
    const b = await open({ provider: operatorProvider(bad.op, "c") });
    await b.key("r");
    await until(() => b.frame().includes("Running"));
    bad.finish();
    await until(() => b.frame().includes("operator scan failed"));
    const f = b.frame();
    expect(f).toContain("operator scan failed: ScanCommand kubescape/scan-1 failed: \\x1b]0;pwned\\x07\\nsecond line");
    expect(f).not.toContain("\u001b]0;");
    expect(f).toContain("Compliance score"); // the stored results stay on screen
    b.app.unmount();
  });

  it("no stored results: the overview says so instead of crashing", async () => {
    const empty: OperatorSource = { read: async () => undefined, trigger: async () => ({}) };
    const { frame, app } = await open({ provider: operatorProvider(empty, "c") }, /failed/);
    expect(frame()).toContain("The scan failed:");
    expect(frame()).toContain("the operator has stored no results");
    app.unmount();
  });
});

describe("tui offering to install the operator", () => {
  const local = () => scannerProvider(scanner, { source: fileSource(["examples/"]) }, "cluster admin");

  it("i asks first; anything but y cancels; y installs with progress, then the offer is gone", async () => {
    const seen: string[] = [];
    let done: (() => void) | undefined;
    const offer: InstallOffer = {
      namespace: "kubescape",
      install: (onProgress) => {
        seen.push("install");
        onProgress("applied CustomResourceDefinition workloadconfigurationscans.spdx.softwarecomposition.kubescape.io");
        return new Promise<void>((r) => (done = r));
      },
    };
    const { key, frame, app } = await open({ provider: local(), offerInstall: offer });
    expect(frame()).toContain("i: install the in-cluster operator (none found)");
    let f = await key("i");
    expect(f).toContain("Install the kubescape-ts operator into namespace kubescape? y/N");
    f = await key("n");
    expect(f).toContain("install cancelled");
    await key("i");
    f = await key("\r"); // Enter is the default: No
    expect(f).toContain("install cancelled");
    expect(seen).toEqual([]);

    await key("i");
    f = await key("y");
    await until(() => frame().includes("applied CustomResourceDefinition"));
    expect(seen).toEqual(["install"]);
    expect(frame()).toContain("applied CustomResourceDefinition workloadconfigurationscans.spdx.softwarecomposition.kubescape.io");
    expect(frame()).not.toContain("Esc cancels");
    done!();
    await until(() => frame().includes("installed the operator"));
    f = frame();
    expect(f).toContain("installed the operator into namespace kubescape");
    expect(f).not.toContain("i: install the in-cluster operator");
    f = await key("i");
    expect(f).toContain("the operator is installed");
    expect(seen).toEqual(["install"]);
    app.unmount();
  });

  it("a failed install is one escaped line; without an offer, i does nothing but say so", async () => {
    const offer: InstallOffer = {
      namespace: "kubescape",
      install: async () => {
        throw new Error("forbidden: User \u001b[31mbob\u001b[0m cannot create\nnamespaces");
      },
    };
    const { key, frame, app } = await open({ provider: local(), offerInstall: offer });
    await key("i");
    await key("y");
    await until(() => frame().includes("install failed"));
    expect(frame()).toContain("install failed: forbidden: User \\x1b[31mbob\\x1b[0m cannot create\\nnamespaces");
    // the offer stays: the user may fix their rights and try again
    expect(frame()).toContain("i: install the in-cluster operator (none found)");
    app.unmount();

    const plain = await open({ provider: local() });
    expect(plain.frame()).not.toContain("install the in-cluster operator");
    const f = await plain.key("i");
    expect(f).toContain("i installs the operator when the cluster has none");
    plain.app.unmount();
  });
});
