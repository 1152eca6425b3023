import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedTexts } from '../src/audit/apply-fixes.js';
import { runAudit, type AuditResult } from '../src/audit/engine.js';
import { prepareAudit } from '../src/audit/prepare.js';
import { RULES } from '../src/audit/rules/index.js';
import type { AuditSettings, InvalidCase, Rule, ValidCase } from '../src/audit/rule.js';
import { FileSource } from '../src/source/files.js';
import { removeTree, tempTree } from './helpers.js';

/**
 * ESLint's RuleTester for berth: each case becomes real files in a temporary folder, audited by the
 * real engine with only the rule under test enabled. Invalid cases must report exactly the listed
 * positions; fixable ones must reach `output` and then stop changing.
 */
const DEFAULT_SETTINGS: AuditSettings = { trustedRegistries: [], roots: {}, networkRoots: [] };

export function mainFile(rule: Rule): string | undefined {
  return rule.target === 'compose' ? 'compose.yml' : rule.target === 'dockerfile' ? 'Dockerfile' : undefined;
}

function materialise(rule: Rule, c: ValidCase): string {
  const files: Record<string, string> = { ...(c.files ?? {}) };
  const main = mainFile(rule);
  if (c.code !== undefined) {
    assert.ok(main, `${rule.meta.id}: project rule cases use "files", not "code"`);
    files[main] = c.code;
  }
  return tempTree(files, `berth-rule-${rule.meta.id}-`);
}

export function auditWith(rule: Rule, dir: string, settings?: Partial<AuditSettings>, withRules: string[] = []): AuditResult {
  const source = new FileSource();
  const rules = new Map<string, Rule>([[rule.meta.id, rule], ...withRules.map((id): [string, Rule] => [id, RULES.get(id)!])]);
  const { input } = prepareAudit({ paths: [dir], cwd: dir, rules, all: true }, source);
  return runAudit({ ...input, settings: { ...DEFAULT_SETTINGS, ...input.settings, ...settings } }, source);
}

function own(result: AuditResult, rule: Rule) {
  assert.deepEqual(result.crashes.map((c) => `${c.rule}: ${c.error.stack}`), [], 'the rule threw');
  return result.findings.filter((f) => f.rule === rule.meta.id);
}

export function runValid(rule: Rule, c: ValidCase): void {
  const dir = materialise(rule, c);
  try {
    const found = own(auditWith(rule, dir, c.settings, c.withRules), rule);
    assert.deepEqual(found.map((f) => `${f.span.line}:${f.span.col} ${f.message}`), [], 'a valid case has no findings');
  } finally {
    removeTree(dir);
  }
}

export function runInvalid(rule: Rule, c: InvalidCase): void {
  const dir = materialise(rule, c);
  try {
    const found = own(auditWith(rule, dir, c.settings, c.withRules), rule);
    const main = mainFile(rule);
    assert.deepEqual(
      found.map((f) => `${f.span.file.slice(dir.length + 1)}:${f.span.line}:${f.span.col}`),
      c.errors.map((e) => `${e.file ?? main}:${e.line}:${e.column}`),
      'positions of the findings',
    );
    c.errors.forEach((e, i) => {
      if (e.message === undefined) return;
      const m = found[i]!.message;
      if (typeof e.message === 'string') assert.equal(m, e.message);
      else assert.match(m, e.message);
    });
    if (c.output !== undefined) {
      assert.ok(rule.meta.fixable, `${rule.meta.id} has an output case but is not fixable`);
      const target = join(dir, main ?? Object.keys(c.files ?? {})[0]!);
      for (let pass = 0; ; pass++) {
        assert.ok(pass < 10, 'fixes did not settle in 10 passes');
        const result = auditWith(rule, dir, c.settings, c.withRules);
        const changed = fixedTexts(own(result, rule), 'unsafe', result.texts);
        if (changed.size === 0) break;
        for (const [file, text] of changed) writeFileSync(file, text);
      }
      assert.equal(readFileSync(target, 'utf8'), c.output, 'fixed output');
      const after = own(auditWith(rule, dir, c.settings, c.withRules), rule).filter((f) => f.fix);
      assert.deepEqual(after.map((f) => f.message), [], 'a fixed file no longer has fixable findings of the rule');
    } else if (rule.meta.fixable) {
      // A fixable rule's case without output must not offer a fix that changes the file.
      const result = auditWith(rule, dir, c.settings, c.withRules);
      assert.equal(fixedTexts(own(result, rule), 'unsafe', result.texts).size, 0, 'the case offers a fix: give its output');
    }
  } finally {
    removeTree(dir);
  }
}
