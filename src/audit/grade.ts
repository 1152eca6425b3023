import { CATEGORIES, type Category, type CheckRecord, type Finding, type Severity } from './rule.js';

/**
 * Grading, a pure function of the checks that ran and what they found. Each check (a rule on one
 * subject: a service, a file, the project) earns its severity's weight when it passes and loses it
 * when it fails; a category scores 10 × earned / (earned + lost). The overall score is the mean of the
 * categories that had checks, as in seed 003's table. Severe findings cap both, so that many clean
 * checks cannot hide one dangerous service: a critical finding caps its category at 4 and the overall
 * score at 5.9, a high one at 7 and 7.9. Style rules and suppressed findings never count.
 */
export const WEIGHTS: Record<Severity, number> = { critical: 16, high: 8, medium: 4, low: 2, info: 1 };

export interface CategoryScore {
  category: Category;
  /** 0-10 with one decimal, or undefined when no check of this category ran. */
  score?: number;
  passed: number;
  failed: number;
  /** Rules that passed on every subject they applied to, strongest evidence first. */
  strengths: { rule: string; title: string; passed: number; of: number }[];
  /** Rules with findings, most severe first, with how many findings. */
  weaknesses: { rule: string; findings: number; severity: Severity }[];
}

export interface Grade {
  score?: number;
  letter: string;
  verdict: string;
  categories: CategoryScore[];
}

export function grade(checks: readonly CheckRecord[], findings: readonly Finding[], titles: ReadonlyMap<string, string>, style: ReadonlySet<string>): Grade {
  const ran = checks.filter((c) => !style.has(c.rule) && c.outcome !== 'skip');
  const counted = findings.filter((f) => !f.style);
  const worst = (category?: Category) => {
    const mine = category ? counted.filter((f) => f.category === category) : counted;
    return mine.some((f) => f.severity === 'critical') ? 'critical' : mine.some((f) => f.severity === 'high') ? 'high' : undefined;
  };
  const categories = CATEGORIES.map((category): CategoryScore => {
    const mine = ran.filter((c) => c.category === category);
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
        .filter(([, r]) => r.pass > 0 && r.fail === 0)
        .sort((a, b) => WEIGHTS[b[1].severity] * b[1].pass - WEIGHTS[a[1].severity] * a[1].pass || a[0].localeCompare(b[0]))
        .map(([id, r]) => ({ rule: id, title: titles.get(id) ?? id, passed: r.pass, of: r.pass })),
      weaknesses: [...byRule.entries()]
        .filter(([, r]) => r.fail > 0)
        .map(([rule, r]) => ({ rule, findings: counted.filter((f) => f.rule === rule).length, severity: r.severity }))
        .sort((a, b) => WEIGHTS[b.severity] - WEIGHTS[a.severity] || b.findings - a.findings || a.rule.localeCompare(b.rule)),
    };
    if (earned + lost > 0) {
      const cap = CAPS[worst(category) ?? 'none'].category;
      out.score = round(Math.min((10 * earned) / (earned + lost), cap));
    }
    return out;
  });
  const scored = categories.filter((c) => c.score !== undefined).map((c) => c.score!);
  if (scored.length === 0) return { letter: 'n/a', verdict: 'Nothing to grade', categories };
  const score = round(Math.min(scored.reduce((a, b) => a + b, 0) / scored.length, CAPS[worst() ?? 'none'].overall));
  return { score, letter: letter(score), verdict: verdict(score, counted), categories };
}

const CAPS: Record<'critical' | 'high' | 'none', { category: number; overall: number }> = {
  critical: { category: 4, overall: 5.9 },
  high: { category: 7, overall: 7.9 },
  none: { category: 10, overall: 10 },
};

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function letter(score: number): string {
  const scale: [number, string][] = [[9.5, 'A+'], [9.0, 'A'], [8.5, 'A-'], [8.0, 'B+'], [7.5, 'B'], [7.0, 'B-'], [6.5, 'C+'], [6.0, 'C'], [5.5, 'C-'], [4.5, 'D']];
  return scale.find(([min]) => score >= min)?.[1] ?? 'F';
}

function verdict(score: number, counted: readonly Finding[]): string {
  const critical = counted.filter((f) => f.severity === 'critical').length;
  const high = counted.filter((f) => f.severity === 'high').length;
  if (critical) return `Not ready: fix the ${critical} critical finding${critical === 1 ? '' : 's'} first`;
  if (high) return `Needs work: fix the ${high} high finding${high === 1 ? '' : 's'} before production`;
  if (score >= 9.0) return 'Production ready';
  if (score >= 8.0) return 'Production ready with minor fixes';
  if (score >= 6.0) return 'Needs work before production';
  return 'Not ready for production';
}
