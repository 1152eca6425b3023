import { relative } from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import { sortDiagnostics } from './diagnostic.js';
import type { Style } from '../util/style.js';

export type SourceText = (file: string) => string | undefined;

/**
 * Renders diagnostics for people: severity and code, file:line:col, the message, the source line
 * with a caret under the offending text, and the hint.
 */
export function formatDiagnostics(diags: readonly Diagnostic[], sourceText: SourceText, style: Style, cwd = process.cwd()): string {
  return sortDiagnostics(diags)
    .map((d) => formatOne(d, sourceText, style, cwd))
    .join('\n');
}

function formatOne(d: Diagnostic, sourceText: SourceText, style: Style, cwd: string): string {
  const sev = d.severity === 'error' ? style.red('error') : d.severity === 'warning' ? style.yellow('warning') : style.cyan('info');
  const file = relative(cwd, d.span.file) || d.span.file;
  const lines = [`${style.bold(`${file}:${d.span.line}:${d.span.col}`)}: ${sev} ${d.message} ${style.dim(`[${d.code}]`)}`];
  const text = sourceText(d.span.file);
  const src = text?.split(/\r?\n/)[d.span.line - 1];
  if (src !== undefined && src.length <= 300) {
    const gutter = String(d.span.line).length;
    const width = d.span.endLine === d.span.line ? Math.max(1, d.span.endCol - d.span.col) : Math.max(1, src.length - d.span.col + 1);
    const lead = src.slice(0, d.span.col - 1).replace(/[^\t]/g, ' ');
    lines.push(`  ${style.dim(`${d.span.line} |`)} ${src}`);
    lines.push(`  ${' '.repeat(gutter)} ${style.dim('|')} ${lead}${style.red('^'.repeat(Math.min(width, Math.max(1, src.length - d.span.col + 1))))}`);
  }
  if (d.hint) lines.push(`  ${style.cyan('hint:')} ${d.hint}`);
  return lines.join('\n');
}

export function summary(diags: readonly Diagnostic[]): string {
  const count = (s: Diagnostic['severity']) => diags.filter((d) => d.severity === s).length;
  const e = count('error');
  const w = count('warning');
  return `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}`;
}

/** The JSON form: stable keys, paths relative to cwd. */
export function diagnosticsJson(diags: readonly Diagnostic[], cwd = process.cwd()): object[] {
  return sortDiagnostics(diags).map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: relative(cwd, d.span.file) || d.span.file,
    line: d.span.line,
    column: d.span.col,
    endLine: d.span.endLine,
    endColumn: d.span.endCol,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}
