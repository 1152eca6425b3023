import type { Span } from '../../diagnostics/span.js';

/*
 * Spans shared by the rule groups (the "_" prefix keeps this file out of the rule catalogue): a span
 * from offsets of a file's text, and where one span lies relative to another.
 */

/** A span for [offset, end) of the file's text (0-based offsets; 1-based lines and columns). */
export function spanOf(where: { text: string; file: string }, offset: number, end: number): Span {
  const pos = (o: number) => {
    const before = where.text.slice(0, o);
    const line = before.split('\n').length;
    return { line, col: o - before.lastIndexOf('\n') };
  };
  const a = pos(offset);
  const b = pos(end);
  return { file: where.file, line: a.line, col: a.col, endLine: b.line, endCol: b.col, offset, endOffset: end };
}

/** Whether `span` lies wholly inside `outer`, in the same file. */
export function within(span: Span, outer: Span): boolean {
  return span.file === outer.file && (span.offset ?? -1) >= (outer.offset ?? 0) && (span.endOffset ?? Infinity) <= (outer.endOffset ?? -1);
}

/** Whether `span` starts inside `outer`, in the same file (its end may run on, as YAML node spans do). */
export function startsIn(span: Span, outer: Span): boolean {
  return span.file === outer.file && (span.offset ?? -1) >= (outer.offset ?? 0) && (span.offset ?? Infinity) < (outer.endOffset ?? -1);
}
