// Progress of a scan on stderr, on a terminal only: one line rewritten in place (kubectl-like
// quiet otherwise), shown once a scan has run for about a second (a short scan never
// flickers), cleared when the scan ends so the report starts on a clean screen. Silent when
// stderr is not a terminal and in CI (CI set); the scan commands leave it out with --quiet.
import type { ScanEvent } from "../core/index.js";

export interface Progress {
  onEvent: (e: ScanEvent) => void;
  done: () => void;
}

const INTERVAL_MS = 100;
/** Scans shorter than this show no progress. */
export const PROGRESS_DELAY_MS = 1000;

/** "ETA 12 s" / "ETA 2 min" from the share done and the time it took; "" until there is enough to go on. */
export function eta(done: number, total: number, elapsedMs: number): string {
  if (done <= 0 || done >= total || elapsedMs < 200) return "";
  const left = ((total - done) * elapsedMs) / done / 1000;
  return left < 60 ? `ETA ${Math.max(1, Math.round(left))} s` : `ETA ${Math.round(left / 60)} min`;
}

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env, opts: { delayMs?: number; now?: () => number } = {}): Progress {
  if (!stream.isTTY || env.CI) return { onEvent: () => {}, done: () => {} };
  const now = opts.now ?? Date.now;
  const start = now();
  // KUBESCAPE_PROGRESS_DELAY_MS: the pseudo-terminal tests show progress on a scan short enough to run in the suite
  const fromEnv = Number(env.KUBESCAPE_PROGRESS_DELAY_MS);
  const delay = opts.delayMs ?? (env.KUBESCAPE_PROGRESS_DELAY_MS !== undefined && Number.isFinite(fromEnv) ? fromEnv : PROGRESS_DELAY_MS);
  let shown = false;
  let last = 0;
  let listed = 0;
  let kinds = 0;
  let read = "";
  let evalStart: number | undefined;
  const show = (text: string, force = false) => {
    const t = now();
    if (t - start < delay) return;
    if (!force && t - last < INTERVAL_MS) return;
    last = t;
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(`\r\x1b[K${text.slice(0, width)}`);
    shown = true;
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case "listed":
          listed += e.objects;
          kinds++;
          evalStart = now();
          read = e.of ? `listed ${e.of.done}/${e.of.total} kinds, ${listed} objects` : `listed ${kinds} kind${kinds === 1 ? "" : "s"}, ${listed} objects`;
          return show(`${read} (${e.kind})`);
        case "read":
          read = `read ${e.files} file${e.files === 1 ? "" : "s"}, ${e.objects} objects`;
          evalStart = now();
          return show(read, true);
        case "evaluated": {
          evalStart ??= start;
          const pct = Math.floor((e.done / Math.max(1, e.total)) * 100);
          const left = eta(e.done, e.total, now() - evalStart);
          return show(`${read ? `${read} · ` : ""}evaluating controls: ${pct}% (${e.done}/${e.total})${left ? ` · ${left}` : ""}`, e.done === e.total);
        }
        case "scored":
          return;
      }
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
