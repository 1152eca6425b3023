import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editsByFile } from '../src/audit/apply-fixes.js';
import { addToMapping, addToSequence, applyEdits, endOfBlock, removeLines, scalarContent } from '../src/audit/fix-helpers.js';
import type { Finding, TextEdit } from '../src/audit/rule.js';
import type { Span } from '../src/diagnostics/span.js';
import { get, type LMap, type LSeq } from '../src/source/tree.js';
import { parseYaml } from '../src/source/yaml.js';

const root = (text: string) => parseYaml(text, 'f.yml').root as LMap;
const svc = (text: string, name: string) => get(get(root(text), 'services'), name) as LMap;
const apply = (text: string, ...edits: (TextEdit | undefined)[]) => applyEdits(text, edits.map((e) => e!)).text;

describe('fix helpers', () => {
  test('addToMapping goes after the last value, before comments that belong to the next key', () => {
    const text = 'services:\n  web:\n    image: x\n    networks:\n      front:\n    # about db\n  db:\n    image: y\n';
    assert.equal(apply(text, addToMapping(text, svc(text, 'web'), 'init: true')), 'services:\n  web:\n    image: x\n    networks:\n      front:\n    init: true\n    # about db\n  db:\n    image: y\n');
  });

  test('addToMapping keeps CRLF line endings, and refuses flow mappings', () => {
    const crlf = 'services:\r\n  web:\r\n    image: x\r\n';
    assert.equal(apply(crlf, addToMapping(crlf, svc(crlf, 'web'), 'init: true')), 'services:\r\n  web:\r\n    image: x\r\n    init: true\r\n');
    const flow = 'services:\n  web: {image: x}\n';
    assert.equal(addToMapping(flow, svc(flow, 'web'), 'init: true'), undefined);
  });

  test('addToSequence follows the items, including a sequence written at its key\'s indentation', () => {
    const text = 'services:\n  web:\n    labels:\n    - a=b\n    # last\n';
    const labels = get(svc(text, 'web'), 'labels') as LSeq;
    assert.equal(apply(text, addToSequence(text, labels, 'c=d')), 'services:\n  web:\n    labels:\n    - a=b\n    - c=d\n    # last\n');
    const flow = 'x: [a, b]\n';
    assert.equal(addToSequence(flow, get(root(flow), 'x') as LSeq, 'c'), undefined);
  });

  test('endOfBlock spans a nested block and stops at the next sibling', () => {
    const text = 'a:\n  b: 1\n\n  c: 2\nd: 3\n';
    assert.equal(text.slice(0, endOfBlock(text, 0)), 'a:\n  b: 1\n\n  c: 2\n');
  });

  test('removeLines removes whole lines only when the span is all they hold', () => {
    const text = 'a: 1\nversion: "3" # old\nb: 2\n';
    const e = root(text).entries[1]!;
    const span: Span = { ...e.keySpan, endOffset: e.value.span.endOffset };
    assert.equal(apply(text, removeLines(text, span)), 'a: 1\nb: 2\n');
    const flow = '{version: "3", services: {}}\n';
    const f = root(flow).entries[0]!;
    assert.equal(removeLines(flow, { ...f.keySpan, endOffset: f.value.span.endOffset }), undefined);
  });

  test('scalarContent is the inside of quotes', () => {
    const text = 'p: "8080:80"\n';
    const v = root(text).entries[0]!.value.span;
    const c = scalarContent(text, v);
    assert.deepEqual([text.slice(c.offset, c.end), c.quote], ['8080:80', '"']);
  });
});

describe('applying fixes', () => {
  const finding = (edits: TextEdit[], fixable: 'safe' | 'unsafe' = 'safe'): Finding => ({
    rule: 'r',
    category: 'security',
    severity: 'low',
    style: false,
    message: 'm',
    span: { file: 'f', line: 1, col: 1, endLine: 1, endCol: 1 },
    fixable,
    fix: { title: 't', edits },
  });

  test('a fix is taken whole; one that overlaps or inserts at the same place waits for the next pass', () => {
    const a = finding([{ offset: 0, end: 0, text: 'A' }, { offset: 10, end: 12, text: '' }]);
    const b = finding([{ offset: 0, end: 0, text: 'B' }]);
    const c = finding([{ offset: 11, end: 11, text: 'C' }]);
    const d = finding([{ offset: 20, end: 22, text: 'D' }]);
    assert.deepEqual(editsByFile([a, b, c, d], 'safe').get('f'), [...a.fix!.edits, ...d.fix!.edits]);
  });

  test('identical fixes (one anchor, many services) count once; unsafe fixes need unsafe mode', () => {
    const e = [{ offset: 3, end: 4, text: 'x' }];
    assert.deepEqual(editsByFile([finding(e), finding(e)], 'safe').get('f'), e);
    assert.equal(editsByFile([finding(e, 'unsafe')], 'safe').size, 0);
    assert.deepEqual(editsByFile([finding(e, 'unsafe')], 'unsafe').get('f'), e);
  });
});
