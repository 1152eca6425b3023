import { CATEGORIES, type Category, type CheckRecord, type Finding, type Severity } from './rule.js';

/**
 * Grading, a pure function of the checks that ran and what they found. Each check (a rule on one
 * subject: a service, a file, the project) earns its severity's weight when it passes and loses it
 * when it fails; a category scores 10 × earned / (earned + lost). A critical finding caps its category
 * at 5. The overall score is the mean of the categories that had checks, as in seed 003's table.
 * Style rules and suppressed findings never count.
 */
export const WEIGHTS: Record<Severity, number> = { critical: 16, high: 8, medium: 4, low: 2, info: 1 };

export interface CategoryScore {
  category: Category;
  /** 0-10 with one decimal, or undefined when no check of this category ran. */
  score?: number;
  passed: number;
  failed: number;
  /** Rules that passed on at least half of their subjects: everywhere first, then by weight. */
  strengths: { rule: string; title: string; passed: number; of: number }[];
  /** Titles of rules that failed, most severe first, with how many subjects failed. */
  weaknesses: { rule: string; failed: number; severity: Severity }[];
}

export interface Grade {
  score?: number;
  letter: string;
  verdict: string;
  categories: CategoryScore[];
}

export function grade(checks: readonly CheckRecord[], findings: readonly Finding[], titles: ReadonlyMap<string, string>, style: ReadonlySet<string>): Grade {
  const counted = checks.filter((c) => !style.has(c.rule) && c.outcome !== 'skip');
  const critical = new Set(findings.filter((f) => f.severity === 'critical' && !f.style).map((f) => f.category));
  const categories = CATEGORIES.map((category): CategoryScore => {
    const mine = counted.filter((c) => c.category === category);
    let earned = 0;
    let lost = 0;
    const byRule = new Map<string, { pass: number; fail: number; severity: Severity }>();
    for (const c of mine) {
      const w = WEIGHTS[c.severity];
      const r = byRule.get(c.rule) ?? { pass: 0, fail: 0, severity: c.severity };
      if (c.outcome === 'pass') {
        earned += w;
        r.pass++;
      } else {
        lost += w;
        r.fail++;
      }
      byRule.set(c.rule, r);
    }
    const out: CategoryScore = {
      category,
      passed: mine.filter((c) => c.outcome === 'pass').length,
      failed: mine.filter((c) => c.outcome === 'fail').length,
      strengths: [...byRule.entries()]
        .filter(([, r]) => r.pass > 0 && r.pass >= r.fail)
        .sort((a, b) => Number(a[1].fail > 0) - Number(b[1].fail > 0) || WEIGHTS[b[1].severity] * b[1].pass - WEIGHTS[a[1].severity] * a[1].pass || a[0].localeCompare(b[0]))
        .map(([id, r]) => ({ rule: id, title: titles.get(id) ?? id, passed: r.pass, of: r.pass + r.fail })),
      weaknesses: [...byRule.entries()]
        .filter(([, r]) => r.fail > 0)
        .sort((a, b) => WEIGHTS[b[1].severity] - WEIGHTS[a[1].severity] || b[1].fail - a[1].fail || a[0].localeCompare(b[0]))
        .map(([rule, r]) => ({ rule, failed: r.fail, severity: r.severity })),
    };
    if (earned + lost > 0) {
      let score = (10 * earned) / (earned + lost);
      if (critical.has(category)) score = Math.min(score, 5);
      out.score = Math.round(score * 10) / 10;
    }
    return out;
  });
  const scored = categories.filter((c) => c.score !== undefined).map((c) => c.score!);
  if (scored.length === 0) return { letter: 'n/a', verdict: 'Nothing to grade', categories };
  const score = Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 10) / 10;
  return { score, letter: letter(score), verdict: verdict(score, findings), categories };
}

export function letter(score: number): string {
  const scale: [number, string][] = [[9.5, 'A+'], [9.0, 'A'], [8.5, 'A-'], [8.0, 'B+'], [7.5, 'B'], [7.0, 'B-'], [6.5, 'C+'], [6.0, 'C'], [5.5, 'C-'], [4.5, 'D']];
  return scale.find(([min]) => score >= min)?.[1] ?? 'F';
}

function verdict(score: number, findings: readonly Finding[]): string {
  const counted = findings.filter((f) => !f.style);
  if (counted.some((f) => f.severity === 'critical')) return 'Not ready: fix the critical findings first';
  if (score >= 9.0 && !counted.some((f) => f.severity === 'high')) return 'Production ready';
  if (score >= 8.0) return 'Production ready with minor fixes';
  if (score >= 6.0) return 'Needs work before production';
  return 'Not ready for production';
}
