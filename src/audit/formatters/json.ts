import { countBySeverity, rel, type AuditReport } from '../report.js';

/** For scripts: stable keys, relative paths, every finding with its position and fix. */
export function formatJson(report: AuditReport): string {
  const counted = report.findings.filter((f) => !f.style);
  return (
    JSON.stringify(
      {
        tool: report.tool,
        root: report.name,
        profile: report.profile,
        grade: {
          score: report.grade.score ?? null,
          letter: report.grade.letter,
          verdict: report.grade.verdict,
          categories: report.grade.categories.map((c) => ({ category: c.category, score: c.score ?? null, passed: c.passed, failed: c.failed })),
        },
        summary: {
          findings: counted.length,
          style: report.findings.length - counted.length,
          bySeverity: countBySeverity(counted),
          suppressed: report.suppressed,
          fixable: { safe: report.findings.filter((f) => f.fix && f.fixable === 'safe').length, unsafe: report.findings.filter((f) => f.fix && f.fixable === 'unsafe').length },
          checks: { passed: report.checks.filter((c) => c.outcome === 'pass').length, failed: report.checks.filter((c) => c.outcome === 'fail').length, skipped: report.checks.filter((c) => c.outcome === 'skip').length },
        },
        files: { compose: report.composeFiles.map((f) => rel(report, f)), dockerfiles: report.dockerfiles.map((f) => rel(report, f)) },
        findings: report.findings.map((f) => ({
          rule: f.rule,
          category: f.category,
          severity: f.severity,
          style: f.style,
          message: f.message,
          file: rel(report, f.span.file),
          line: f.span.line,
          column: f.span.col,
          endLine: f.span.endLine,
          endColumn: f.span.endCol,
          ...(f.fix ? { fix: { title: f.fix.title, safety: f.fixable } } : {}),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}
