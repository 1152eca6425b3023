// Regenerates the per-category rule list in docs/grading.md from the rules' metadata.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORIES } from '../src/audit/rule.js';
import { RULES } from '../src/audit/rules/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function ruleList(): string {
  const out: string[] = [];
  for (const category of CATEGORIES) {
    const rules = [...RULES.values()].filter((r) => r.meta.category === category);
    out.push(`### ${category[0]!.toUpperCase()}${category.slice(1)} (${rules.length} rules)`, '');
    out.push('| rule | checks that | severity | profiles |', '| --- | --- | --- | --- |');
    for (const r of rules) out.push(`| [${r.meta.id}](rules/${r.meta.id}.md) | ${r.meta.title} | ${r.meta.severity} | ${r.meta.style ? 'style (off)' : r.meta.profiles.join(', ')} |`);
    out.push('');
  }
  return out.join('\n');
}

export function withRuleList(doc: string): string {
  return doc.replace(/<!-- rules:begin -->[\s\S]*<!-- rules:end -->/, `<!-- rules:begin -->\n${ruleList()}<!-- rules:end -->`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = join(root, 'docs', 'grading.md');
  writeFileSync(file, withRuleList(readFileSync(file, 'utf8')));
}
