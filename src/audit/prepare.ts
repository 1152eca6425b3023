import { basename, join } from 'node:path';
import { loadRepo, type RepoLoad } from '../config/load-repo.js';
import { hostVariables } from '../config/variables.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FileSource } from '../source/files.js';
import { enabledRules, loadAuditConfig, pathIgnores, type LoadedConfig } from './config.js';
import { discover, type Discovery } from './discover.js';
import type { AuditInput } from './engine.js';
import type { Finding, Profile, Rule, Severity } from './rule.js';

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
  keep: (f: Finding) => boolean;
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
    ...(berth ? { env: { ...hostVariables(berth.user, berth.uid), ...berth.roots } } : {}),
    ...(repo ? { repo: repo.diagnostics } : {}),
  };
  const prepared: Prepared = { input, discovery, config, profile, failOn: config.config.failOn ?? 'high', keep: pathIgnores(config.config, root), name: basename(root), diagnostics };
  if (repo) prepared.repo = repo;
  return prepared;
}
