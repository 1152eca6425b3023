import { map, seq, toPlain, type LEntry, type LMap, type LNode } from '../source/tree.js';

/** Sequences that an override replaces rather than extends (compose-spec merge rules). */
const REPLACED = new Set(['command', 'entrypoint', 'test']);

/**
 * Merges two canonical service definitions the way compose does for `extends` and overrides:
 * mappings merge key by key, volumes merge by container path, the command-like lists are replaced,
 * other lists are appended without duplicates. `!reset` removes a value; `!override` replaces it whole.
 */
export function mergeNodes(base: LNode, over: LNode, key = ''): LNode | undefined {
  if (over.tag === '!reset') return undefined;
  if (over.tag === '!override') return { ...over, tag: undefined } as LNode;
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over);
  if (base.kind === 'seq' && over.kind === 'seq' && !REPLACED.has(key)) {
    if (key === 'volumes') return mergeBy(base, over, (n) => (n.kind === 'map' ? String((toPlain(n) as { target?: string }).target) : JSON.stringify(toPlain(n))));
    if (key === 'secrets' || key === 'configs') return mergeBy(base, over, (n) => JSON.stringify(toPlain(n)));
    return mergeBy(base, over, (n) => JSON.stringify(toPlain(n)));
  }
  return over;
}

export function mergeMaps(base: LMap, over: LMap): LMap {
  const entries: LEntry[] = [...base.entries];
  for (const e of over.entries) {
    const i = entries.findIndex((x) => x.key === e.key);
    if (i < 0) {
      if (e.value.tag !== '!reset') entries.push(e.value.tag ? { ...e, value: { ...e.value, tag: undefined } as LNode } : e);
      continue;
    }
    const merged = mergeNodes(entries[i]!.value, e.value, e.key);
    if (merged === undefined) entries.splice(i, 1);
    else entries[i] = { ...e, value: merged };
  }
  return map(entries, over.span);
}

function mergeBy(base: LNode & { kind: 'seq' }, over: LNode & { kind: 'seq' }, id: (n: LNode) => string): LNode {
  const items = [...base.items];
  const ids = items.map(id);
  for (const item of over.items) {
    const k = id(item);
    const i = ids.indexOf(k);
    if (i >= 0) items[i] = item;
    else {
      items.push(item);
      ids.push(k);
    }
  }
  return seq(items, over.span);
}
