// Borderless-row table style shared by the pretty report and the list command.
import Table from "cli-table3";

export function table(head: string[], opts: { color?: boolean; colAligns?: ("left" | "right" | "center")[] } = {}): Table.Table {
  return new Table({
    head,
    ...(opts.colAligns ? { colAligns: opts.colAligns } : {}),
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    style: { head: opts.color ? ["bold"] : [], border: opts.color ? ["grey"] : [] },
  });
}
