import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Span } from '../diagnostics/span.js';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import { keySpanAt, nodeAt, spanAt, toPlain, type LNode } from '../source/tree.js';
import { didYouMean } from '../util/suggest.js';

/**
 * Validates a positioned tree with a compiled JSON Schema and turns Ajv's errors into diagnostics
 * at the offending key or value. Ajv reports every failed branch of a oneOf; people need the one
 * most specific complaint per place, so errors are reduced to the deepest path, merged per place.
 */
export function checkSchema(validate: ValidateFunction, root: LNode, what: string): Diagnostic[] {
  if (validate(toPlain(root))) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const paths = errors.map((e) => pointer(e.instancePath));
  const isPrefix = (a: string[], b: string[]) => a.length < b.length && a.every((s, i) => s === b[i]);
  const kept = errors.filter(
    (e, i) => e.keyword === 'additionalProperties' || !paths.some((p) => isPrefix(paths[i]!, p)),
  );

  const byPlace = new Map<string, ErrorObject[]>();
  for (const e of kept) {
    const place = e.keyword === 'additionalProperties' ? `${e.instancePath}#${String(e.params.additionalProperty)}` : e.instancePath;
    byPlace.set(place, [...(byPlace.get(place) ?? []), e]);
  }
  const out: Diagnostic[] = [];
  for (const group of byPlace.values()) {
    const first = group[0]!;
    const path = pointer(first.instancePath);
    const where = describePath(path, what);
    if (first.keyword === 'additionalProperties') {
      const key = String(first.params.additionalProperty);
      const known = Object.keys((first.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      out.push(
        error(
          'UNKNOWN_KEY',
          keySpanAt(root, path, key),
          `unknown key "${key}" in ${where}`,
          didYouMean(key, known) ?? (known.length ? `known keys: ${known.join(', ')}` : undefined),
        ),
      );
      continue;
    }
    const node = nodeAt(root, path);
    if (node?.kind === 'scalar' && node.unresolved?.length) {
      out.push(unresolvedWarning(node.span, node.unresolved, `${where} ${describe(group)}`));
      continue;
    }
    out.push(error('SCHEMA', spanAt(root, path), `${where} ${describe(group)}`, hintFor(group)));
  }
  return out;
}

function pointer(instancePath: string): string[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describePath(path: string[], what: string): string {
  return path.length === 0 ? what : `"${path.join('.')}"`;
}

function describe(group: ErrorObject[]): string {
  const types = new Set<string>();
  const enums = new Set<string>();
  const other: string[] = [];
  for (const e of group) {
    if (e.keyword === 'type') {
      const t = e.params.type as string | string[];
      for (const x of Array.isArray(t) ? t : [t]) types.add(x);
    } else if (e.keyword === 'enum') {
      for (const v of e.params.allowedValues as unknown[]) enums.add(JSON.stringify(v));
    } else if (e.keyword === 'required') {
      other.push(`is missing the required key "${String(e.params.missingProperty)}"`);
    } else if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') {
      other.push(e.message ?? 'is not valid');
    }
  }
  if (enums.size) return `must be one of ${[...enums].join(', ')}`;
  if (types.size) return `must be ${[...types].map(article).join(' or ')}`;
  if (other.length) return [...new Set(other)].join('; ');
  return 'does not match any of the forms the schema allows';
}

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'a whole number';
    case 'null':
      return 'empty';
    default:
      return `a ${type}`;
  }
}

function hintFor(group: ErrorObject[]): string | undefined {
  const desc = (group[0]?.parentSchema as { description?: string } | undefined)?.description;
  return desc ? `expected: ${desc}` : undefined;
}

/** A value that only fails because a variable is unset here: "cannot tell", not a finding. */
export function unresolvedWarning(span: Span, vars: string[], problem: string): Diagnostic {
  return warning(
    'VAR_UNSET',
    span,
    `cannot check this value: it depends on ${vars.map((v) => `\${${v}}`).join(', ')}, which ${vars.length > 1 ? 'are' : 'is'} not set here (with ${vars.length > 1 ? 'them' : 'it'} empty: ${problem})`,
    `set ${vars.join(', ')} (in .env or the environment) to check it`,
  );
}
