import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import type { Span } from '../src/diagnostics/span.js';
import { MAX_ALIAS_EXPANSION, parseYaml } from '../src/source/yaml.js';
import { entry, nodeAt, toPlain, type LNode } from '../src/source/tree.js';

const FILE = '/virtual/compose.yml';

/** Parses text that must be valid and clean; returns the root. */
function parse(text: string): LNode {
  const r = parseYaml(text, FILE);
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.root, 'expected a root node');
  return r.root;
}

/** Parses text that must fail; returns its single diagnostic. */
function parseError(text: string): Diagnostic {
  const r = parseYaml(text, FILE);
  assert.equal(r.root, undefined);
  assert.equal(r.diagnostics.length, 1, JSON.stringify(r.diagnostics));
  return r.diagnostics[0]!;
}

const span = (line: number, col: number, endLine: number, endCol: number): Span => ({ file: FILE, line, col, endLine, endCol });
/** A span without its byte offsets, to compare with `span()`. */
const lc = (s: Span): Span => ({ file: s.file, line: s.line, col: s.col, endLine: s.endLine, endCol: s.endCol });

function at(root: LNode, ...path: (string | number)[]): LNode {
  const n = nodeAt(root, path);
  assert.ok(n, `nothing at ${path.join('.')}`);
  return n;
}

/** The key span of `key` in the mapping at `path`. */
function keySpan(root: LNode, path: (string | number)[], key: string): Span {
  const e = entry(at(root, ...path), key);
  assert.ok(e, `no key ${key}`);
  return lc(e.keySpan);
}

const COMPOSE = ['services:', '  web:', '    image: "nginx:1.27"', '    ports:', '      - 8080:80', '      - "443:443"', '    command: [a, b]', ''].join('\n');

describe('parseYaml: positions', () => {
  it('gives keys exact spans, with an exclusive end column', () => {
    const root = parse(COMPOSE);
    assert.deepEqual(keySpan(root, [], 'services'), span(1, 1, 1, 9));
    assert.deepEqual(keySpan(root, ['services'], 'web'), span(2, 3, 2, 6));
    assert.deepEqual(keySpan(root, ['services', 'web'], 'image'), span(3, 5, 3, 10));
    assert.deepEqual(keySpan(root, ['services', 'web'], 'command'), span(7, 5, 7, 12));
  });

  it('gives scalar values exact spans, quotes included', () => {
    const root = parse(COMPOSE);
    assert.deepEqual(lc(at(root, 'services', 'web', 'image').span), span(3, 12, 3, 24));
    assert.deepEqual(lc(at(root, 'services', 'web', 'ports', 0).span), span(5, 9, 5, 16));
    assert.deepEqual(lc(at(root, 'services', 'web', 'ports', 1).span), span(6, 9, 6, 18));
    assert.deepEqual(lc(at(root, 'services', 'web', 'command', 1).span), span(7, 18, 7, 19));
  });

  it('gives flow collections the span of their brackets', () => {
    assert.deepEqual(lc(at(parse(COMPOSE), 'services', 'web', 'command').span), span(7, 14, 7, 20));
  });

  it('keeps scalar types as YAML reads them', () => {
    const root = parse('a: 5\nb: "5"\nc: true\nd: ~\ne: 1.5\nf: 8080:80\n');
    assert.deepEqual(toPlain(root), { a: 5, b: '5', c: true, d: null, e: 1.5, f: '8080:80' });
  });

  it('places an empty value just after its key', () => {
    const root = parse('a:\nb: 1\n');
    const a = at(root, 'a');
    assert.equal(a.kind === 'scalar' ? a.value : 'not a scalar', null);
    assert.deepEqual(lc(a.span), span(1, 3, 1, 3));
    assert.deepEqual(lc(at(root, 'b').span), span(2, 4, 2, 5));
  });

  it('reads a key written without a value ("? a", "{a}") as null placed at the end of the key', () => {
    const explicit = parse('? a\n');
    assert.deepEqual(toPlain(explicit), { a: null });
    assert.deepEqual(lc(at(explicit, 'a').span), span(1, 4, 1, 4));
    const flow = parse('{a, b: 1}\n');
    assert.deepEqual(toPlain(flow), { a: null, b: 1 });
    assert.deepEqual(lc(at(flow, 'a').span), span(1, 3, 1, 3));
  });

  it('counts the same line numbers with CRLF line endings', () => {
    const lf = parse(COMPOSE);
    const crlf = parse(COMPOSE.replaceAll('\n', '\r\n'));
    for (const path of [['services', 'web', 'image'], ['services', 'web', 'ports', 1], ['services', 'web', 'command', 0]]) {
      const a = at(lf, ...path).span;
      const b = at(crlf, ...path).span;
      assert.deepEqual([b.line, b.col, b.endLine, b.endCol], [a.line, a.col, a.endLine, a.endCol], path.join('.'));
    }
    assert.deepEqual(keySpan(crlf, ['services', 'web'], 'command'), span(7, 5, 7, 12));
  });
});

describe('parseYaml: anchors, aliases and merge keys', () => {
  it('expands an alias to a copy of the anchored value', () => {
    const root = parse('base: &b {x: 1, y: [a]}\nuse: *b\n');
    assert.deepEqual(toPlain(root), { base: { x: 1, y: ['a'] }, use: { x: 1, y: ['a'] } });
  });

  it('an expanded alias keeps the position of the anchored text', () => {
    const root = parse('base: &b\n  x: 1\nuse: *b\n');
    assert.deepEqual(lc(at(root, 'use', 'x').span), span(2, 6, 2, 7));
  });

  it('merges <<: *base with explicit keys winning, wherever they are written', () => {
    const root = parse(['base: &base', '  image: a', '  restart: always', 'web:', '  image: b', '  <<: *base', '  user: me', ''].join('\n'));
    assert.deepEqual(toPlain(at(root, 'web')), { restart: 'always', image: 'b', user: 'me' });
    assert.deepEqual(lc(at(root, 'web', 'restart').span), span(3, 12, 3, 18));
    assert.deepEqual(lc(at(root, 'web', 'image').span), span(5, 10, 5, 11));
  });

  it('merges <<: [*a, *b] with the first source winning', () => {
    const root = parse('a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 0\n');
    assert.deepEqual(toPlain(at(root, 'c')), { y: 1, z: 2, x: 0 });
  });

  it('refuses a merge key that refers to a scalar', () => {
    const r = parseYaml('a: &a 5\nc:\n  <<: *a\n', FILE);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.span.line, d.span.col]),
      [['YAML_UNSUPPORTED', 3, 3]],
    );
  });
});

describe('parseYaml: errors', () => {
  it('reports a duplicate key at its second occurrence, naming it', () => {
    const d = parseError('services:\n  web:\n    image: a\n    ports: []\n    image: b\n');
    assert.equal(d.code, 'YAML_DUPLICATE_KEY');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /duplicate key "image"/);
    assert.deepEqual(lc(d.span), span(5, 5, 5, 10));
  });

  it('names a quoted duplicate key', () => {
    const d = parseError('x:\n  "k": 1\n  k: 2\n');
    assert.equal(d.code, 'YAML_DUPLICATE_KEY');
    assert.match(d.message, /duplicate key "k"/);
    assert.equal(d.span.line, 3);
  });

  it('reports a syntax error with a position', () => {
    const d = parseError('services:\n  web: image: nginx\n');
    assert.equal(d.code, 'YAML_SYNTAX');
    assert.deepEqual([d.span.line, d.span.col], [2, 8]);
    assert.ok(d.hint);
  });

  it('reports bad indentation at the offending line', () => {
    const d = parseError('a:\n  b: 1\n c: 2\n');
    assert.equal(d.code, 'YAML_SYNTAX');
    assert.deepEqual([d.span.line, d.span.col], [3, 1]);
  });

  it('refuses a "billion laughs" document, and returns', () => {
    const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const d = parseError(`${lines.join('\n')}\n`);
    assert.equal(d.code, 'YAML_ALIAS_BOMB');
    assert.match(d.message, new RegExp(MAX_ALIAS_EXPANSION.toLocaleString('en')));
    assert.ok(d.span.line >= 1 && d.span.line <= 10);
  });

  it('accepts moderate alias use', () => {
    const root = parse('a: &a [1, 2, 3]\nb: [*a, *a, *a]\n');
    assert.deepEqual(toPlain(at(root, 'b')), [[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
  });

  it('refuses more than one document', () => {
    const d = parseError('a: 1\n---\nb: 2\n');
    assert.equal(d.code, 'YAML_SYNTAX');
    assert.match(d.message, /more than one YAML document/);
    assert.equal(d.span.line, 2);
  });
});

describe('parseYaml: tags and empty documents', () => {
  it('keeps !reset and !override on their nodes', () => {
    const root = parse('a: !reset []\nb: !override {x: 1}\nc: !reset null\n');
    assert.equal(at(root, 'a').tag, '!reset');
    assert.equal(at(root, 'b').tag, '!override');
    assert.equal(at(root, 'c').tag, '!reset');
    assert.deepEqual(toPlain(at(root, 'b')), { x: 1 });
  });

  it('ignores standard tags', () => {
    const root = parse('a: !!str 5\n');
    assert.equal(at(root, 'a').tag, undefined);
    assert.deepEqual(toPlain(root), { a: '5' });
  });

  it('warns about an unknown tag at its value and reads the value untagged', () => {
    const r = parseYaml('a: 1\nb: !foo x\n', FILE);
    assert.ok(r.root);
    assert.equal(at(r.root, 'b').tag, undefined);
    assert.deepEqual(toPlain(r.root), { a: 1, b: 'x' });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, lc(d.span)]),
      [['YAML_UNSUPPORTED', 'warning', span(2, 9, 2, 10)]],
    );
    assert.match(r.diagnostics[0]!.message, /!foo/);
  });

  it('an empty document has no root and no diagnostics', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      assert.deepEqual(parseYaml(text, FILE), { root: undefined, diagnostics: [] }, JSON.stringify(text));
    }
  });
});
