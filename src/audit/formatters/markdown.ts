import { basename } from 'node:path';
import { isDockerfile } from '../discover.js';
import { applyEdits } from '../fix-helpers.js';
import type { CategoryScore } from '../grade.js';
import { countBySeverity, lines, plural, rel, SEVERITY_ORDER, type AuditReport } from '../report.js';
import type { Category, Finding, Severity } from '../rule.js';

const CATEGORY_NAMES: Record<Category, string> = {
  security: 'Security',
  architecture: 'Architecture',
  orchestration: 'Orchestration',
  monitoring: 'Monitoring',
  automation: 'Automation',
  documentation: 'Documentation',
};

/** Locations listed per rule; the rest are counted. */
const MAX_LISTED = 20;

const SEVERITY_HEADINGS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Informational',
};

/**
 * The audit report in the structure of seed 003: executive summary with the grade, what works well
 * (with evidence), issues by severity with file:line and the offending snippet, recommendations with
 * fix snippets, and the category score table. Deterministic: no dates, stable order.
 */
export function formatMarkdown(report: AuditReport): string {
  const counted = report.findings.filter((f) => !f.style);
  const out: string[] = [];
  const g = report.grade;
  out.push(`# ${report.name}: Container Configuration Audit`, '');

  out.push('## Executive Summary', '');
  const bySev = countBySeverity(counted);
  const sevText = SEVERITY_ORDER.filter((s) => bySev[s]).map((s) => `${bySev[s]} ${s}`).join(', ');
  const audited = [
    ...(report.composeFiles.length ? [`${plural(report.composeFiles.length, 'compose file')} (${plural(report.services, 'service')})`] : []),
    ...(report.dockerfiles.length ? [`${plural(report.dockerfiles.length, 'Dockerfile')} (${plural(report.stages, 'build stage')})`] : []),
  ];
  out.push(
    `berth audited ${audited.join(' and ') || 'no files'} with the \`${report.profile}\` profile: ` +
      `${report.checks.filter((c) => c.outcome !== 'skip').length} checks ran, ${plural(counted.length, 'finding')}${sevText ? ` (${sevText})` : ''}.` +
      (report.suppressed ? ` ${report.suppressed} more ${report.suppressed === 1 ? 'was' : 'were'} suppressed with berth-ignore comments.` : ''),
    '',
  );
  out.push(g.score === undefined ? '**Overall Grade: n/a (nothing to grade)**' : `**Overall Grade: ${g.letter} (${formatScore(g.score)}/10): ${g.verdict}**`, '');

  out.push('## Analysis Overview', '', '**Files Analyzed:**', '');
  if (report.dockerfiles.length) out.push(`- ${plural(report.dockerfiles.length, 'Dockerfile')}${listFiles(report, report.dockerfiles)}`);
  if (report.composeFiles.length) out.push(`- ${plural(report.composeFiles.length, 'compose file')}${listFiles(report, report.composeFiles)}`);
  out.push('', '---', '');

  out.push("## ✅ What's Working Well", '');
  const praised = report.grade.categories.filter((c) => c.strengths.length > 0);
  if (praised.length === 0) out.push('No check passed everywhere it applied.', '');
  for (const c of praised) {
    out.push(`### ${CATEGORY_NAMES[c.category]}`, '');
    for (const s of c.strengths.slice(0, 6)) out.push(`- **${s.title}**: ${evidence(report, s.rule, s.of)}`);
    out.push('');
  }
  out.push('---', '');

  out.push('## ⚠️ Issues Found', '');
  if (counted.length === 0) out.push('No issues found.', '');
  for (const sev of SEVERITY_ORDER) {
    const group = counted.filter((f) => f.severity === sev);
    if (!group.length) continue;
    out.push(`### ${SEVERITY_HEADINGS[sev]} (${group.length})`, '');
    for (const [rule, findings] of byRule(group)) {
      const meta = report.rules.get(rule);
      out.push(`#### ${issueHeading(meta?.title ?? rule, findings.length)} (\`${rule}\`)`, '');
      for (const f of findings.slice(0, MAX_LISTED)) {
        out.push(`- \`${rel(report, f.span.file)}:${f.span.line}\`: ${f.message}`);
      }
      if (findings.length > MAX_LISTED) out.push(`- …and ${findings.length - MAX_LISTED} more (\`berth audit --format text\` lists every one)`);
      out.push('');
      const first = findings[0]!;
      out.push(fence(report, first.span.file, snippet(report, first)), '');
      out.push(`**Impact**: ${SEVERITY_HEADINGS[sev].toLowerCase()} · ${CATEGORY_NAMES[first.category]}`, '');
    }
  }
  out.push('---', '');

  out.push('## 📋 Recommendations', '');
  const tiers: [string, Severity[]][] = [
    ['Immediate Actions (High Priority)', ['critical', 'high']],
    ['Hardening (Medium Priority)', ['medium']],
    ['Improvements (Low Priority)', ['low', 'info']],
  ];
  let any = false;
  for (const [heading, sevs] of tiers) {
    const group = counted.filter((f) => sevs.includes(f.severity));
    if (!group.length) continue;
    any = true;
    out.push(`### ${heading}`, '');
    let n = 1;
    for (const [rule, findings] of byRule(group)) {
      const meta = report.rules.get(rule);
      const withFix = findings.find((f) => f.fix);
      out.push(`${n++}. **${withFix?.fix?.title ?? meta?.title ?? rule}** (${plural(findings.length, 'place')}; \`${rule}\`${withFix ? `, \`berth audit --${withFix.fixable === 'unsafe' ? 'fix-unsafe' : 'fix'}\`` : ''})`, '');
      if (withFix) {
        out.push(indent(fence(report, withFix.span.file, fixedSnippet(report, withFix))), '');
      } else {
        const doc = report.docs.get(rule);
        if (doc?.fix) out.push(indent(doc.fix.trim()), '');
        if (doc?.good) out.push(indent(`For example (from the rule's documentation):\n\n${doc.good.trim()}`), '');
      }
    }
  }
  if (!any) out.push('Nothing to do: keep the checks running in CI (`berth audit --format sarif`).', '');
  out.push('---', '');

  out.push('## 🎯 Deployment Readiness Score', '');
  out.push('| Category | Score | Notes |', '| --- | --- | --- |');
  for (const c of report.grade.categories) out.push(`| **${CATEGORY_NAMES[c.category]}** | ${c.score === undefined ? 'n/a' : `${formatScore(c.score)}/10`} | ${notes(report, c)} |`);
  out.push('');
  out.push(g.score === undefined ? '**Overall Score: n/a**' : `**Overall Score: ${formatScore(g.score)}/10 (${g.letter}): ${g.verdict}**`, '');
  out.push('---', '');
  out.push(`**Analysis by**: ${report.tool.name} ${report.tool.version}, profile \`${report.profile}\`  `);
  out.push(`**Rules**: every rule is documented in \`docs/rules/<rule>.md\`; silence one finding with \`# berth-ignore <rule> -- reason\``, '');
  return out.join('\n');
}

function listFiles(report: AuditReport, files: string[]): string {
  if (!files.length) return '';
  const shown = files.slice(0, 8).map((f) => `\`${rel(report, f)}\``);
  return `: ${shown.join(', ')}${files.length > 8 ? `, …and ${files.length - 8} more` : ''}`;
}

/** Where a rule passed: the evidence behind the praise. */
function evidence(report: AuditReport, rule: string, of: number): string {
  const passed = report.checks.filter((c) => c.rule === rule && c.outcome === 'pass').map((c) => c.subject);
  const shown = passed.slice(0, 4).map((s) => `\`${s}\``).join(', ');
  const count = of === 1 ? 'its one check passes' : passed.length === of ? `all ${of} checks pass` : `${passed.length} of ${of} checks pass`;
  return `${count} (${shown}${passed.length > 4 ? ', …' : ''})`;
}

function byRule(findings: Finding[]): [string, Finding[]][] {
  const m = new Map<string, Finding[]>();
  for (const f of findings) m.set(f.rule, [...(m.get(f.rule) ?? []), f]);
  return [...m.entries()];
}

/** Rule titles name the good state ("No privileged containers"); an issue heading names the problem. */
function issueHeading(title: string, n: number): string {
  return `Not met: ${title}${n > 1 ? ` (${n}×)` : ''}`;
}

function snippet(report: AuditReport, f: Finding): string {
  return lines(report, f.span.file, f.span.line, Math.max(f.span.endLine, f.span.line + 2)).join('\n');
}

/** The lines a fix touches, after the fix. */
function fixedSnippet(report: AuditReport, f: Finding): string {
  const text = report.texts.get(f.span.file) ?? '';
  const after = applyEdits(text, f.fix!.edits).text;
  const firstEdit = Math.min(...f.fix!.edits.map((e) => e.offset));
  const line = text.slice(0, firstEdit).split('\n').length;
  const delta = after.split('\n').length - text.split('\n').length;
  const all = after.split('\n');
  return all.slice(Math.max(0, line - 2), Math.min(all.length, line + 2 + Math.max(0, delta))).join('\n');
}

function fence(report: AuditReport, file: string, body: string): string {
  const lang = isDockerfile(basename(file)) ? 'dockerfile' : 'yaml';
  return `\`\`\`${lang}\n# ${rel(report, file)}\n${body}\n\`\`\``;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `   ${l}` : l))
    .join('\n');
}

function formatScore(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function notes(report: AuditReport, c: CategoryScore): string {
  if (c.score === undefined) return 'Nothing in this category applied';
  const parts: string[] = [];
  if (c.strengths[0]) parts.push(c.strengths.slice(0, 2).map((s) => s.title).join('; '));
  if (c.weaknesses.length) {
    parts.push(
      'to fix: ' +
        c.weaknesses
          .slice(0, 2)
          .map((w) => `${w.rule} (${w.findings}×)`)
          .join(', '),
    );
  }
  return parts.join('; ') || `${c.passed} checks passed`;
}
