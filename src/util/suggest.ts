import { distance } from 'fastest-levenshtein';

/** The closest candidate to a misspelt name, if one is close enough to be a plausible typo. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    // A swap of two letters ("wbe" for "web") is one typo, though Levenshtein counts two.
    const d = cl.length === lower.length && [...cl].sort().join('') === [...lower].sort().join('') ? Math.min(1, distance(lower, cl)) : distance(lower, cl);
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return bestScore <= limit ? best : undefined;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(name, candidates);
  return s === undefined ? undefined : `did you mean "${s}"?`;
}
