import type { Span } from '../diagnostics/span.js';

/**
 * Inline suppressions in YAML and Dockerfile comments:
 *   # berth-ignore <rule-id>[,<rule-id>...] -- reason      on the finding's line or the line above
 *   # berth-ignore-file <rule-id>[,...] -- reason          anywhere in the file, for the whole file
 */
export interface Suppression {
  rules: string[];
  fileWide: boolean;
  /** The line the comment is on (1-based). */
  line: number;
  reason?: string;
  span: Span;
  used: boolean;
}

const PATTERN = /#\s*berth-ignore(-file)?\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)(?:\s+--\s*(.*?))?\s*$/;

export function findSuppressions(text: string, file: string): Suppression[] {
  const out: Suppression[] = [];
  let offset = 0;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = PATTERN.exec(line);
    if (m) {
      const col = m.index + 1;
      const s: Suppression = {
        rules: m[2]!.split(',').map((r) => r.trim()),
        fileWide: m[1] !== undefined,
        line: i + 1,
        span: { file, line: i + 1, col, endLine: i + 1, endCol: line.replace(/\r$/, '').length + 1, offset: offset + m.index, endOffset: offset + line.length },
        used: false,
      };
      if (m[3]) s.reason = m[3];
      out.push(s);
    }
    offset += line.length + 1;
  });
  return out;
}

/** Whether a finding of `rule` at `line` is suppressed; marks the suppression used. */
export function suppressed(list: Suppression[], rule: string, line: number): boolean {
  const hit = list.find((s) => s.rules.includes(rule) && (s.fileWide || s.line === line || s.line === line - 1));
  if (hit) hit.used = true;
  return hit !== undefined;
}
