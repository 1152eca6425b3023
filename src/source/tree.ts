import type { Span } from '../diagnostics/span.js';

/**
 * A YAML value with its source position, after anchors, aliases and merge keys are resolved.
 * Every stage from parsing to the model works on this tree, so every later diagnostic can point
 * at the exact place in the file a value came from, even when it arrived through an alias,
 * a merge key, `extends` or `include`.
 */
export type LNode = LScalar | LMap | LSeq;

export type ScalarValue = string | number | boolean | null;

interface LBase {
  span: Span;
  /** A non-standard YAML tag such as compose's `!reset` or `!override`. */
  tag?: string;
}

export interface LScalar extends LBase {
  kind: 'scalar';
  value: ScalarValue;
  /** Variables this value depends on that had no value where it was interpolated ("cannot tell"). */
  unresolved?: string[];
}

export interface LEntry {
  key: string;
  keySpan: Span;
  value: LNode;
}

export interface LMap extends LBase {
  kind: 'map';
  entries: LEntry[];
}

export interface LSeq extends LBase {
  kind: 'seq';
  items: LNode[];
}

export const scalar = (value: ScalarValue, span: Span, extra?: Partial<LScalar>): LScalar => ({
  kind: 'scalar',
  value,
  span,
  ...extra,
});
export const map = (entries: LEntry[], span: Span): LMap => ({ kind: 'map', entries, span });
export const seq = (items: LNode[], span: Span): LSeq => ({ kind: 'seq', items, span });

export function entry(node: LNode | undefined, key: string): LEntry | undefined {
  if (node?.kind !== 'map') return undefined;
  return node.entries.find((e) => e.key === key);
}

export function get(node: LNode | undefined, key: string): LNode | undefined {
  return entry(node, key)?.value;
}

export function isMap(node: LNode | undefined): node is LMap {
  return node?.kind === 'map';
}
export function isSeq(node: LNode | undefined): node is LSeq {
  return node?.kind === 'seq';
}
export function isScalar(node: LNode | undefined): node is LScalar {
  return node?.kind === 'scalar';
}

/** The string form of a scalar as compose reads it (numbers and booleans as written). */
export function scalarText(node: LScalar): string {
  return node.value === null ? '' : String(node.value);
}

/** Plain JavaScript value of the tree, for schema validation and for consumers that need no positions. */
export function toPlain(node: LNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) out[e.key] = toPlain(e.value);
      return out;
    }
  }
}

/** The node at a JSON-pointer-like path, if there is one. */
export function nodeAt(root: LNode, path: readonly (string | number)[]): LNode | undefined {
  let node: LNode | undefined = root;
  for (const seg of path) {
    if (node?.kind === 'map') node = get(node, String(seg));
    else if (node?.kind === 'seq') node = node.items[Number(seg)];
    else return undefined;
  }
  return node;
}

/** The span of the value at a JSON-pointer-like path; falls back to the nearest existing ancestor. */
export function spanAt(root: LNode, path: readonly (string | number)[]): Span {
  let node: LNode = root;
  let span = root.span;
  for (const seg of path) {
    let next: LNode | undefined;
    if (node.kind === 'map') {
      const e = node.entries.find((x) => x.key === String(seg));
      next = e?.value;
    } else if (node.kind === 'seq') {
      next = node.items[Number(seg)];
    }
    if (!next) break;
    node = next;
    span = next.span;
  }
  return span;
}

/** The span of the key at a path (for "unknown key" diagnostics), or of the value when there is none. */
export function keySpanAt(root: LNode, path: readonly (string | number)[], key: string): Span {
  let node: LNode = root;
  for (const seg of path) {
    const next: LNode | undefined =
      node.kind === 'map' ? get(node, String(seg)) : node.kind === 'seq' ? node.items[Number(seg)] : undefined;
    if (!next) return node.span;
    node = next;
  }
  return entry(node, key)?.keySpan ?? node.span;
}
