import { basename, join } from 'node:path';
import { secretPlaceholders } from '../config/secret-placeholder.js';
import { loadRepo, type RepoLoad } from '../config/load-repo.js';
import { hostEnv } from '../config/variables.js';
import type { Repo } from '../model/repo.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FileSource } from '../source/files.js';
import { enabledRules, loadAuditConfig, pathIgnores, type LoadedConfig } from './config.js';
import { discover, type Discovery } from './discover.js';
import type { AuditInput } from './engine.js';
import type { Profile, Rule, Severity } from './rule.js';
import { RULES } from './rules/index.js';

export interface PrepareOptions {
  paths: string[];
  cwd: string;
  configFile?: string;
  profile?: Profile;
  rules: ReadonlyMap<string, Rule>;
  /** Run every rule given, whatever the profile and configuration say (the rule tester). */
  all?: boolean;
}

export interface Prepared {
  input: AuditInput;
  discovery: Discovery;
  config: LoadedConfig;
  profile: Profile;
  failOn: Severity | 'none';
  /** The berth repository at the root, when the root is one. */
  repo?: RepoLoad;
  name: string;
  /** Configuration problems: any error means exit 2 before auditing. */
  diagnostics: Diagnostic[];
}

/**
 * Everything `berth audit` decides before rules run: which files, which configuration, whether the
 * root is a berth repository (its roots feed interpolation and the rootless rules), which rules.
 */
export function prepareAudit(opts: PrepareOptions, source: FileSource): Prepared {
  const diagnostics: Diagnostic[] = [];
  const discovery = discover(opts.paths, opts.cwd);
  const root = discovery.root;
  const isRepo = source.exists(join(root, 'berth.yml')) || source.exists(join(root, 'hosts.yml'));
  const repo = isRepo ? loadRepo(root, source) : undefined;
  const config = loadAuditConfig(root, opts.configFile, source, diagnostics);
  const profile = opts.profile ?? config.config.profile ?? (isRepo ? 'rootless-podman' : 'recommended');
  const rules = opts.all ? [...opts.rules.values()].map((rule) => ({ rule, severity: rule.meta.severity })) : enabledRules(opts.rules, profile, config, diagnostics);
  const berth = repo?.repo?.config;
  const input: AuditInput = {
    root,
    composeFiles: discovery.composeFiles,
    dockerfiles: discovery.dockerfiles,
    files: discovery.files,
    settings: {
      trustedRegistries: config.config.trustedRegistries ?? [],
      roots: berth?.roots ?? {},
      networkRoots: berth?.networkRoots ?? [],
    },
    rules,
    ...(repo?.repo ? { envFor: stackEnv(repo.repo) } : {}),
    ...(repo ? { repo: repo.diagnostics } : {}),
    keep: pathIgnores(config.config, root),
    known: new Set(RULES.keys()),
  };
  const prepared: Prepared = { input, discovery, config, profile, failOn: config.config.failOn ?? 'high', name: basename(root), diagnostics };
  if (repo) prepared.repo = repo;
  return prepared;
}

/**
 * In a berth repository a stack's compose file sees what its host gives it: the roots (with the
 * overrides of the first host that runs it), the host variables, and its secrets' declared variables.
 */
function stackEnv(repo: Repo): (file: string) => Record<string, string> {
  const base = hostEnv(repo.config);
  return (file) => {
    const stack = Object.values(repo.stacks).find((s) => s.composeFile === file);
    if (!stack) return base;
    const host = repo.hosts.find((h) => h.stacks.some((s) => s.name === stack.name));
    const secrets = secretPlaceholders(stack.manifest.secrets);
    return { ...secrets, ...(host ? hostEnv(host) : base) };
  };
}
