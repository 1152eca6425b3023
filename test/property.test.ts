import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadCompose } from '../src/compose/load.js';
import { loadRepo } from '../src/config/load-repo.js';
import { CODES } from '../src/diagnostics/codes.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { FileSource } from '../src/source/files.js';
import { parseYaml } from '../src/source/yaml.js';
import { toPlain } from '../src/source/tree.js';
import { removeTree, ROOT, tempTree } from './helpers.js';

/**
 * Users write these files by hand, so the loader must survive anything: random edits of valid
 * repositories and compose files may only ever produce diagnostics, each with a real position.
 */
const EXAMPLE = join(ROOT, 'examples', 'homelab');
const YAML_CHARS = [':', '-', ' ', '\n', '[', ']', '{', '}', '&', '*', '!', '|', '>', '#', "'", '"', '$', '\t', '<<', 'a', '0', ',', '?', '%', '@', '`'];

type Edit = { kind: 'insert' | 'delete' | 'replace' | 'dupLine' | 'dropLine' | 'indent'; at: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'dupLine', 'dropLine', 'indent'),
  at: fc.nat(),
  text: fc.oneof(fc.constantFrom(...YAML_CHARS), fc.string({ maxLength: 6 })),
});

function applyEdit(src: string, e: Edit): string {
  const pos = src.length ? e.at % src.length : 0;
  const lines = src.split('\n');
  const li = lines.length ? e.at % lines.length : 0;
  switch (e.kind) {
    case 'insert':
      return src.slice(0, pos) + e.text + src.slice(pos);
    case 'delete':
      return src.slice(0, pos) + src.slice(pos + 1 + (e.text.length % 4));
    case 'replace':
      return src.slice(0, pos) + e.text + src.slice(pos + e.text.length);
    case 'dupLine':
      lines.splice(li, 0, lines[li] ?? '');
      return lines.join('\n');
    case 'dropLine':
      lines.splice(li, 1);
      return lines.join('\n');
    case 'indent':
      lines[li] = (e.text.length % 2 ? '  ' : '') + (lines[li] ?? '').replace(/^ {0,2}/, '');
      return lines.join('\n');
  }
}

/** Replaces the value at a random path of a parsed document with an arbitrary value. */
function structuralMutation(text: string, picks: number[], value: unknown): string {
  const root = parseYaml(text, 'x.yml').root;
  const plain = root ? toPlain(root) : {};
  let node = plain as Record<string, unknown>;
  for (const p of picks) {
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (!keys.length) break;
    const key = keys[p % keys.length]!;
    const child = node[key];
    if (child === null || typeof child !== 'object' || p % 3 === 0) {
      node[key] = value;
      break;
    }
    node = child as Record<string, unknown>;
  }
  return stringify(plain);
}

function assertPositioned(diags: Diagnostic[], files: Map<string, string>): void {
  for (const d of diags) {
    assert.ok(d.code in CODES, `unknown code ${d.code}`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.ok(d.message.length > 0);
    assert.ok(d.span.file.length > 0, `no file: ${JSON.stringify(d)}`);
    assert.ok(Number.isInteger(d.span.line) && d.span.line >= 1, `bad line: ${JSON.stringify(d)}`);
    assert.ok(Number.isInteger(d.span.col) && d.span.col >= 1, `bad column: ${JSON.stringify(d)}`);
    const text = files.get(d.span.file);
    if (text !== undefined) assert.ok(d.span.line <= text.split('\n').length + 1, `line past the end: ${JSON.stringify(d)}`);
  }
}

const stackFiles = readdirSync(join(EXAMPLE, 'stacks'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yml'))
  .map((f) => `stacks/${f}`);
const repoFiles = ['berth.yml', 'hosts.yml', ...stackFiles];

describe('the loader only ever returns positioned diagnostics', () => {
  const dir = tempTree({});
  cpSync(EXAMPLE, dir, { recursive: true });
  const originals = new Map(repoFiles.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  const restore = () => originals.forEach((text, f) => writeFileSync(join(dir, f), text));
  after(() => removeTree(dir));

  const check = (file: string, text: string) => {
    restore();
    writeFileSync(join(dir, file), text);
    const source = new FileSource();
    const r = loadRepo(dir, source);
    assertPositioned(r.diagnostics, source.texts);
  };

  test('random text edits of a valid repository', () => {
    fc.assert(
      fc.property(fc.constantFrom(...repoFiles), fc.array(edit, { minLength: 1, maxLength: 4 }), (file, edits) => {
        check(file, edits.reduce(applyEdit, originals.get(file)!));
      }),
      { numRuns: 400 },
    );
  });

  test('random values at random places of a valid repository', () => {
    fc.assert(
      fc.property(fc.constantFrom(...repoFiles), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.anything({ maxDepth: 3 }), (file, picks, value) => {
        check(file, structuralMutation(originals.get(file)!, picks, value));
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary text as a compose file', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...YAML_CHARS, 'services', 'image', 'x'), maxLength: 60 }), (text) => {
        const file = join(dir, 'arbitrary.yml');
        writeFileSync(file, text);
        const source = new FileSource();
        const r = loadCompose(file, source, { onUnset: () => undefined });
        assertPositioned(r.diagnostics, source.texts);
      }),
      { numRuns: 400 },
    );
  });
});
