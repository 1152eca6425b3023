import type { Style } from '../../util/style.js';
import { countBySeverity, failing, lines, plural, rel, SEVERITY_ORDER, type AuditReport } from '../report.js';

/** For a terminal: findings grouped by file, each with its source line and a caret, then a summary. */
export function formatText(report: AuditReport, style: Style): string {
  const out: string[] = [];
  const sevStyle = { critical: style.red, high: style.red, medium: style.yellow, low: style.cyan, info: style.dim };
  const byFile = new Map<string, typeof report.findings>();
  for (const f of report.findings) byFile.set(f.span.file, [...(byFile.get(f.span.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    out.push(style.bold(rel(report, file)));
    for (const f of findings) {
      const pos = `${f.span.line}:${f.span.col}`.padEnd(7);
      out.push(`  ${pos} ${sevStyle[f.severity](f.severity.padEnd(8))} ${f.message}  ${style.dim(f.rule)}${f.style ? style.dim(' (style)') : ''}`);
      const src = lines(report, file, f.span.line, f.span.line)[0];
      if (src !== undefined && src.length <= 200) {
        const width = f.span.endLine === f.span.line ? Math.max(1, Math.min(f.span.endCol - f.span.col, src.length - f.span.col + 1)) : Math.max(1, src.length - f.span.col + 1);
        out.push(`          ${style.dim('|')} ${src}`);
        out.push(`          ${style.dim('|')} ${src.slice(0, f.span.col - 1).replace(/[^\t]/g, ' ')}${sevStyle[f.severity]('^'.repeat(width))}`);
      }
      if (f.fix) out.push(`          ${style.green(`fix${f.fixable === 'unsafe' ? ' (--fix-unsafe)' : ' (--fix)'}:`)} ${f.fix.title}`);
    }
    out.push('');
  }
  out.push(summaryLines(report, style));
  return out.join('\n') + '\n';
}

export function summaryLines(report: AuditReport, style: Style): string {
  const counted = report.findings.filter((f) => !f.style);
  const bySev = countBySeverity(counted);
  const sev = SEVERITY_ORDER.filter((s) => bySev[s] > 0).map((s) => `${bySev[s]} ${s}`);
  const safe = report.findings.filter((f) => f.fix && f.fixable === 'safe').length;
  const unsafe = report.findings.filter((f) => f.fix && f.fixable === 'unsafe').length;
  const files = report.composeFiles.length + report.dockerfiles.length;
  const parts = [
    `${plural(counted.length, 'finding')}${sev.length ? ` (${sev.join(', ')})` : ''} in ${plural(files, 'file')}`,
  ];
  const style_ = report.findings.length - counted.length;
  if (style_) parts.push(`${style_} style`);
  if (report.suppressed) parts.push(`${report.suppressed} suppressed`);
  if (safe || unsafe) parts.push(`${safe} fixable with --fix${unsafe ? `, ${unsafe} more with --fix-unsafe` : ''}`);
  const g = report.grade;
  const gradeText = g.score === undefined ? 'Grade: n/a' : `Grade: ${g.letter} (${g.score.toFixed(1)}/10), ${g.verdict}`;
  const fails = failing(report).length;
  const threshold = report.failOn === 'none' ? '' : fails ? style.red(` · ${fails} at or above ${report.failOn}`) : '';
  return `${style.bold('Summary:')} ${parts.join(' · ')}\n${style.bold(gradeText)}${threshold}`;
}
