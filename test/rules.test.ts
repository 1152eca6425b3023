import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RULES } from '../src/audit/rules/index.js';
import { ROOT } from './helpers.js';
import { runInvalid, runValid } from './rule-tester.js';

const DOC_SECTIONS = ['## What it checks', '## Why', '## Bad', '## Good', '## Fix'];

test('the rule catalogue is consistent', () => {
  assert.ok(RULES.size > 0);
  const ruleFiles = readdirSync(join(ROOT, 'src', 'audit', 'rules'), { recursive: true, encoding: 'utf8' })
    // index.ts registers a group; files starting with "_" hold helpers shared by a group's rules.
    .filter((f) => f.endsWith('.ts') && !f.endsWith('index.ts') && !f.split('/').pop()!.startsWith('_'))
    .map((f) => f.split('/').pop()!.replace(/\.ts$/, ''))
    .sort();
  assert.deepEqual(ruleFiles, [...RULES.keys()].sort(), 'one rule per file, named by its id, every file registered');
  for (const rule of RULES.values()) {
    const m = rule.meta;
    assert.match(m.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, m.id);
    if (m.style) assert.deepEqual(m.profiles, [], `${m.id}: style rules are off by default`);
    if (m.profiles.includes('recommended')) assert.ok(m.profiles.includes('strict'), `${m.id}: recommended rules are in strict too`);
    assert.ok(rule.cases.valid.length >= 1, `${m.id}: at least one valid case`);
    assert.ok(rule.cases.invalid.length >= 1, `${m.id}: at least one invalid case`);
    if (m.fixable) assert.ok(rule.cases.invalid.some((c) => c.output !== undefined), `${m.id}: a fixable rule shows its fixed output`);
  }
});

test('every rule has a documentation page with what, why, bad, good and fix', () => {
  for (const id of RULES.keys()) {
    const file = join(ROOT, 'docs', 'rules', `${id}.md`);
    assert.ok(existsSync(file), `docs/rules/${id}.md is missing`);
    const doc = readFileSync(file, 'utf8');
    assert.ok(doc.startsWith(`# ${id}\n`), `docs/rules/${id}.md starts with "# ${id}"`);
    for (const s of DOC_SECTIONS) assert.ok(doc.includes(`\n${s}\n`), `docs/rules/${id}.md has "${s}"`);
  }
});

for (const rule of RULES.values()) {
  describe(`rule ${rule.meta.id}`, () => {
    rule.cases.valid.forEach((c, i) => test(`valid ${i + 1}${c.name ? `: ${c.name}` : ''}`, () => runValid(rule, c)));
    rule.cases.invalid.forEach((c, i) => test(`invalid ${i + 1}${c.name ? `: ${c.name}` : ''}`, () => runInvalid(rule, c)));
  });
}

test('docs/grading.md lists every rule under its category (npm run docs)', async () => {
  const { withRuleList } = await import('../scripts/docs.js');
  const doc = readFileSync(join(ROOT, 'docs', 'grading.md'), 'utf8');
  assert.equal(doc, withRuleList(doc), 'docs/grading.md is stale: run npm run docs');
});

test('each doc page states the rule\'s title, category, severity, fix and profiles as its metadata does', () => {
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  const problems: string[] = [];
  for (const rule of RULES.values()) {
    const m = rule.meta;
    const line = readFileSync(join(ROOT, 'docs', 'rules', `${m.id}.md`), 'utf8').split('\n')[2] ?? '';
    const fix = m.fixable === 'safe' ? 'safe (`--fix`)' : m.fixable === 'unsafe' ? 'unsafe (`--fix-unsafe`)' : 'none';
    for (const part of [`**${m.title}**`, `· ${cap(m.category)} ·`, `· ${m.severity} ·`, `· fix: ${fix}`]) {
      if (!line.includes(part)) problems.push(`${m.id}: "${part}" not in "${line}"`);
    }
  }
  assert.deepEqual(problems, []);
});
