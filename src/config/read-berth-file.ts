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
  if (hasErrors(schemaDiags)) return undefined;
  return { value: toPlain(root) as T, root };
}
