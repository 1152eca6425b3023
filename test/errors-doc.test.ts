import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CODES } from '../src/diagnostics/codes.js';
import { ROOT } from './helpers.js';

test('docs/errors.md documents exactly the codes of src/diagnostics/codes.ts', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^### ([A-Z_]+)$/gm)].map((m) => m[1]!).sort();
  assert.deepEqual(documented, Object.keys(CODES).sort());
});

test('every code is used somewhere in src/', async () => {
  const { readdirSync } = await import('node:fs');
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('codes.ts'));
  const text = files.map((f) => readFileSync(join(ROOT, 'src', f), 'utf8')).join('\n');
  const unused = Object.keys(CODES).filter((c) => c !== 'INTERNAL' && !text.includes(`'${c}'`));
  assert.deepEqual(unused, []);
});
