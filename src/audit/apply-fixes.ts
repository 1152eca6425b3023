import { applyEdits } from './fix-helpers.js';
import type { Finding, TextEdit } from './rule.js';

export type FixMode = 'safe' | 'unsafe';

/**
 * The edits each file gets in one pass. A fix is taken whole or not at all; a fix that overlaps or
 * touches one already taken (two insertions at one offset, say, whose order would matter) waits for
 * the next pass, when its rule sees the new text. Identical fixes (an anchor shared by services)
 * count once.
 */
export function editsByFile(findings: readonly Finding[], mode: FixMode): Map<string, TextEdit[]> {
  const candidates = new Map<string, TextEdit[][]>();
  for (const f of findings) {
    if (!f.fix || f.fix.edits.length === 0 || !(f.fixable === 'safe' || (mode === 'unsafe' && f.fixable === 'unsafe'))) continue;
    candidates.set(f.span.file, [...(candidates.get(f.span.file) ?? []), f.fix.edits]);
  }
  const out = new Map<string, TextEdit[]>();
  for (const [file, fixes] of candidates) {
    const taken: TextEdit[] = [];
    const seen = new Set<string>();
    const sorted = [...fixes].sort((a, b) => start(a) - start(b));
    for (const edits of sorted) {
      const key = JSON.stringify(edits);
      if (seen.has(key)) continue;
      seen.add(key);
      if (edits.some((e) => taken.some((t) => conflicts(e, t)))) continue;
      taken.push(...edits);
    }
    out.set(file, taken);
  }
  return out;
}

function start(edits: TextEdit[]): number {
  return Math.min(...edits.map((e) => e.offset));
}

/** Overlapping ranges, or touching ones where either is an insertion. */
function conflicts(a: TextEdit, b: TextEdit): boolean {
  if (a.offset < b.end && b.offset < a.end) return true;
  const touching = a.offset === b.end || b.offset === a.end || a.offset === b.offset;
  return touching && (a.offset === a.end || b.offset === b.end);
}

/** New texts for the files that change. */
export function fixedTexts(findings: readonly Finding[], mode: FixMode, texts: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, edits] of editsByFile(findings, mode)) {
    const before = texts.get(file);
    if (before === undefined) continue;
    const after = applyEdits(before, edits).text;
    if (after !== before) out.set(file, after);
  }
  return out;
}
