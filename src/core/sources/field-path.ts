// Field paths as rules write them: "spec.containers[0].securityContext.privileged".
// A bracket holds an index or, for keys with dots, a key: "metadata.labels[app.kubernetes.io/name]".

export type PathSegment = string | number;

export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  let cur = "";
  const flush = () => {
    if (cur !== "") out.push(cur);
    cur = "";
  };
  while (i < path.length) {
    const ch = path[i];
    if (ch === ".") {
      flush();
      i++;
    } else if (ch === "[") {
      flush();
      const end = path.indexOf("]", i);
      if (end < 0) {
        cur = path.slice(i);
        break;
      }
      const inner = path.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
      i = end + 1;
    } else {
      cur += ch;
      i++;
    }
  }
  flush();
  return out;
}
