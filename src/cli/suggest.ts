// "Did you mean …?" for a mistyped command, flag, control or framework: the closest known
// word by edit distance, if it is close enough to be the likely intent.

/** Edit distance counting an insertion, deletion, substitution or swap of neighbours as one (case-insensitive). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** The known word closest to `word`, when it is within a third of the word's length (at least 1, at most 3) edits; ties go to the first listed. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = limit + 1;
  for (const k of known) {
    const dist = editDistance(word, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best;
}

/** " (did you mean X?)" or "". */
export function didYouMean(word: string, known: Iterable<string>): string {
  const c = closest(word, known);
  return c === undefined ? "" : ` (did you mean ${c}?)`;
}
