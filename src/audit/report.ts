import { relative } from 'node:path';
import type { Grade } from './grade.js';
import type { CheckRecord, Finding, Profile, RuleMeta, Severity } from './rule.js';

/** Everything a formatter needs, as plain data: formatters are pure functions of it. */
export interface AuditReport {
  tool: { name: string; version: string };
  /** Display name of the project: the audited folder's name. */
  name: string;
  root: string;
  profile: Profile;
  composeFiles: string[];
  dockerfiles: string[];
  services: number;
  stages: number;
  findings: Finding[];
  checks: CheckRecord[];
  suppressed: number;
  grade: Grade;
  rules: ReadonlyMap<string, RuleMeta>;
  texts: ReadonlyMap<string, string>;
  failOn: Severity | 'none';
  /** Per rule, the "Good" example and "Fix" text of its doc page, when available. */
  docs: ReadonlyMap<string, { good?: string; fix?: string }>;
}

export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function rel(report: AuditReport, file: string): string {
  return relative(report.root, file) || file;
}

const split = new WeakMap<object, Map<string, string[]>>();

/**
 * Source lines [from, to] (1-based, inclusive) of a file, split once per report, with the text of
 * sensitive findings (secrets) masked.
 */
export function lines(report: AuditReport, file: string, from: number, to: number): string[] {
  let byFile = split.get(report.texts);
  if (!byFile) split.set(report.texts, (byFile = new Map()));
  let all = byFile.get(file);
  if (!all) {
    all = (report.texts.get(file) ?? '').split(/\r?\n/);
    for (const f of report.findings) {
      if (!f.sensitive || f.span.file !== file) continue;
      for (let n = f.span.line; n <= f.span.endLine; n++) {
        const line = all[n - 1];
        if (line === undefined) continue;
        const a = n === f.span.line ? f.span.col - 1 : 0;
        const b = n === f.span.endLine ? f.span.endCol - 1 : line.length;
        all[n - 1] = line.slice(0, a) + '*'.repeat(Math.max(0, Math.min(b, line.length) - a)) + line.slice(Math.min(b, line.length));
      }
    }
    byFile.set(file, all);
  }
  return all.slice(Math.max(0, from - 1), Math.min(all.length, to));
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

export function atOrAbove(sev: Severity, threshold: Severity | 'none'): boolean {
  return threshold !== 'none' && SEVERITY_ORDER.indexOf(sev) <= SEVERITY_ORDER.indexOf(threshold);
}

/** Findings that decide the exit code: not style, at or above the threshold. */
export function failing(report: Pick<AuditReport, 'findings' | 'failOn'>): Finding[] {
  return report.findings.filter((f) => !f.style && atOrAbove(f.severity, report.failOn));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
