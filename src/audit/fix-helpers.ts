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

/** A fix made of edits; undefined when any edit could not be made safely (the finding then has no fix). */
export function fix(title: string, ...edits: (TextEdit | undefined)[]): Fix | undefined {
  if (edits.some((e) => e === undefined)) return undefined;
  return { title, edits: edits as TextEdit[] };
}

/** The file's line break: new lines that fixes add follow it, so CRLF files stay CRLF. */
export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
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

/**
 * Removes the whole lines a span covers (a key and its value, say), line breaks included; undefined
 * unless the span is all those lines hold but indentation, a list dash and a trailing comment. In
 * flow style (`{version: "3", services: {...}}`) the lines hold much more, and removing them would
 * take the rest of the file with them.
 */
export function removeLines(text: string, span: Span): TextEdit | undefined {
  const start = span.offset ?? 0;
  const end = Math.max(span.endOffset ?? start, start);
  const from = lineStart(text, start);
  const to = lineEnd(text, Math.max(end - 1, start));
  if (text.slice(from, start).replace(/^\s*(- )?/, '') !== '') return undefined;
  const after = text.slice(end, to).replace(/\r?\n$/, '');
  if (after.trim() !== '' && !/^\s+#/.test(after)) return undefined;
  return { offset: from, end: to, text: '' };
}

/** The indentation of the line containing `offset`. */
export function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/**
 * Adds `key: value` lines (given without indentation, possibly several lines) at the end of a block
 * mapping, indented like its keys. undefined for flow mappings (`{a: 1}`) and keys not at the start of
 * a line, which the fix leaves alone.
 */
export function addToMapping(text: string, node: LMap, yaml: string): TextEdit | undefined {
  const last = node.entries[node.entries.length - 1];
  if (!last || text[node.span.offset ?? 0] === '{') return undefined;
  const keyOffset = last.keySpan.offset ?? 0;
  if (last.keySpan.file !== node.span.file || text.slice(lineStart(text, keyOffset), keyOffset).trim() !== '') return undefined;
  const indent = indentAt(text, keyOffset);
  const at = endOfBlock(text, keyOffset);
  const nl = eol(text);
  const lines = yaml.replace(/\n$/, '').split('\n').map((l) => indent + l).join(nl) + nl;
  return insertAt(at, (at > 0 && text[at - 1] !== '\n' ? nl : '') + lines);
}

/** Appends an item to a block sequence, indented like its items; undefined for flow sequences. */
export function addToSequence(text: string, node: LSeq, item: string): TextEdit | undefined {
  const last = node.items[node.items.length - 1];
  if (!last || text[node.span.offset ?? 0] === '[') return undefined;
  const dash = text.lastIndexOf('-', last.span.offset ?? 0);
  if (dash < 0 || text.slice(lineStart(text, dash), dash).trim() !== '') return undefined;
  const at = endOfBlock(text, dash);
  const nl = eol(text);
  return insertAt(at, `${at > 0 && text[at - 1] !== '\n' ? nl : ''}${indentAt(text, dash)}- ${item}${nl}`);
}

/**
 * Where the block that starts on the line of `offset` ends: after the last following line indented
 * deeper than that line (a sequence written at the key's own indentation counts too). Blank and
 * comment lines after it are left where they are: they often belong to what follows. YAML node
 * ranges are no help here: they run on over trailing comments, and an empty value's range reaches
 * the next key.
 */
export function endOfBlock(text: string, offset: number): number {
  const indent = indentAt(text, offset).length;
  const keyLine = text.slice(lineStart(text, offset), lineEnd(text, offset));
  const isKey = !keyLine.trimStart().startsWith('- ');
  let pos = lineEnd(text, offset);
  let end = pos;
  while (pos < text.length) {
    const next = lineEnd(text, pos);
    const line = text.slice(pos, next).replace(/\r?\n$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = next;
      continue;
    }
    const ind = line.length - line.trimStart().length;
    if (ind > indent || (isKey && ind === indent && trimmed.startsWith('- '))) {
      pos = next;
      end = next;
      continue;
    }
    break;
  }
  return end;
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
