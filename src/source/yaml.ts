import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node as YNode } from 'yaml';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import { map, scalar, seq, type LEntry, type LNode, type ScalarValue } from './tree.js';

/**
 * How many nodes aliases may expand to in one document. Real compose files with anchors expand to
 * a few thousand; a "billion laughs" document expands to billions. Counting is linear in the
 * document size (sizes are memoised per node), so the refusal is immediate.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

const MAX_SYNTAX_ERRORS = 10;

/** Tags berth understands: compose's merge controls and YAML's own core tags. */
const KNOWN_TAGS = new Set(['!reset', '!override']);

export interface ParsedYaml {
  /** undefined for an empty document */
  root: LNode | undefined;
  diagnostics: Diagnostic[];
}

type YNodeAny = YNode | null | undefined;

export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseYamlDocument(text, lineCounter);
  // A byte-order mark takes an offset but no column: editors start line 1 after it.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const spanOf = (start: number, end: number): Span => {
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    const col = (p: { line: number; col: number }) => (p.line === 1 ? Math.max(1, p.col - bom) : p.col);
    return { file, line: a.line, col: col(a), endLine: b.line, endCol: col(b), offset: start, endOffset: Math.max(start, end) };
  };
  const diagnostics: Diagnostic[] = [];
  // The yaml library recurses once per nesting level; thousands of levels overflow its stack.
  if (doc.errors.some((e) => e.message.includes('Maximum call stack'))) {
    return { root: undefined, diagnostics: [error('YAML_UNSUPPORTED', { file, line: 1, col: 1, endLine: 1, endCol: 1 }, 'the document is nested too deeply to read', 'no configuration needs more than a few dozen levels')] };
  }
  // One real mistake can make every following line an error: the first few are the useful ones.
  for (const e of doc.errors.slice(0, MAX_SYNTAX_ERRORS)) {
    const span = spanOf(e.pos[0], e.pos[1]);
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^:#\n]*?))\s*:/.exec(text.slice(e.pos[0]));
      const name = key ? (key[1] ?? key[2] ?? key[3] ?? '').trim() : '';
      const keySpan = name ? spanOf(e.pos[0], e.pos[0] + (key?.[0].trimEnd().length ?? 1) - 1) : span;
      diagnostics.push(
        error(
          'YAML_DUPLICATE_KEY',
          keySpan,
          name ? `duplicate key "${name}": it already appears earlier in the same mapping` : 'duplicate key in mapping',
          'YAML keeps only one of the values and tools disagree on which; merge the two entries into one',
        ),
      );
    } else if (e.code === 'MULTIPLE_DOCS') {
      diagnostics.push(error('YAML_SYNTAX', span, 'the file has more than one YAML document', 'keep one document per file: remove the extra `---` line'));
    } else {
      diagnostics.push(error('YAML_SYNTAX', span, firstLine(e.message), syntaxHint(e.code)));
    }
  }
  if (doc.errors.length > MAX_SYNTAX_ERRORS) {
    diagnostics.push(error('YAML_SYNTAX', diagnostics[diagnostics.length - 1]!.span, `…and ${doc.errors.length - MAX_SYNTAX_ERRORS} more YAML errors after these`, 'fix the first ones: the rest often follow from them'));
  }
  if (diagnostics.length > 0) return { root: undefined, diagnostics };

  // Without an anchor there can be no alias: most files skip both walks over the document.
  const hasAnchors = text.includes('&');
  const resolveAlias = hasAnchors ? aliasResolver(doc) : () => undefined;
  const bomb = hasAnchors ? checkAliasExpansion(doc, resolveAlias) : undefined;
  if (bomb !== undefined) {
    const span = spanOf(bomb.range?.[0] ?? 0, bomb.range?.[1] ?? 0);
    return {
      root: undefined,
      diagnostics: [
        error(
          'YAML_ALIAS_BOMB',
          span,
          `YAML aliases in this document expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} nodes`,
          'this looks like a "billion laughs" document; reuse settings with fewer nested aliases',
        ),
      ],
    };
  }

  const convert = (node: YNodeAny, fallback: Span, depth: number): LNode => {
    if (depth > 200) throw new NestingError(fallback);
    if (node == null) return scalar(null, fallback);
    if (isAlias(node)) {
      const target = resolveAlias(node);
      if (!target) {
        const at = spanOf(node.range?.[0] ?? 0, node.range?.[1] ?? 0);
        diagnostics.push(error('YAML_SYNTAX', at, `unknown alias *${node.source}`));
        return scalar(null, at);
      }
      return convert(target, fallback, depth + 1);
    }
    const range = node.range ?? [0, 0, 0];
    const span = spanOf(range[0], range[1]);
    const tag = customTag(node.tag, span);
    if (isScalar(node)) {
      const v = node.value;
      const value: ScalarValue =
        v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
          ? v
          : typeof v === 'bigint'
            ? Number(v)
            : String(v);
      return scalar(value, span, tag ? { tag } : undefined);
    }
    if (isSeq(node)) {
      const out = seq(node.items.map((item) => convert(item as YNodeAny, span, depth + 1)), span);
      if (tag) out.tag = tag;
      return out;
    }
    if (isMap(node)) {
      const own: LEntry[] = [];
      const merged: LEntry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as YNodeAny;
        const keyRange = keyNode && !isAlias(keyNode) ? keyNode.range : undefined;
        const keySpan = keyRange ? spanOf(keyRange[0], keyRange[1]) : span;
        const keyValue = isScalar(keyNode) ? keyNode.value : undefined;
        if (isScalar(keyNode) && typeof keyValue === 'symbol') {
          mergeInto(merged, convert(pair.value as YNodeAny, keySpan, depth + 1), keySpan);
          continue;
        }
        if (keyValue === undefined || typeof keyValue === 'symbol' || (typeof keyValue === 'object' && keyValue !== null)) {
          diagnostics.push(
            error('YAML_UNSUPPORTED', keySpan, 'a mapping key must be a plain value, not a list or mapping', 'write the key as text'),
          );
          continue;
        }
        const valueSpan = pair.value ? undefined : { ...keySpan, line: keySpan.endLine, col: keySpan.endCol };
        own.push({ key: String(keyValue), keySpan, value: convert(pair.value as YNodeAny, valueSpan ?? span, depth + 1) });
      }
      // Explicit keys win over merged ones; among merge sources the first wins (YAML merge-key spec).
      const ownKeys = new Set(own.map((e) => e.key));
      const entries = [...merged.filter((e) => !ownKeys.has(e.key)), ...own];
      const out = map(entries, span);
      if (tag) out.tag = tag;
      return out;
    }
    return scalar(null, span);
  };

  const mergeInto = (target: LEntry[], source: LNode, at: Span): void => {
    const sources = source.kind === 'seq' ? source.items : [source];
    for (const s of sources) {
      if (s.kind !== 'map') {
        diagnostics.push(error('YAML_UNSUPPORTED', at, 'a merge key (<<) must refer to a mapping or a list of mappings'));
        continue;
      }
      for (const e of s.entries) if (!target.some((t) => t.key === e.key)) target.push(e);
    }
  };

  const customTag = (tag: string | undefined, span: Span): string | undefined => {
    if (!tag || tag.startsWith('tag:yaml.org,2002:')) return undefined;
    if (!KNOWN_TAGS.has(tag)) {
      diagnostics.push(
        warning('YAML_UNSUPPORTED', span, `unknown YAML tag ${tag}; the value is read as if it had no tag`, 'compose knows only !reset and !override'),
      );
      return undefined;
    }
    return tag;
  };

  const empty: Span = { file, line: 1, col: 1, endLine: 1, endCol: 1 };
  try {
    const root = doc.contents == null ? undefined : convert(doc.contents as YNode, empty, 0);
    return { root, diagnostics };
  } catch (e) {
    if (e instanceof NestingError) {
      return { root: undefined, diagnostics: [error('YAML_UNSUPPORTED', e.span, 'the document is nested more than 200 levels deep')] };
    }
    throw e;
  }
}

/**
 * Resolves aliases through one index of the document's anchors. yaml's own Alias.resolve walks the
 * whole document for every alias, which made anchor-heavy files (sentry's, 57 services) take 250 ms.
 * An anchor may be redefined; an alias refers to the last definition before it.
 */
function aliasResolver(doc: Document): (a: Alias) => YNodeAny {
  const anchors = new Map<string, { start: number; node: YNode }[]>();
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor && !isAlias(node)) {
      const list = anchors.get(anchor) ?? [];
      list.push({ start: (node as YNode).range?.[0] ?? 0, node: node as YNode });
      anchors.set(anchor, list);
    }
  });
  return (alias) => {
    const start = alias.range?.[0] ?? 0;
    let found: YNode | undefined;
    for (const a of anchors.get(alias.source) ?? []) if (a.start < start) found = a.node;
    return found;
  };
}

function parseYamlDocument(text: string, lineCounter: LineCounter): Document {
  return parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true, keepSourceTokens: false, strict: true });
}

class NestingError extends Error {
  constructor(readonly span: Span) {
    super('nesting');
  }
}

/** Returns the alias node where expansion passes the limit, or undefined when the document is safe. */
function checkAliasExpansion(doc: Document, resolveAlias: (a: Alias) => YNodeAny): YNode | undefined {
  const sizes = new Map<unknown, number>();
  const visiting = new Set<unknown>();
  let aliasTotal = 0;
  let culprit: YNode | undefined;
  const size = (node: YNodeAny): number => {
    if (node == null || culprit) return 1;
    const memo = sizes.get(node);
    if (memo !== undefined) return memo;
    if (visiting.has(node)) return Number.POSITIVE_INFINITY; // recursive alias
    visiting.add(node);
    let n = 1;
    if (isAlias(node)) {
      const target = resolveAlias(node);
      n = size(target);
      aliasTotal += n;
      if (aliasTotal > MAX_ALIAS_EXPANSION && !culprit) culprit = node;
    } else if (isSeq(node)) {
      for (const item of node.items) n += size(item as YNodeAny);
    } else if (isMap(node)) {
      for (const pair of node.items) n += size(pair.key as YNodeAny) + size(pair.value as YNodeAny);
    }
    visiting.delete(node);
    // Aliases are not memoised: each use of an alias counts again, which is exactly the expansion.
    if (!isAlias(node)) sizes.set(node, n);
    return n;
  };
  size(doc.contents as YNodeAny);
  return culprit;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function syntaxHint(code: string): string {
  switch (code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation of this line against the lines above it; YAML uses spaces, never tabs';
    case 'TAB_AS_INDENT':
      return 'replace the tab with spaces';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a key is missing its colon, or the line above is indented wrongly';
    default:
      return 'fix the YAML syntax at this position; quoting a value with special characters often helps';
  }
}
