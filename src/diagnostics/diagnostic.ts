import type { Code } from './codes.js';
import type { Span } from './span.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  span: Span;
  hint?: string;
}

export function diag(code: Code, severity: Severity, span: Span, message: string, hint?: string): Diagnostic {
  return hint === undefined ? { code, severity, message, span } : { code, severity, message, span, hint };
}

export const error = (code: Code, span: Span, message: string, hint?: string): Diagnostic =>
  diag(code, 'error', span, message, hint);
export const warning = (code: Code, span: Span, message: string, hint?: string): Diagnostic =>
  diag(code, 'warning', span, message, hint);

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order for output: by file, position, then severity. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.line - b.span.line ||
      a.span.col - b.span.col ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.code.localeCompare(b.code),
  );
}
