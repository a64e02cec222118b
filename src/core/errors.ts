// One error type for everything the user can act on: a wrong path, selection, config file or
// kubeconfig, a chart helm cannot render, an API server that refuses or cannot be reached.
// The CLI prints its message as one line and exits 2 (src/cli/errors.ts); anything else is a
// bug and keeps its stack trace.

export class UserError extends Error {
  /** worth retrying later (429, 5xx, a dropped connection): serve-metrics and the operator keep going */
  transient: boolean;

  constructor(message: string, opts: { transient?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.transient = opts.transient ?? false;
  }
}

/** What the user asked for cannot be done as asked (unknown control, framework, format, …). */
export class UsageError extends UserError {}
