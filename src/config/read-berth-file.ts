import type { ValidateFunction } from 'ajv';
import { error, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { FileSource } from '../source/files.js';
import { toPlain, type LNode } from '../source/tree.js';
import { checkSchema } from './schema-check.js';

export interface BerthFile<T> {
  value: T;
  root: LNode;
}

/** Reads one of berth's own YAML files and checks it against its schema. */
export function readBerthFile<T>(
  file: string,
  source: FileSource,
  validate: ValidateFunction,
  what: string,
  diagnostics: Diagnostic[],
): BerthFile<T> | undefined {
  const parsed = source.yaml(file);
  diagnostics.push(...parsed.diagnostics);
  if (hasErrors(parsed.diagnostics)) return undefined;
  const root = parsed.root;
  if (root === undefined || (root.kind === 'scalar' && root.value === null)) {
    return { value: {} as T, root: { kind: 'map', entries: [], span: { file, line: 1, col: 1, endLine: 1, endCol: 1 } } };
  }
  if (root.kind !== 'map') {
    diagnostics.push(error('SCHEMA', root.span, `${what} must be a mapping of keys to values`));
    return undefined;
  }
  const schemaDiags = checkSchema(validate, root, what);
  diagnostics.push(...schemaDiags);
  const value = toPlain(root) as Record<string, unknown>;
  return { value: (hasErrors(schemaDiags) ? salvage(value, validate) : value) as T, root };
}

/**
 * What is valid of a file with schema errors, so one mistake does not hide everything else (a
 * misspelt key in berth.yml making every root "undefined", a bad host hiding its siblings'
 * problems): each top-level key on its own, and each entry of a top-level mapping (hosts.yml's
 * hosts) on its own. The errors are reported already; what is kept is only what passes.
 */
function salvage(value: Record<string, unknown>, validate: ValidateFunction): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (validate({ [key]: v })) out[key] = v;
    else if (isMapping(v)) {
      const entries = Object.entries(v).filter(([k, e]) => validate({ [key]: { [k]: e } }));
      if (entries.length && validate({ [key]: Object.fromEntries(entries) })) out[key] = Object.fromEntries(entries);
    }
  }
  return validate(out) ? out : {};
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
