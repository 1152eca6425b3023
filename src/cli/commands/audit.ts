import { dirname, relative, resolve } from 'node:path';
import { isInside } from '../../util/fs.js';
import { createTwoFilesPatch } from 'diff';
import { fixedTexts, type FixMode } from '../../audit/apply-fixes.js';
import { ruleDocs } from '../../audit/docs.js';
import { runAudit, type AuditResult } from '../../audit/engine.js';
import { formatJson } from '../../audit/formatters/json.js';
import { formatMarkdown } from '../../audit/formatters/markdown.js';
import { formatSarif } from '../../audit/formatters/sarif.js';
import { formatText, summaryLines } from '../../audit/formatters/text.js';
import { grade } from '../../audit/grade.js';
import { prepareAudit, type Prepared } from '../../audit/prepare.js';
import { failing, plural, type AuditReport } from '../../audit/report.js';
import { SEVERITIES, type Profile, type Severity } from '../../audit/rule.js';
import { RULES } from '../../audit/rules/index.js';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { FileSource } from '../../source/files.js';
import { ensureDir, writeFileAtomic } from '../../util/atomic-write.js';
import { table } from '../../util/table.js';
import { PLAIN } from '../../util/style.js';
import pkg from '../../../package.json' with { type: 'json' };
import { EXIT, UsageError, type Io } from '../io.js';
import type { ParsedArgs } from '../registry.js';

const FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;
const PROFILES: Profile[] = ['recommended', 'rootless-podman', 'strict'];
const MAX_FIX_PASSES = 10;

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const v = args.values;
  if (v['list-rules']) {
    io.out(listRules());
    return EXIT.OK;
  }
  const format = (v.format as string | undefined) ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const profile = v.profile as Profile | undefined;
  if (profile !== undefined && !PROFILES.includes(profile)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}`);
  const failOnArg = v['fail-on'] as string | undefined;
  if (failOnArg !== undefined && failOnArg !== 'none' && !SEVERITIES.includes(failOnArg as Severity)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, none`);
  const mode: FixMode | undefined = v['fix-unsafe'] ? 'unsafe' : v.fix ? 'safe' : undefined;
  if (v['dry-run'] && !mode) throw new UsageError('--dry-run goes with --fix or --fix-unsafe');

  const prepare = (overrides?: ReadonlyMap<string, string>) => {
    const source = new FileSource(overrides);
    const p = prepareAudit({ paths: args.positionals, cwd: io.cwd, ...(v.config ? { configFile: v.config as string } : {}), ...(profile ? { profile } : {}), rules: RULES }, source);
    return { p, source };
  };
  let { p, source } = prepare();
  if (p.discovery.missing.length) throw new UsageError(`no such file or folder: ${p.discovery.missing.map((m) => relative(io.cwd, m)).join(', ')}`);
  if (hasErrors(p.diagnostics)) {
    io.err(formatDiagnostics(p.diagnostics, (f) => source.texts.get(f), io.errStyle, io.cwd) + '\n');
    return EXIT.INVALID;
  }
  if (p.input.composeFiles.length + p.input.dockerfiles.length === 0) {
    io.err(`no compose files or Dockerfiles under ${relative(io.cwd, p.discovery.root) || '.'}\n`);
  }
  let result = runAudit(p.input, source);

  if (mode) {
    // Fixes run pass after pass until nothing changes: each pass re-audits what the last one wrote.
    // A dry run keeps the passes in memory and prints the difference.
    const dry = v['dry-run'] === true;
    const fixed = new Map<string, string>();
    const original = new Map<string, string>();
    let settled = false;
    for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
      const changed = fixedTexts(result.findings.filter((f) => (f.span.file !== p.discovery.root && isInside(p.discovery.root, f.span.file))), mode, result.texts);
      if (changed.size === 0) {
        settled = true;
        break;
      }
      for (const [file, text] of changed) {
        if (!original.has(file)) original.set(file, result.texts.get(file)!);
        fixed.set(file, text);
        if (!dry) writeFileAtomic(file, text);
      }
      ({ p, source } = prepare(dry ? fixed : undefined));
      result = runAudit(p.input, source);
    }
    if (!settled) io.err(`warning: fixes were still changing files after ${MAX_FIX_PASSES} passes; run again, and please report this\n`);
    const names = [...fixed.keys()].map((f) => relative(io.cwd, f));
    if (dry) {
      for (const [file, after] of fixed) {
        const name = relative(io.cwd, file);
        io.out(createTwoFilesPatch(`a/${name}`, `b/${name}`, original.get(file)!, after, '', '', { context: 2 }).replace(/^=+\n/, ''));
      }
      io.err(`${plural(fixed.size, 'file')} would change${names.length ? `: ${names.join(', ')}` : ''} (dry run: nothing written)\n`);
      return fixed.size ? EXIT.FAILED : EXIT.OK;
    }
    io.err(`fixed ${plural(fixed.size, 'file')}${names.length ? `: ${names.join(', ')}` : ''}\n`);
  }

  const report = buildReport(p, result, failOnArg as Severity | 'none' | undefined);
  const style = v.output ? PLAIN : io.style;
  const text = format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report) : format === 'markdown' ? formatMarkdown(report) : formatText(report, style);
  if (v.output) {
    ensureDir(dirname(resolve(io.cwd, v.output as string)));
    writeFileAtomic(resolve(io.cwd, v.output as string), text);
    io.err(`wrote ${v.output}\n`);
    io.err(summaryLines(report, io.errStyle) + '\n');
  } else io.out(text);

  for (const c of result.crashes) io.err(`${io.errStyle.red('internal error')} in rule ${c.rule} on ${relative(io.cwd, c.file)}: ${c.error.message}. This is a bug in berth; please report it.\n`);
  if (result.crashes.length) return EXIT.INTERNAL;
  return failing(report).length ? EXIT.FAILED : EXIT.OK;
}

function buildReport(p: Prepared, result: AuditResult, failOn: Severity | 'none' | undefined): AuditReport {
  const findings = result.findings;
  const metas = new Map([...RULES.values()].map((r) => [r.meta.id, r.meta]));
  const style = new Set([...RULES.values()].filter((r) => r.meta.style).map((r) => r.meta.id));
  const titles = new Map([...metas.values()].map((m) => [m.id, m.title]));
  const undocumented = [...new Set(findings.filter((f) => !f.fix).map((f) => f.rule))];
  return {
    tool: { name: 'berth', version: pkg.version },
    name: p.name,
    root: result.root,
    profile: p.profile,
    composeFiles: result.compose.map((c) => c.file),
    dockerfiles: result.dockerfiles.map((d) => d.file),
    services: result.compose.reduce((n, c) => n + Object.keys(c.project?.services ?? {}).length, 0),
    stages: result.dockerfiles.reduce((n, d) => n + d.stages.length, 0),
    findings,
    checks: result.checks,
    suppressed: result.suppressedCount,
    grade: grade(result.checks, findings, titles, style),
    rules: metas,
    texts: result.texts,
    failOn: failOn ?? p.failOn,
    docs: ruleDocs(undocumented),
  };
}


function listRules(): string {
  const rows = [...RULES.values()].map((r) => [r.meta.id, r.meta.category, r.meta.severity, r.meta.fixable || '-', r.meta.style ? 'style (off)' : r.meta.profiles.join(', ')]);
  return `${table(['RULE', 'CATEGORY', 'SEVERITY', 'FIX', 'PROFILES'], rows)}\n\n${RULES.size} rules; docs/rules/<rule>.md explains each.\n`;
}

