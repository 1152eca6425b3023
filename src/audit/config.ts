import { join, relative } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { readBerthFile } from '../config/read-berth-file.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FileSource } from '../source/files.js';
import { get, type LNode } from '../source/tree.js';
import { checkSchema } from '../config/schema-check.js';
import { validator } from '../schemas/validators.js';
import { didYouMean } from '../util/suggest.js';
import { error } from '../diagnostics/diagnostic.js';
import type { EnabledRule } from './engine.js';
import type { Finding, Profile, Rule, Severity } from './rule.js';

export type RuleSetting = 'off' | 'on' | Severity;

export interface AuditConfig {
  profile?: Profile;
  rules?: Record<string, RuleSetting>;
  ignore?: (string | { path: string | string[]; rules?: string[]; reason?: string })[];
  trustedRegistries?: string[];
  failOn?: Severity | 'none';
}

export interface LoadedConfig {
  config: AuditConfig;
  /** Where it came from, for messages. */
  file?: string;
  /** The positioned tree, to point at a bad rule name. */
  root?: LNode;
}

/**
 * The audit configuration: `--config FILE`, else `.berthrc.yml` in the audited folder, else the
 * `audit:` section of berth.yml. Problems are diagnostics (exit 2), like any configuration error.
 */
export function loadAuditConfig(root: string, explicit: string | undefined, source: FileSource, diagnostics: Diagnostic[]): LoadedConfig {
  const candidates = explicit ? [explicit] : [join(root, '.berthrc.yml'), join(root, '.berthrc.yaml')];
  for (const file of candidates) {
    if (!explicit && !source.exists(file)) continue;
    if (explicit && !source.exists(file)) {
      diagnostics.push(error('FILE_NOT_FOUND', { file, line: 1, col: 1, endLine: 1, endCol: 1 }, `the configuration file ${file} does not exist`));
      return { config: {} };
    }
    const doc = readBerthFile<AuditConfig>(file, source, validator('audit'), relative(root, file) || file, diagnostics);
    return doc ? { config: doc.value, file, root: doc.root } : { config: {} };
  }
  const berth = join(root, 'berth.yml');
  if (source.exists(berth)) {
    const parsed = source.yaml(berth);
    const audit = get(parsed.root, 'audit');
    if (audit?.kind === 'map') {
      const schema = checkSchema(validator('audit'), audit, 'the audit section of berth.yml');
      diagnostics.push(...schema);
      return { config: schema.some((d) => d.severity === 'error') ? {} : (JSON.parse(JSON.stringify(toObject(audit))) as AuditConfig), file: berth, root: audit };
    }
  }
  return { config: {} };
}

function toObject(node: LNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toObject);
  return Object.fromEntries(node.entries.map((e) => [e.key, toObject(e.value)]));
}

/** The rules a profile and the per-rule settings turn on, at their effective severity. */
export function enabledRules(all: ReadonlyMap<string, Rule>, profile: Profile, config: LoadedConfig, diagnostics: Diagnostic[]): EnabledRule[] {
  const settings = config.config.rules ?? {};
  const rulesNode = get(config.root, 'rules');
  for (const id of Object.keys(settings)) {
    if (all.has(id)) continue;
    const at = rulesNode?.kind === 'map' ? rulesNode.entries.find((e) => e.key === id)?.keySpan : undefined;
    diagnostics.push(error('UNKNOWN_KEY', at ?? { file: config.file ?? '', line: 1, col: 1, endLine: 1, endCol: 1 }, `unknown rule "${id}"`, didYouMean(id, all.keys()) ?? 'see "berth audit --list-rules"'));
  }
  const ignoreNode = get(config.root, 'ignore');
  (config.config.ignore ?? []).forEach((e, i) => {
    if (typeof e === 'string') return;
    const item = ignoreNode?.kind === 'seq' ? ignoreNode.items[i] : undefined;
    const rulesNode = get(item, 'rules');
    (e.rules ?? []).forEach((id, j) => {
      if (all.has(id)) return;
      const at = rulesNode?.kind === 'seq' ? rulesNode.items[j]?.span : undefined;
      diagnostics.push(error('UNKNOWN_KEY', at ?? item?.span ?? { file: config.file ?? '', line: 1, col: 1, endLine: 1, endCol: 1 }, `unknown rule "${id}" in ignore`, didYouMean(id, all.keys()) ?? 'see "berth audit --list-rules"'));
    });
  });
  const out: EnabledRule[] = [];
  for (const rule of all.values()) {
    const s = settings[rule.meta.id];
    const inProfile = rule.meta.profiles.includes(profile) || (profile === 'strict' && rule.meta.profiles.includes('recommended'));
    const on = s === undefined ? inProfile : s !== 'off';
    if (!on) continue;
    out.push({ rule, severity: s === undefined || s === 'on' || s === 'off' ? rule.meta.severity : s });
  }
  return out;
}

/** Drops findings under the configured per-path ignores. */
export function pathIgnores(config: AuditConfig, root: string): (f: Finding) => boolean {
  const entries = (config.ignore ?? []).map((e) => {
    const paths = typeof e === 'string' ? [e] : Array.isArray(e.path) ? e.path : [e.path];
    const ig: Ignore = ignore().add(paths);
    return { ig, rules: typeof e === 'string' ? undefined : e.rules };
  });
  return (f) => {
    const rel = relative(root, f.span.file);
    if (rel.startsWith('..') || rel === '') return true;
    return !entries.some((e) => (e.rules === undefined || e.rules.includes(f.rule)) && e.ig.ignores(rel));
  };
}
