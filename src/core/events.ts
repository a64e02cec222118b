// Progress of one scan, as the scanner reports it to whoever holds it (CLI progress line,
// TUI, operator metrics). Events are plain data; a listener must not throw.

export type ScanEvent =
  /** the cluster source listed one kind (with `of`: kinds listed so far, of how many) */
  | { type: "listed"; kind: string; objects: number; of?: { done: number; total: number } }
  /** a file source finished reading (files read so far, objects found so far) */
  | { type: "read"; files: number; objects: number }
  /** evaluation progress in tasks (a task is a chunk of objects with its rules) */
  | { type: "evaluated"; done: number; total: number }
  /** the report is assembled */
  | { type: "scored"; resources: number; failed: number };

export type ScanEventListener = (e: ScanEvent) => void;
