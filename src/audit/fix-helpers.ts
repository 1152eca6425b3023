import type { Span } from '../diagnostics/span.js';
import type { LMap, LSeq } from '../source/tree.js';
import type { Fix, TextEdit } from './rule.js';

/**
 * Building blocks for fixes: minimal edits against the original text, so every byte outside the
 * edited range (comments included) stays as it was.
 */
export function replaceSpan(span: Span, text: string): TextEdit {
  return { offset: span.offset ?? 0, end: span.endOffset ?? span.offset ?? 0, text };
}

export function insertAt(offset: number, text: string): TextEdit {
  return { offset, end: offset, text };
}

export function fix(title: string, ...edits: TextEdit[]): Fix {
  return { title, edits };
}

/** The range of a scalar's content inside its quotes, and the quote character ('' for plain). */
export function scalarContent(text: string, span: Span): { offset: number; end: number; quote: string } {
  const start = span.offset ?? 0;
  const end = span.endOffset ?? start;
  const q = text[start];
  if ((q === '"' || q === "'") && text[end - 1] === q && end - start >= 2) return { offset: start + 1, end: end - 1, quote: q };
  return { offset: start, end, quote: '' };
}

/** Start offset of the line containing `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** End offset of the line containing `offset`, including its line break. */
export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Removes the whole lines a span covers (a key and its value, say), line breaks included. */
export function removeLines(text: string, span: Span): TextEdit {
  return { offset: lineStart(text, span.offset ?? 0), end: lineEnd(text, Math.max((span.endOffset ?? 1) - 1, span.offset ?? 0)), text: '' };
}

/** The indentation of the line containing `offset`. */
export function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/**
 * Adds `key: value` lines (given without indentation, possibly several lines) at the end of a block
 * mapping, indented like its keys. undefined for flow mappings (`{a: 1}`), which the fix leaves alone.
 */
export function addToMapping(text: string, node: LMap, yaml: string): TextEdit | undefined {
  const last = node.entries[node.entries.length - 1];
  if (!last) return undefined;
  const keyOffset = last.keySpan.offset ?? 0;
  if (text[node.span.offset ?? 0] === '{') return undefined;
  const indent = indentAt(text, keyOffset);
  if (text.slice(lineStart(text, keyOffset), keyOffset).trim() !== '') return undefined; // key not at line start
  const after = lastLineEnd(text, last.value.span.endOffset ?? keyOffset);
  const lines = yaml.replace(/\n$/, '').split('\n').map((l) => indent + l).join('\n') + '\n';
  return insertAt(after, (text[after - 1] === '\n' || after === 0 ? '' : '\n') + lines);
}

/** Appends an item to a block sequence, indented like its items; undefined for flow sequences. */
export function addToSequence(text: string, node: LSeq, item: string): TextEdit | undefined {
  const last = node.items[node.items.length - 1];
  if (!last || text[node.span.offset ?? 0] === '[') return undefined;
  const dash = text.lastIndexOf('-', last.span.offset ?? 0);
  const indent = indentAt(text, dash);
  const after = lastLineEnd(text, last.span.endOffset ?? dash);
  return insertAt(after, `${text[after - 1] === '\n' ? '' : '\n'}${indent}- ${item}\n`);
}

/** Where a new line goes after a value: after the line it ends on (past any trailing comment). */
function lastLineEnd(text: string, offset: number): number {
  return offset > 0 && text[offset - 1] === '\n' ? offset : lineEnd(text, offset);
}

/** Applies edits to a text: sorted, overlapping ones after the first dropped. Returns the text and the edits used. */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: TextEdit[] } {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.end - b.end);
  const applied: TextEdit[] = [];
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.offset < pos) continue;
    out += text.slice(pos, e.offset) + e.text;
    pos = e.end;
    applied.push(e);
  }
  return { text: out + text.slice(pos), applied };
}
