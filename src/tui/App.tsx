// The interactive explorer: overview → controls → resources failing a control → finding
// detail, over a ScanReport from a ReportProvider. Every view is a list of lines (model.ts
// computes them); this file holds the state, the keys and the frame around them.
import fs from "node:fs";
import path from "node:path";
import React, { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Box, Text, useApp, useInput, useStdout } from "ink";
import type { ScanReport } from "../core/scoring/result.js";
import type { ScanEvent } from "../core/events.js";
import { SEVERITY_ORDER, type Severity } from "../core/model.js";
import { forTerminal, forTerminalCut } from "../core/escape.js";
import type { InstallOffer, ReportProvider } from "./provider.js";
import {
  SORTS,
  bar,
  controlRows,
  detailLines,
  findResource,
  findingsOf,
  fixDiff,
  objectFromData,
  objectFromFile,
  resourceLabel,
  resourcesOf,
  riskyResources,
  sourceLabel,
  type Line,
  type SortKey,
  type Tone,
} from "./model.js";

export type View =
  { kind: "overview" } | { kind: "controls" } | { kind: "resources"; controlID: string } | { kind: "resource"; resourceID: string } | { kind: "detail"; controlID: string; resourceID: string };

export interface AppProps {
  provider: ReportProvider;
  /** colour on (false with NO_COLOR): the views read the same without it */
  color: boolean;
  /** open straight on this resource (kubescape tui --resource Kind/name -n ns) */
  resource?: { kind: string; name: string; namespace?: string };
  /** where `e` writes its export (default: the working directory) */
  exportDir?: string;
  /** reads a scanned file for the detail view (default: fs; tests pass their own) */
  readFile?: (file: string) => string | undefined;
  /** the clock for export file names (tests pass a fixed one) */
  now?: () => Date;
  /** no operator in the cluster: `i` offers to install it (after a y/N confirmation) */
  offerInstall?: InstallOffer;
}

const BASE_KEYS: [string, string][] = [
  ["↑/↓ j/k", "move (scroll in the detail view)"],
  ["Enter", "open"],
  ["Esc/Backspace", "back (Esc also cancels a running scan)"],
  ["/", "filter the controls as you type (Enter keeps it, Esc clears it)"],
  ["s", "sort the controls: severity, score, failed count"],
  ["r", "rescan"],
  ["i", "install the in-cluster operator (offered when none is found; asks first)"],
  ["e", "export the current view as json (a file in the working directory)"],
  ["?", "this help"],
  ["q", "quit"],
];

function useSize(): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const get = () => ({ cols: Math.max(40, stdout.columns || 80), rows: Math.max(10, stdout.rows || 24) });
  const [size, setSize] = useState(get);
  useEffect(() => {
    const onResize = () => setSize(get());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  });
  return size;
}

const defaultReadFile = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

function progressText(e: ScanEvent): string {
  switch (e.type) {
    case "listed":
      return `listed ${forTerminal(e.kind)}: ${e.objects}`;
    case "read":
      return `read ${e.files} file${e.files === 1 ? "" : "s"}, ${e.objects} object${e.objects === 1 ? "" : "s"}`;
    case "evaluated":
      return `evaluating ${e.done}/${e.total}`;
    case "scored":
      return `scored ${e.resources} resources`;
  }
}

interface Row extends Line {
  selected?: boolean;
  severity?: Severity;
}

const SEV_COLOR: Record<Severity, string> = { Critical: "magenta", High: "red", Medium: "yellow", Low: "blue", Info: "gray" };
const TONE_COLOR: Record<Exclude<Tone, undefined>, string> = { failed: "red", review: "yellow", add: "green", del: "red", head: "cyan", dim: "gray" };

/** Fit a list of n rows with `sel` in view into `height` rows: the first index shown. */
function windowStart(n: number, sel: number, height: number): number {
  if (n <= height) return 0;
  return Math.max(0, Math.min(sel - Math.floor(height / 2), n - height));
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + " ".repeat(n - s.length));
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s);
const score = (v: number | undefined) => (v === undefined ? "  -  " : `${v.toFixed(0).padStart(3)}%`);

export function App(props: AppProps): React.ReactElement {
  const { provider, color } = props;
  const { exit } = useApp();
  const { cols, rows } = useSize();
  const [report, setReport] = useState<ScanReport>();
  const [progress, setProgress] = useState<string>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>("");
  const [stack, setStack] = useState<View[]>([{ kind: "overview" }]);
  const [sel, setSel] = useState<number[]>([0]);
  const [sort, setSort] = useState<SortKey>("severity");
  const [filter, setFilter] = useState("");
  const [filtering, setFilteringState] = useState(false);
  // keys typed faster than a render (a paste, a quick typist) must see the mode at once
  const filteringNow = useRef(false);
  const setFiltering = (v: boolean) => {
    filteringNow.current = v;
    setFilteringState(v);
  };
  const [help, setHelp] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const opened = useRef(false);
  const readFile = props.readFile ?? defaultReadFile;
  const offer = props.offerInstall;
  // i asked "Install …? y/N"; installed: the offer is done with
  const [confirming, setConfirming] = useState(false);
  const [installed, setInstalled] = useState(false);
  const [installing, setInstalling] = useState(false);
  const canInstall = !!offer && !installed;
  const rescanLabel = provider.rescanLabel ?? "rescan";

  const view = stack[stack.length - 1];
  const cursor = sel[sel.length - 1] ?? 0;
  const setCursor = (n: number) => setSel((s) => [...s.slice(0, -1), n]);
  const push = (v: View) => {
    setStack((s) => [...s, v]);
    setSel((s) => [...s, 0]);
  };
  const pop = () => {
    if (stack.length <= 1) return;
    setStack((s) => s.slice(0, -1));
    setSel((s) => s.slice(0, -1));
  };

  const load = useCallback(
    (rescan = false) => {
      abort.current?.abort();
      const ac = new AbortController();
      abort.current = ac;
      setError(undefined);
      const stored = provider.rescanLabel !== undefined;
      setProgress(stored && !rescan ? "reading the stored results…" : provider.rescans ? "scanning…" : "loading…");
      const t0 = performance.now();
      provider
        .load({
          signal: ac.signal,
          rescan,
          onEvent: (e) => !ac.signal.aborted && setProgress(progressText(e)),
          onProgress: (line) => !ac.signal.aborted && setProgress(forTerminalCut(line, 300)),
        })
        .then(
          (r) => {
            if (ac.signal.aborted) return;
            abort.current = undefined;
            setReport(r);
            setProgress(undefined);
            const what = stored ? (rescan ? "operator scanned, results read" : "stored results read") : provider.rescans ? "scanned" : "loaded";
            setStatus(`${what} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
          },
          (e: unknown) => {
            if (abort.current === ac) abort.current = undefined;
            setProgress(undefined);
            if (ac.signal.aborted) setStatus("scan cancelled (r scans again, q quits)");
            // a failed rescan keeps the report on screen: say why on the status line
            else if (rescan) setStatus(forTerminalCut(`${rescanLabel} failed: ${e instanceof Error ? e.message : String(e)}`, 300));
            else setError(forTerminalCut(e instanceof Error ? e.message : String(e), 500));
          },
        );
    },
    [provider, rescanLabel],
  );

  const install = () => {
    if (!offer) return;
    setInstalling(true);
    setProgress(`installing the operator into namespace ${forTerminal(offer.namespace)}…`);
    offer
      .install((line) => setProgress(forTerminalCut(line, 300)))
      .then(
        () => {
          setInstalling(false);
          setProgress(undefined);
          setInstalled(true);
          setStatus(forTerminalCut(`installed the operator into namespace ${offer.namespace}; once it has scanned, kubescape tui opens on its results`, 300));
        },
        (e: unknown) => {
          setInstalling(false);
          setProgress(undefined);
          setStatus(forTerminalCut(`install failed: ${e instanceof Error ? e.message : String(e)}`, 300));
        },
      );
  };

  useEffect(() => {
    load();
    return () => abort.current?.abort();
  }, [load]);

  // --resource: open straight on that resource once the first report is in
  useEffect(() => {
    if (!report || opened.current || !props.resource) return;
    opened.current = true;
    const r = findResource(report, props.resource);
    const what = `${props.resource.kind}/${props.resource.name}${props.resource.namespace ? ` in ${props.resource.namespace}` : ""}`;
    if (r) push({ kind: "resource", resourceID: r.resourceID });
    else setStatus(forTerminalCut(`${what}: no failed controls (or not in this scan)`, 200));
    // push is stable enough: it only appends to the stack
  }, [report, props.resource]);

  // the data of the current view, for the rows and for `e`
  const data = useMemo(() => {
    if (!report) return undefined;
    switch (view.kind) {
      case "overview":
        return { kind: view.kind, risky: riskyResources(report, 5) };
      case "controls":
        return { kind: view.kind, controls: controlRows(report, sort, filter) };
      case "resources":
        return { kind: view.kind, control: report.controls.find((c) => c.id === view.controlID), items: resourcesOf(report, view.controlID) };
      case "resource": {
        const resource = report.resources.find((r) => r.resourceID === view.resourceID);
        return { kind: view.kind, resource, items: resource ? findingsOf(report, resource) : [] };
      }
      case "detail": {
        const resource = report.resources.find((r) => r.resourceID === view.resourceID);
        const finding = resource?.findings.find((f) => f.controlID === view.controlID);
        return { kind: view.kind, resource, finding, control: report.controls.find((c) => c.id === view.controlID), explanation: provider.explain?.(view.controlID) };
      }
    }
  }, [report, view, sort, filter, provider]);

  const bodyHeight = Math.max(3, rows - 4);
  const width = cols;

  const detail = useMemo((): Line[] => {
    if (!data || data.kind !== "detail" || !data.resource || !data.finding) return [];
    const r = data.resource;
    const obj = provider.object?.(r.resourceID);
    const file = r.source?.file;
    const text = file && !file.startsWith("cluster:") && !file.startsWith("<") ? readFile(file) : undefined;
    const object =
      text !== undefined
        ? objectFromFile(file!, text, r, data.finding)
        : obj
          ? objectFromData(file?.startsWith("cluster:") ? `from the cluster, ${file.slice(8)}` : (file ?? "object"), obj, data.finding)
          : undefined;
    return detailLines({ resource: r, finding: data.finding, control: data.control, explanation: data.explanation, object, fix: obj ? fixDiff(obj, data.finding) : undefined, width: width - 2 });
  }, [data, provider, width]);

  const listLength = !data
    ? 0
    : data.kind === "controls"
      ? data.controls.length
      : data.kind === "resources" || data.kind === "resource"
        ? data.items.length
        : data.kind === "detail"
          ? Math.max(1, detail.length - bodyHeight + 1)
          : 0;

  const exportView = () => {
    if (!report || !data) return;
    const stamp = (props.now ?? (() => new Date()))().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
    const name = `kubescape-tui-${view.kind}-${stamp}.json`;
    let out: unknown;
    switch (data.kind) {
      case "overview":
        out = {
          view: "overview",
          target: report.target,
          startedAt: report.startedAt,
          durationMs: report.durationMs,
          summary: report.summary,
          frameworks: report.frameworks,
          riskyWorkloads: data.risky.map((x) => ({ resourceID: x.resource.resourceID, failedControls: x.failed, risk: x.risk })),
        };
        break;
      case "controls":
        out = { view: "controls", sort, filter, controls: data.controls };
        break;
      case "resources":
        out = { view: "resources", control: data.control, resources: data.items.map((x) => ({ ...x.resource, findings: [x.finding] })) };
        break;
      case "resource":
        out = { view: "resource", resource: data.resource };
        break;
      case "detail":
        out = { view: "detail", resource: data.resource && { ...data.resource, findings: [data.finding] }, control: data.control, explanation: data.explanation };
        break;
    }
    const file = path.join(props.exportDir ?? process.cwd(), name);
    try {
      fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
      setStatus(`exported ${view.kind} to ${forTerminal(name)}`);
    } catch (e) {
      setStatus(forTerminalCut(`export failed: ${(e as Error).message}`, 200));
    }
  };

  const open = () => {
    if (!data) return;
    if (data.kind === "overview") push({ kind: "controls" });
    else if (data.kind === "controls" && data.controls[cursor]) push({ kind: "resources", controlID: data.controls[cursor].id });
    else if (data.kind === "resources" && data.items[cursor]) push({ kind: "detail", controlID: data.items[cursor].finding.controlID, resourceID: data.items[cursor].resource.resourceID });
    else if (data.kind === "resource" && data.items[cursor]) push({ kind: "detail", controlID: data.items[cursor].finding.controlID, resourceID: data.resource!.resourceID });
  };

  useInput((input, key) => {
    if (progress !== undefined) {
      // while a scan runs: Esc cancels it, q quits, the rest waits
      if (key.escape) abort.current?.abort();
      else if (input === "q") exit();
      return;
    }
    if (help) {
      setHelp(false);
      return;
    }
    if (confirming) {
      // only y installs: anything else (Enter included, the default N) cancels
      setConfirming(false);
      if (input === "y" || input === "Y") install();
      else setStatus("install cancelled");
      return;
    }
    if (filteringNow.current) {
      if (key.escape) {
        setFilter("");
        setFiltering(false);
      } else if (key.return) setFiltering(false);
      else if (key.backspace || key.delete) setFilter((f) => f.slice(0, -1));
      else if (key.upArrow) setCursor(Math.max(0, cursor - 1));
      else if (key.downArrow) setCursor(Math.min(Math.max(0, listLength - 1), cursor + 1));
      else if (input && !key.ctrl && !key.meta) {
        setFilter((f) => f + input);
        setCursor(0);
      }
      return;
    }
    const page = Math.max(1, bodyHeight - 1);
    if (input === "q") exit();
    else if (input === "?") setHelp(true);
    else if (key.escape || key.backspace || key.delete) pop();
    else if (key.upArrow || input === "k") setCursor(Math.max(0, cursor - 1));
    else if (key.downArrow || input === "j") setCursor(Math.min(Math.max(0, listLength - 1), cursor + 1));
    else if (key.pageUp) setCursor(Math.max(0, cursor - page));
    else if (key.pageDown || input === " ") setCursor(Math.min(Math.max(0, listLength - 1), cursor + page));
    else if (key.return) open();
    else if (input === "r") load(true);
    else if (input === "i" && canInstall) setConfirming(true);
    else if (input === "i") setStatus(offer ? "the operator is installed" : "i installs the operator when the cluster has none");
    else if (input === "e") exportView();
    else if (input === "/") {
      if (view.kind !== "controls") push({ kind: "controls" });
      setFiltering(true);
      setCursor(0);
    } else if (input === "s") {
      if (view.kind === "controls") {
        const next = SORTS[(SORTS.indexOf(sort) + 1) % SORTS.length];
        setSort(next);
        setCursor(0);
        setStatus(`sorted by ${next}`);
      } else setStatus("s sorts the controls view");
    }
  });

  // ---- rows of the current view ----
  const body: Row[] = [];
  if (help) {
    body.push({ text: "Keys", tone: "head" });
    const keys = BASE_KEYS.filter(([k]) => k !== "i" || canInstall).map(([k, d]): [string, string] => [k, k === "r" ? rescanLabel : d]);
    for (const [k, d] of keys) body.push({ text: `  ${pad(k, 15)} ${d}` });
    body.push({ text: "" }, { text: "any key closes this help", tone: "dim" });
  } else if (error && !report) {
    body.push({ text: "The scan failed:", tone: "failed" }, { text: `  ${error}` }, { text: "" }, { text: "r tries again, q quits", tone: "dim" });
  } else if (!report || !data) {
    body.push({ text: progress ?? "no report (r scans again, q quits)", tone: "dim" });
  } else if (data.kind === "overview") {
    const t = report.target;
    const scope =
      t.kind === "cluster" && t.cluster
        ? `cluster ${forTerminal(t.cluster.context)} (${forTerminal(t.cluster.server)}${t.cluster.version ? `, ${forTerminal(t.cluster.version)}` : ""})${t.cluster.namespace ? `, namespace ${forTerminal(t.cluster.namespace)}` : ""}`
        : `files ${forTerminal(t.paths.join(", ") || "-")} (${report.summary.filesRead} read)`;
    const note = provider.note?.(report);
    body.push({ text: `Scope: ${scope}` });
    // stored results: when the operator scanned, not how long reading them took
    if (note) body.push({ text: `From:  ${forTerminal(note)}` });
    body.push({
      text: `Time:  ${note ? "" : `${forTerminal(report.startedAt)}, ${(report.durationMs / 1000).toFixed(2)} s; `}${report.summary.resources.total} resources, ${report.summary.resources.failed} failing`,
    });
    body.push({ text: "" });
    const overall = report.summary.complianceScore;
    const barW = Math.max(10, Math.min(40, width - 40));
    body.push({
      text: `Compliance score ${score(overall)}  controls: ${report.summary.controls.failed} failed, ${report.summary.controls.passed} passed, ${report.summary.controls.skipped} skipped`,
      tone: "head",
    });
    const fws = [...report.frameworks].sort((a, b) => (a.name === "AllControls" ? -1 : b.name === "AllControls" ? 1 : a.name.localeCompare(b.name)));
    const risky = data.risky;
    const fixed = 6 + 2 + 1 + 2 + Math.max(1, risky.length) + (note ? 1 : 0);
    const fwRoom = Math.max(2, bodyHeight - fixed);
    const shown = fws.length > fwRoom ? fws.slice(0, fwRoom - 1) : fws;
    for (const f of shown) body.push({ text: `  ${pad(forTerminal(f.name), 16)} ${score(f.score)} ${bar(f.score, barW)} ${f.controls.failed} failed` });
    if (shown.length < fws.length) body.push({ text: `  … ${fws.length - shown.length} more frameworks (e exports them all)`, tone: "dim" });
    body.push({ text: "" });
    body.push({ text: "Failed controls by severity", tone: "head" });
    body.push({ text: `  ${SEVERITY_ORDER.map((s) => `${s} ${report.summary.failedBySeverity[s] ?? 0}`).join("   ")}` });
    body.push({ text: "" });
    body.push({ text: "Most risky workloads (sum of failed controls' base scores)", tone: "head" });
    if (!risky.length) body.push({ text: "  none: no resource fails a control", tone: "dim" });
    for (const x of risky) body.push({ text: `  ${String(x.risk).padStart(4)}  ${pad(resourceLabel(x.resource, 60), 45)} ${x.failed} failed controls` });
    body.push({ text: "" }, { text: `Enter: the failed controls${canInstall ? "   i: install the in-cluster operator (none found)" : ""}`, tone: "dim" });
  } else if (data.kind === "controls") {
    const nameW = Math.max(10, width - 2 - 9 - 8 - 8 - 7);
    body.push({ text: `  ${pad("SEVERITY", 9)}${pad("ID", 8)}${pad("FAILED", 8)}${pad("SCORE", 7)}NAME (sorted by ${sort})`, tone: "head" });
    if (!data.controls.length) body.push({ text: filter ? "  no control matches the filter" : "  no failed controls", tone: "dim" });
    const h = bodyHeight - 1;
    const start = windowStart(data.controls.length, cursor, h);
    data.controls.slice(start, start + h).forEach((c, i) =>
      body.push({
        text: `${start + i === cursor ? "›" : " "} ${pad(c.severity, 9)}${pad(c.id, 8)}${pad(String(c.resources.failed), 8)}${pad(score(c.score), 7)}${cut(forTerminal(c.name), nameW)}`,
        selected: start + i === cursor,
        severity: c.severity,
      }),
    );
  } else if (data.kind === "resources") {
    const c = data.control;
    body.push({
      text: `${view.kind === "resources" ? view.controlID : ""} ${forTerminal(c?.name ?? "")} (${c?.severity ?? "?"}): ${data.items.length} resource${data.items.length === 1 ? "" : "s"}`,
      tone: "head",
    });
    const h = bodyHeight - 1;
    const start = windowStart(data.items.length, cursor, h);
    const srcW = Math.max(10, Math.floor((width - 14) / 2));
    data.items.slice(start, start + h).forEach((x, i) =>
      body.push({
        text: `${start + i === cursor ? "›" : " "} ${pad(x.finding.status === "excepted" ? "excepted" : "failed", 9)}${pad(resourceLabel(x.resource, width - 14 - srcW), width - 13 - srcW)}${cut(sourceLabel(x.resource, 300), srcW)}`,
        selected: start + i === cursor,
        tone: x.finding.status === "excepted" ? "dim" : undefined,
      }),
    );
  } else if (data.kind === "resource") {
    if (data.resource) body.push({ text: `${resourceLabel(data.resource)}  ${sourceLabel(data.resource)}: ${data.items.length} finding${data.items.length === 1 ? "" : "s"}`, tone: "head" });
    const h = bodyHeight - 1;
    const start = windowStart(data.items.length, cursor, h);
    data.items.slice(start, start + h).forEach((x, i) =>
      body.push({
        text: `${start + i === cursor ? "›" : " "} ${pad(x.control?.severity ?? "?", 9)}${pad(x.finding.controlID, 8)}${pad(x.finding.status, 9)}${cut(forTerminal(x.control?.name ?? ""), width - 30)}`,
        selected: start + i === cursor,
        severity: x.control?.severity,
      }),
    );
  } else if (data.kind === "detail") {
    if (!detail.length) body.push({ text: "this finding is not in the report any more (rescanned?)", tone: "dim" });
    body.push(...detail.slice(cursor, cursor + bodyHeight));
  }

  const crumbs = stack.map((v) => (v.kind === "resources" ? `${v.controlID}` : v.kind === "detail" ? "detail" : v.kind === "resource" ? "resource" : v.kind)).join(" › ");
  const title = `kubescape tui — ${forTerminal(provider.title)}  [${crumbs}]`;
  const statusLine = confirming
    ? `Install the kubescape-ts operator into namespace ${forTerminal(offer?.namespace ?? "")}? y/N`
    : progress !== undefined
      ? `${progress}${installing ? "" : "  (Esc cancels)"}`
      : filtering || filter
        ? `filter: ${forTerminal(filter)}${filtering ? "▏" : ""}  ${status}`
        : status;
  const hints = `↑↓/jk move  Enter open  Esc back  / filter  s sort  r ${rescanLabel}  e export${canInstall ? "  i install operator" : ""}  ? help  q quit`;

  const lines = body.slice(0, bodyHeight);
  while (lines.length < bodyHeight) lines.push({ text: "" });
  const colorOf = (r: Row): string | undefined => {
    if (!color) return undefined;
    if (r.tone) return TONE_COLOR[r.tone];
    return r.severity ? SEV_COLOR[r.severity] : undefined;
  };
  return (
    <Box flexDirection="column" width={width}>
      <Text bold={color} wrap="truncate-end">
        {cut(title, width)}
      </Text>
      {lines.map((r, i) => (
        <Text key={i} wrap="truncate-end" color={colorOf(r)} inverse={color && r.selected} bold={color && r.tone === "head"}>
          {cut(r.text, width) || " "}
        </Text>
      ))}
      <Text wrap="truncate-end" color={color ? "cyan" : undefined}>
        {cut(statusLine, width) || " "}
      </Text>
      <Text wrap="truncate-end" dimColor={color}>
        {cut(hints, width)}
      </Text>
    </Box>
  );
}
