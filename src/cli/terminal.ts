// What the terminal the CLI writes to allows: its width and whether to colour.
/**
 * Whether to colour: --color/--no-color, else never with NO_COLOR set (no-color.org), else
 * always with FORCE_COLOR set to anything but 0/false, else when writing to a terminal.
 */
export function useColor(flag: boolean | undefined, tty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && !/^(0|false)$/i.test(env.FORCE_COLOR)) return true;
  return tty;
}

/** The width the pretty report fits: the terminal's, else $COLUMNS, else 80. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY && stream.columns) return stream.columns;
  const n = Number(env.COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : 80;
}
