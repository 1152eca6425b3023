import { Lexer } from 'yaml';
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

/**
 * Suppressions in the file's real comments only: `# berth-ignore` inside a quoted value or a block
 * scalar is text, not a comment. `comments` holds the offsets where comments start.
 */
export function findSuppressions(text: string, file: string, comments: ReadonlySet<number>): Suppression[] {
  const out: Suppression[] = [];
  let offset = 0;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = PATTERN.exec(line);
    if (m && comments.has(offset + m.index)) {
      const col = m.index + 1;
      const s: Suppression = {
        rules: m[2]!.split(',').map((r) => r.trim()),
        fileWide: m[1] !== undefined,
        line: i + 1,
        span: { file, line: i + 1, col, endLine: i + 1, endCol: line.replace(/\r$/, '').length + 1, offset: offset + m.index, endOffset: offset + line.replace(/\r$/, '').length },
        used: false,
      };
      if (m[3]) s.reason = m[3];
      out.push(s);
    }
    offset += line.length + 1;
  });
  return out;
}

/** Where YAML comments start, from yaml's own lexer (control tokens take no room in the source). */
export function yamlComments(text: string): Set<number> {
  const out = new Set<number>();
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1 && token.charCodeAt(0) < 0x20 && !'\n\r\t'.includes(token)) continue;
    if (token.startsWith('#')) out.add(offset);
    offset += token.length;
  }
  return out;
}

/**
 * Whether a finding of `rule` is suppressed by a comment on one of `lines` (the finding's line and,
 * for a finding inside a multi-line instruction, the instruction's first line) or the line above;
 * marks the suppression used.
 */
export function suppressed(list: Suppression[], rule: string, lines: number[]): boolean {
  const hit = list.find((s) => s.rules.includes(rule) && (s.fileWide || lines.some((line) => s.line === line || s.line === line - 1)));
  if (hit) hit.used = true;
  return hit !== undefined;
}
