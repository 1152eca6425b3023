import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadCompose } from '../compose/load.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import type { DockerfileModel } from '../dockerfile/model.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import type { ComposeProject } from '../model/compose.js';
import type { FileSource } from '../source/files.js';
import { readConfigFile } from '../source/read.js';
import type { LMap } from '../source/tree.js';
import type { AuditSettings, BuildRef, CheckOutcome, CheckRecord, Finding, ReportInput, Rule, Severity, SiblingCompose } from './rule.js';
import { findSuppressions, suppressed, yamlComments, type Suppression } from './suppressions.js';
import { didYouMean } from '../util/suggest.js';

export interface EnabledRule {
  rule: Rule;
  severity: Severity;
}

export interface AuditInput {
  root: string;
  composeFiles: string[];
  dockerfiles: string[];
  /** Every file discovery saw, for project rules. */
  files: string[];
  settings: AuditSettings;
  rules: EnabledRule[];
  /** Variables for a compose file's interpolation (a berth stack's roots and secrets); its own .env is read as compose does. */
  envFor?: (composeFile: string) => Record<string, string>;
  /** berth validate's diagnostics, when the root is a berth repository. */
  repo?: Diagnostic[];
  /** Findings to keep (configured per-path ignores); the rest count as never found. */
  keep?: (f: Finding) => boolean;
  /** Every rule id berth has, enabled or not: a suppression naming anything else is a typo. */
  known: ReadonlySet<string>;
}

export interface ComposeUnit {
  file: string;
  text: string;
  project?: ComposeProject;
  root?: LMap;
  diagnostics: Diagnostic[];
}

export interface AuditResult {
  root: string;
  compose: ComposeUnit[];
  dockerfiles: DockerfileModel[];
  findings: Finding[];
  /** Findings silenced by berth-ignore comments. */
  suppressedCount: number;
  checks: CheckRecord[];
  /** Rules that threw: bugs in berth, reported apart from findings. */
  crashes: { rule: string; file: string; error: Error }[];
  texts: Map<string, string>;
}

export const UNUSED_IGNORE = 'unused-ignore';

/** Runs the enabled rules over the parsed files: every file parsed once, every rule once per subject. */
export function runAudit(input: AuditInput, source: FileSource): AuditResult {
  // The source reads each file once and keeps its text: rules, fixes and reports all use that copy.
  const texts = source.texts;
  const readText = (file: string): string | undefined => source.text(file);

  const compose: ComposeUnit[] = input.composeFiles.map((file) => {
    const loaded = loadCompose(file, source, { env: input.envFor?.(file) ?? {}, strictVariables: false, allProfiles: true });
    const parsed = source.yaml(file);
    const unit: ComposeUnit = { file, text: source.texts.get(file) ?? '', diagnostics: loaded.diagnostics.filter((d) => d.span.file === file || !input.composeFiles.includes(d.span.file)) };
    if (loaded.project) unit.project = loaded.project;
    if (parsed.root?.kind === 'map') unit.root = parsed.root;
    return unit;
  });

  const dockerfiles = new Map<string, DockerfileModel>();
  const dockerfile = (file: string): DockerfileModel | undefined => {
    if (!dockerfiles.has(file)) {
      const text = readText(file);
      if (text === undefined) return undefined;
      dockerfiles.set(file, parseDockerfile(text, file));
    }
    return dockerfiles.get(file);
  };
  for (const f of input.dockerfiles) {
    if (dockerfile(f)) continue;
    // Unreadable (permissions, size): audited as a file with that one problem, never silently dropped.
    const read = readConfigFile(f);
    const reason = read.ok ? 'it cannot be read' : read.diagnostic.message;
    dockerfiles.set(f, { file: f, text: '', preamble: [], stages: [], directives: {}, comments: [], problems: [{ message: reason, span: { file: f, line: 1, col: 1, endLine: 1, endCol: 1 } }] });
  }

  const builds: BuildRef[] = [];
  const seenBuilds = new Set<string>();
  for (const unit of compose) {
    for (const service of Object.values(unit.project?.services ?? {})) {
      const b = service.config.build;
      if (!b || typeof b.context !== 'string' || /^[a-z]+:\/\//i.test(b.context) || b.context.startsWith('git@')) continue;
      // A service seen through include/extends in several files is one build.
      const key = `${service.span.file}:${service.span.line}:${service.name}`;
      if (seenBuilds.has(key)) continue;
      seenBuilds.add(key);
      const dockerfilePath = resolve(b.context, typeof b.dockerfile === 'string' ? b.dockerfile : 'Dockerfile');
      const ref: BuildRef = { composeFile: unit.file, project: unit.project!, service, context: b.context, dockerfilePath, span: service.node.entries.find((e) => e.key === 'build')?.value.span ?? service.span };
      const model = source.exists(dockerfilePath) ? dockerfile(dockerfilePath) : undefined;
      if (model) ref.dockerfile = model;
      if (typeof b.target === 'string') ref.target = b.target;
      builds.push(ref);
    }
  }

  const findings: Finding[] = [];
  const reported = new Set<string>();
  const checks: CheckRecord[] = [];
  const crashes: AuditResult['crashes'] = [];

  const checkOf = new Map<Finding, number>();
  const run = (enabled: EnabledRule, subject: string, file: string | undefined, body: (report: (r: ReportInput) => void, skip: () => void) => void) => {
    const { rule, severity } = enabled;
    let outcome: CheckOutcome = 'pass';
    const report = (r: ReportInput) => {
      outcome = 'fail';
      // One place is one finding, however many services reach it (anchors, include, extends).
      const key = `${rule.meta.id}\u0000${r.span.file}\u0000${r.span.offset ?? `${r.span.line}:${r.span.col}`}\u0000${r.message}`;
      if (reported.has(key)) return;
      reported.add(key);
      const f: Finding = { rule: rule.meta.id, category: rule.meta.category, severity, style: rule.meta.style === true, message: r.message, span: r.span, fixable: rule.meta.fixable };
      if (rule.meta.sensitive) f.sensitive = true;
      // A file rule's edits are offsets into the text it was given: a span in another file (extends,
      // include) would be edited blind, so such a finding keeps no fix. Project rules edit by span file.
      if (r.fix && rule.meta.fixable && (file === undefined || r.span.file === file)) f.fix = r.fix;
      checkOf.set(f, checks.length);
      findings.push(f);
    };
    const skip = () => {
      if (outcome === 'pass') outcome = 'skip';
    };
    try {
      body(report, skip);
    } catch (e) {
      crashes.push({ rule: rule.meta.id, file: file ?? input.root, error: e as Error });
      outcome = 'skip';
    }
    const rec: CheckRecord = { rule: rule.meta.id, category: rule.meta.category, severity, subject, outcome };
    if (file) rec.file = file;
    checks.push(rec);
  };

  // Dockerfiles that builds reach outside the audited set inform project rules but are not audited or fixed.
  const audited = new Set(input.dockerfiles);
  const models = [...dockerfiles.values()];
  const auditedModels = models.filter((m) => audited.has(m.file));

  // Compose files and override templates (compose.override.yaml.example) by folder, parsed once.
  const composeSet = new Set(input.composeFiles);
  const siblingsByDir = new Map<string, SiblingCompose[]>();
  const siblingsByFile = new Map<string, SiblingCompose[]>();
  const siblingsOf = (file: string): SiblingCompose[] => {
    const known = siblingsByFile.get(file);
    if (known) return known;
    const dir = dirname(file);
    let all = siblingsByDir.get(dir);
    if (!all) {
      all = input.files
        .filter((f) => dirname(f) === dir && (composeSet.has(f) || /override.*\.ya?ml(\.(example|sample|dist|template|tmpl))?$/i.test(basename(f))))
        .map((f) => {
          const root = source.yaml(f).root;
          return root ? { file: f, root } : { file: f };
        });
      siblingsByDir.set(dir, all);
    }
    const mine = all.filter((s) => s.file !== file);
    siblingsByFile.set(file, mine);
    return mine;
  };
  for (const enabled of input.rules) {
    const { rule } = enabled;
    if (rule.target === 'compose') {
      for (const unit of compose) {
        const rel = relative(input.root, unit.file) || unit.file;
        if (rule.file) {
          run(enabled, rel, unit.file, (report, skip) => {
            const ctx = { report, skip, settings: input.settings, text: unit.text, file: unit.file, diagnostics: unit.diagnostics, siblings: siblingsOf(unit.file) } as Parameters<NonNullable<typeof rule.file>>[0];
            if (unit.project) ctx.project = unit.project;
            if (unit.root) ctx.root = unit.root;
            rule.file!(ctx);
          });
        }
        if (rule.service && unit.project) {
          const unset = unit.project.unresolved;
          for (const service of Object.values(unit.project.services)) {
            run(enabled, `${rel}#${service.name}`, unit.file, (report, skip) =>
              rule.service!({ report, skip, settings: input.settings, text: unit.text, file: unit.file, siblings: siblingsOf(unit.file), project: unit.project!, service, unsetIn: (span) => unsetIn(source.texts.get(span.file) ?? '', span, unset) }),
            );
          }
        }
      }
    } else if (rule.target === 'dockerfile') {
      for (const model of auditedModels) {
        run(enabled, relative(input.root, model.file) || model.file, model.file, (report, skip) => {
          const finalStage = model.stages[model.stages.length - 1];
          rule.check({ report, skip, settings: input.settings, text: model.text, file: model.file, dockerfile: model, ...(finalStage ? { finalStage } : {}) });
        });
      }
    } else {
      run(enabled, 'project', undefined, (report, skip) =>
        rule.check({
          report,
          skip,
          settings: input.settings,
          root: input.root,
          compose: compose.map((u) => ({ file: u.file, text: u.text, ...(u.project ? { project: u.project } : {}) })),
          dockerfiles: auditedModels,
          builds,
          files: input.files,
          ...(input.repo ? { repo: input.repo } : {}),
          exists: (p) => source.exists(p),
          entries: (dir) => {
            try {
              return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(dir, e.name)).sort();
            } catch {
              return [];
            }
          },
          read: readText,
        }),
      );
    }
  }

  // Suppressions (real comments only), configured path ignores, then what they leave unused.
  const suppressions = new Map<string, Suppression[]>();
  const suppressionsOf = (file: string) => {
    let list = suppressions.get(file);
    if (!list) {
      const text = texts.get(file) ?? readText(file) ?? '';
      const model = dockerfiles.get(file);
      if (!text.includes('berth-ignore')) list = [];
      else list = findSuppressions(text, file, model ? new Set(model.comments.map((c) => c.span.offset ?? -1)) : yamlComments(text));
      suppressions.set(file, list);
    }
    return list;
  };
  /** The first line of the Dockerfile instruction a finding is in: a comment above it covers the whole instruction. */
  const instructionLine = (f: Finding): number[] => {
    const model = dockerfiles.get(f.span.file);
    const instr = model?.stages.flatMap((s) => s.instructions).find((i) => i.span.line <= f.span.line && f.span.line <= i.span.endLine);
    return instr && instr.span.line !== f.span.line ? [f.span.line, instr.span.line] : [f.span.line];
  };
  const keep = input.keep ?? (() => true);
  const kept = findings.filter((f) => keep(f) && !suppressed(suppressionsOf(f.span.file), f.rule, instructionLine(f)));
  const suppressedCount = findings.filter((f) => keep(f)).length - kept.length;
  // A check fails only through findings that remain; silenced ones leave it passing.
  const failing = new Set(kept.map((f) => checkOf.get(f)));
  checks.forEach((c, i) => {
    if (c.outcome === 'fail' && !failing.has(i)) c.outcome = 'pass';
  });
  const unusedRule = input.rules.find((r) => r.rule.meta.id === UNUSED_IGNORE);
  if (unusedRule) {
    const enabledIds = new Set(input.rules.map((r) => r.rule.meta.id));
    for (const file of [...input.composeFiles, ...input.dockerfiles]) {
      for (const s of suppressionsOf(file)) {
        if (s.used) continue;
        const unknown = s.rules.filter((r) => !input.known.has(r));
        // A rule that exists but is turned off here silences nothing by design: not ours to judge.
        if (unknown.length === 0 && s.rules.every((r) => !enabledIds.has(r))) continue;
        const message = unknown.length
          ? `this berth-ignore comment names ${unknown.map((r) => `"${r}"`).join(', ')}, which ${unknown.length > 1 ? 'are not rules' : 'is not a rule'}${suggestRule(unknown[0]!, input.known)}`
          : `this berth-ignore comment silences nothing: no ${s.rules.join(', ')} finding ${s.fileWide ? 'in this file' : 'on this line or the next'}`;
        const f: Finding = { rule: UNUSED_IGNORE, category: unusedRule.rule.meta.category, severity: unusedRule.severity, style: false, message, span: s.span, fixable: 'safe' };
        if (!unknown.length) f.fix = { title: 'Remove the unused berth-ignore comment', edits: [removeComment(texts.get(file) ?? '', s.span)] };
        if (keep(f)) kept.push(f);
      }
    }
  }
  kept.sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.line - b.span.line || a.span.col - b.span.col || a.rule.localeCompare(b.rule));
  return { root: input.root, compose, dockerfiles: auditedModels, findings: kept, suppressedCount, checks, crashes, texts };
}

function suggestRule(id: string, known: ReadonlySet<string>): string {
  const s = didYouMean(id, known);
  return s ? ` (${s})` : '';
}

/** Variables without a value that the source text at a span reads. */
function unsetIn(text: string, span: Span, unresolved: Map<string, Span>): string[] {
  if (unresolved.size === 0 || span.offset === undefined) return [];
  const slice = text.slice(span.offset, span.endOffset);
  const out: string[] = [];
  for (const m of slice.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (unresolved.has(m[1]!) && !out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** Removes a comment: its whole line when nothing else is on it, else from the # on (and the space before). */
function removeComment(text: string, span: Span): { offset: number; end: number; text: string } {
  const start = span.offset ?? 0;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', start);
  const lineEnd = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  if (text.slice(lineStart, start).trim() === '') return { offset: lineStart, end: nl < 0 ? text.length : nl + 1, text: '' };
  let from = start;
  while (from > lineStart && /[ \t]/.test(text[from - 1]!)) from--;
  return { offset: from, end: lineEnd, text: '' };
}

