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
  // Subtrees without a "$" come back as they are: most of a file is shared, not copied.
  const walk = (node: LNode): LNode => {
    if (node.kind === 'map') {
      let changed = false;
      const entries = node.entries.map((e) => {
        const value = walk(e.value);
        if (value === e.value) return e;
        changed = true;
        return { ...e, value };
      });
      return changed ? ({ ...map(entries, node.span), tag: node.tag } as LNode) : node;
    }
    if (node.kind === 'seq') {
      let changed = false;
      const items = node.items.map((i) => {
        const v = walk(i);
        if (v !== i) changed = true;
        return v;
      });
      return changed ? ({ ...seq(items, node.span), tag: node.tag } as LNode) : node;
    }
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
