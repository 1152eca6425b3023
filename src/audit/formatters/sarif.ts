import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { lines, rel, type AuditReport } from '../report.js';
import type { Finding, Severity } from '../rule.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/**
 * SARIF 2.1.0 for code-scanning services. Fingerprints hash the rule, the file and the offending
 * line's text (not its number) plus its occurrence, so they survive edits elsewhere in the file.
 */
export function formatSarif(report: AuditReport): string {
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const seen = new Map<string, number>();
  const fingerprint = (f: Finding) => {
    const line = lines(report, f.span.file, f.span.line, f.span.line)[0]?.trim() ?? '';
    const key = `${f.rule}\u0000${rel(report, f.span.file)}\u0000${line}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\u0000${n}`).digest('hex').slice(0, 32);
  };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: ruleIds.map((id) => {
              const meta = report.rules.get(id);
              return {
                id,
                name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
                shortDescription: { text: meta?.title ?? id },
                help: { text: `See docs/rules/${id}.md in berth.` },
                defaultConfiguration: { level: LEVEL[meta?.severity ?? 'medium'] },
                properties: { category: meta?.category ?? 'documentation', tags: [meta?.category ?? 'documentation', ...(meta?.style ? ['style'] : [])] },
              };
            }),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `${pathToFileURL(report.root).href.replace(/\/?$/, '/')}` } },
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule)!,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uri(rel(report, f.span.file)), uriBaseId: 'SRCROOT' },
                region: { startLine: f.span.line, startColumn: f.span.col, endLine: f.span.endLine, endColumn: Math.max(f.span.endCol, f.span.endLine === f.span.line ? f.span.col + 1 : 1) },
              },
            },
          ],
          partialFingerprints: { 'berthFinding/v1': fingerprint(f) },
          properties: { severity: f.severity, category: f.category },
          ...(f.fix
            ? {
                fixes: [
                  {
                    description: { text: `${f.fix.title}${f.fixable === 'unsafe' ? ' (changes behaviour: --fix-unsafe)' : ''}` },
                    artifactChanges: [
                      {
                        artifactLocation: { uri: uri(rel(report, f.span.file)), uriBaseId: 'SRCROOT' },
                        replacements: f.fix.edits.map((e) => ({
                          deletedRegion: { charOffset: e.offset, charLength: e.end - e.offset },
                          ...(e.text ? { insertedContent: { text: e.text } } : {}),
                        })),
                      },
                    ],
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** A relative path as a URI reference: each segment percent-encoded (spaces, #, ? and all). */
function uri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
