import { applyEdits } from './fix-helpers.js';
import type { Finding, TextEdit } from './rule.js';

export type FixMode = 'safe' | 'unsafe';

/** The edits each file gets from the findings' fixes: safe ones always, unsafe ones only in unsafe mode. */
export function editsByFile(findings: readonly Finding[], mode: FixMode): Map<string, TextEdit[]> {
  const out = new Map<string, TextEdit[]>();
  for (const f of findings) {
    if (!f.fix || !(f.fixable === 'safe' || (mode === 'unsafe' && f.fixable === 'unsafe'))) continue;
    out.set(f.span.file, [...(out.get(f.span.file) ?? []), ...f.fix.edits]);
  }
  return out;
}

/** New texts for the files that change; overlapping edits wait for the next pass. */
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
