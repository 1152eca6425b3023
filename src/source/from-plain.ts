import type { Span } from '../diagnostics/span.js';
import { map, scalar, seq, type LNode, type ScalarValue } from './tree.js';

/** Builds a positioned tree for a value berth derived from source text, placing all of it at `span`. */
export function fromPlain(value: unknown, span: Span): LNode {
  if (Array.isArray(value)) return seq(value.map((v) => fromPlain(v, span)), span);
  if (value !== null && typeof value === 'object') {
    return map(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([key, v]) => ({ key, keySpan: span, value: fromPlain(v, span) })),
      span,
    );
  }
  return scalar((value ?? null) as ScalarValue, span);
}
