// Paths a scan leaves out: --exclude globs and a `.kubescapeignore` file at a scanned
// directory's root, both read as .gitignore lines are: `#` comments, `!` re-includes, a
// trailing `/` matches directories only, a pattern with a `/` (other than a trailing one) is
// relative to the root, one without matches a name at any depth; `*` and `?` stay within one
// path component, `**` spans any number.

export const IGNORE_FILE = ".kubescapeignore";

interface Rule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          out += "(?:.*/)?";
        } else out += ".*";
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        out += `[${body.startsWith("!") ? "^" + body.slice(1) : body}]`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < glob.length) out += "\\" + glob[++i];
    else out += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return out;
}

function parseRule(line: string): Rule | undefined {
  let p = line.replace(/(?<!\\)\s+$/, "");
  if (!p || p.startsWith("#")) return undefined;
  let negate = false;
  if (p.startsWith("!")) {
    negate = true;
    p = p.slice(1);
  }
  let dirOnly = false;
  if (p.endsWith("/")) {
    dirOnly = true;
    p = p.replace(/\/+$/, "");
  }
  if (p.startsWith("./")) p = p.slice(2);
  const anchored = p.includes("/");
  p = p.replace(/^\/+/, "");
  if (!p) return undefined;
  // a pattern also matches everything under what it names (a directory)
  return { re: new RegExp(`^${anchored ? "" : "(?:.*/)?"}${globToRegex(p)}$`), negate, dirOnly };
}

/** A matcher for gitignore-like lines; `rel` is the path relative to the root, with `/`. */
export class IgnoreRules {
  private rules: Rule[];
  constructor(lines: string[]) {
    this.rules = lines.map(parseRule).filter((r): r is Rule => !!r);
  }
  get empty(): boolean {
    return this.rules.length === 0;
  }
  /** the last matching line wins (as in git) */
  ignores(rel: string, isDir: boolean): boolean {
    rel = rel.replace(/\\/g, "/").replace(/^\.\//, "");
    let out = false;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(rel)) out = !r.negate;
    }
    return out;
  }
  /** the same rules followed by more (a root's ignore file after the command line's excludes) */
  with(lines: string[]): IgnoreRules {
    const out = new IgnoreRules([]);
    out.rules = [...this.rules, ...new IgnoreRules(lines).rules];
    return out;
  }
}
