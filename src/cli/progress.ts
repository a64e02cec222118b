// Progress of a scan on stderr, on a terminal only: one line rewritten in place (kubectl-like
// quiet otherwise), cleared when the scan ends so the report starts on a clean screen.
import type { ScanEvent } from "../core/index.js";

export interface Progress {
  onEvent: (e: ScanEvent) => void;
  done: () => void;
}

const INTERVAL_MS = 100;

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress {
  if (!stream.isTTY || env.CI) return { onEvent: () => {}, done: () => {} };
  let shown = false;
  let last = 0;
  let listed = 0;
  const show = (text: string, force = false) => {
    const now = Date.now();
    if (!force && now - last < INTERVAL_MS) return;
    last = now;
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(`\r\x1b[K${text.slice(0, width)}`);
    shown = true;
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case "listed":
          listed += e.objects;
          return show(`listing: ${listed} objects (${e.kind})`);
        case "read":
          return show(`read ${e.files} file${e.files === 1 ? "" : "s"}, ${e.objects} objects`, true);
        case "evaluated":
          return show(`evaluating: ${Math.floor((e.done / Math.max(1, e.total)) * 100)}% (${e.done}/${e.total})`, e.done === e.total);
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
