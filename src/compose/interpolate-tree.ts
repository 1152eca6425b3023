import { diag, error, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import { map, seq, type LNode } from '../source/tree.js';
import { interpolate, type Lookup } from './interpolate.js';

export interface TreeInterpolation {
  node: LNode;
  diagnostics: Diagnostic[];
  /** Every variable read, with the first place it was read. */
  used: Map<string, Span>;
  /** Variables that had no value and no default, with the first place each was read. */
  unresolved: Map<string, Span>;
}

/** Interpolates every string value (never a key) of a tree; unset variables are recorded on the scalar. */
export function interpolateTree(root: LNode, lookup: Lookup, strict: boolean): TreeInterpolation {
  const diagnostics: Diagnostic[] = [];
  const used = new Map<string, Span>();
  const unresolved = new Map<string, Span>();
  const walk = (node: LNode): LNode => {
    if (node.kind === 'map') return { ...map(node.entries.map((e) => ({ ...e, value: walk(e.value) })), node.span), tag: node.tag } as LNode;
    if (node.kind === 'seq') return { ...seq(node.items.map(walk), node.span), tag: node.tag } as LNode;
    if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
    const r = interpolate(node.value, lookup);
    if (r.syntax) {
      diagnostics.push(
        error('VAR_SYNTAX', node.span, `invalid interpolation in "${node.value}": ${r.syntax.message}`, 'write a literal "$" as "$$"; variables are $NAME or ${NAME}, with ${NAME:-default} for a default'),
      );
      return node;
    }
    for (const name of r.used) if (!used.has(name)) used.set(name, node.span);
    for (const req of r.required) {
      diagnostics.push(
        diag('VAR_REQUIRED', strict ? 'error' : 'warning', node.span, `required variable ${req.name} is not set${req.message ? `: ${req.message}` : ''}`, `define ${req.name} in berth.yml roots, the host's roots, or the stack's .env file`),
      );
    }
    for (const name of r.unresolved) if (!unresolved.has(name)) unresolved.set(name, node.span);
    return r.unresolved.length ? { ...node, value: r.value, unresolved: r.unresolved } : { ...node, value: r.value };
  };
  return { node: walk(root), diagnostics, used, unresolved };
}
