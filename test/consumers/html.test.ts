// The html report as a browser reads it: headless Chromium opens the file from disk; the
// page must make no request, show the same scores as the json report of the same scan,
// and show hostile resource names as text without running them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import YAML from "yaml";
import { repoRoot, runCli } from "../support/cli.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const missing = !fs.existsSync(CHROMIUM);
if (missing) console.warn(`SKIPPED html consumer tests: ${CHROMIUM} not found. Install it with: sudo bash scripts/install-system.sh (or set CHROMIUM_PATH)`);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const artifacts = path.join(repoRoot, "test-output");

const fmt = (n: number | undefined) => (n === undefined ? "n/a" : `${n.toFixed(2)}%`);
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** Opens a file and records what the page asked for: requests and console errors (CSP violations among them). */
async function open(context: BrowserContext, file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, requests, errors };
}

describe.skipIf(missing)(missing ? `html report in Chromium: SKIPPED, ${CHROMIUM} not found (install it: sudo bash scripts/install-system.sh)` : "html report in Chromium", () => {
  let context: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ks-html-"));
    context = await chromium.launchPersistentContext(path.join(dir, "profile"), { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await context?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("makes no request, shows the json report's scores, positions and fixes; screenshot for CI", async () => {
    // one scan, two formats: the html must say what the json says
    const r = runCli(["scan", "examples/", "--format", "html,json", "--output", path.join(dir, "report")]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
    const file = path.join(dir, "report.html");

    const { page, requests, errors } = await open(context, file);
    expect(requests.filter((u) => u !== pathToFileURL(file).href && !u.startsWith("data:"))).toEqual([]);
    expect(errors).toEqual([]);

    expect(await page.getByTestId("score-overall").innerText()).toBe(fmt(json.summary.complianceScore));
    expect(json.frameworks.length).toBeGreaterThan(3);
    for (const fw of json.frameworks) {
      expect(await page.locator(`[data-framework="${fw.name}"]`).innerText(), fw.name).toBe(fmt(fw.score));
    }
    for (const [sev, n] of Object.entries(json.summary.failedBySeverity)) {
      expect(await page.locator(`[data-severity="${sev}"]`).innerText()).toBe(`${n} ${sev}`);
    }
    expect(await page.getByTestId("controls-failed").innerText()).toBe(String(json.summary.controls.failed));

    // every evaluated control has a row with its failed/all count; skipped ones are listed with their reason, not-applicable ones apart
    const evaluated = json.controls.filter((c: any) => c.status !== "skipped" && c.status !== "not-applicable");
    expect(await page.locator("[data-testid=controls] tbody tr").count()).toBe(evaluated.length);
    const c41 = json.controls.find((c: any) => c.id === "C-0041");
    const row = squash(await page.locator('tr[data-control="C-0041"]').innerText());
    expect(row).toContain(`${c41.severity} C-0041 ${c41.name} ${c41.resources.failed} / ${c41.resources.passed + c41.resources.failed + c41.resources.excepted}`);
    const skipped = json.controls.filter((c: any) => c.status === "skipped");
    const skippedText = await page.getByTestId("skipped-controls").textContent();
    expect(skippedText).toContain(skipped[0].skipReason);
    for (const c of skipped) expect(skippedText).toContain(c.id);

    // the failed field by file:line:col (examples/risky/log-agent.yaml line 17 is `hostNetwork: true`)
    const fixture = fs.readFileSync(path.join(repoRoot, "examples/risky/log-agent.yaml"), "utf8").split("\n");
    expect(fixture[16]).toBe("      hostNetwork: true");
    const finding = page.locator('[data-resource="apps/v1/logging/DaemonSet/log-agent"] [data-finding="C-0041"]');
    const text = squash(await finding.innerText());
    expect(text).toContain("examples/risky/log-agent.yaml:17:7 spec.template.spec.hostNetwork");
    // with the control's own remediation text
    const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, "controls/docs/C-0041.yaml"), "utf8"));
    expect(text).toContain(squash(doc.remediation));
    const failedResources = json.resources.filter((x: any) => x.findings.some((f: any) => f.status === "failed"));
    expect(await page.locator("article.resource").count()).toBe(failedResources.length);

    fs.mkdirSync(artifacts, { recursive: true });
    const shot = path.join(artifacts, "report-html.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
  });

  it("shows a hostile resource name as text and runs none of it", async () => {
    const src = path.join(dir, "hostile");
    fs.mkdirSync(src);
    const name = `x<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><b>bold</b>`;
    fs.writeFileSync(
      path.join(src, "pod.yaml"),
      YAML.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "default" },
        spec: { hostNetwork: true, containers: [{ name: "c</style><script>window.__pwned=3</script>", image: "nginx:1.27" }] },
      }),
    );
    const out = path.join(dir, "hostile.html");
    const r = runCli(["scan", src, "--format", "html", "--output", out]);
    expect(r.code, r.stderr).toBe(0);
    const html = fs.readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script|<img|<b>/i);

    const { page, requests, errors } = await open(context, out);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("script, img, b").count()).toBe(0);
    expect(await page.locator("article.resource .id").allInnerTexts()).toEqual([`/v1/default/Pod/${name}`]);
    expect(await page.locator("body").innerText()).toContain(name);
    expect(await page.locator("body").innerText()).toContain("c</style><script>window.__pwned=3</script>");
    expect(requests).toEqual([pathToFileURL(out).href]);
    expect(errors).toEqual([]);
  });
});
