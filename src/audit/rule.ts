import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import type { DockerfileModel, Stage } from '../dockerfile/model.js';
import type { ComposeProject, Service } from '../model/compose.js';
import type { LMap, LNode } from '../source/tree.js';

/**
 * The rule API. One rule per file: `meta`, one or more check hooks, and its own table of valid and
 * invalid cases (run by test/rules.test.ts). Rules never read or write files: they look at the
 * parsed model, report findings with exact spans, and offer fixes as text edits.
 */
export type Category = 'security' | 'architecture' | 'orchestration' | 'monitoring' | 'automation' | 'documentation';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Fixable = 'safe' | 'unsafe' | false;
export type Profile = 'recommended' | 'rootless-podman' | 'strict';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const CATEGORIES: readonly Category[] = ['security', 'architecture', 'orchestration', 'monitoring', 'automation', 'documentation'];

export interface RuleMeta {
  /** kebab-case; the file name and docs/rules/<id>.md */
  id: string;
  /** What a passing project does, as a heading: "No literal credentials in environment". */
  title: string;
  category: Category;
  severity: Severity;
  /** safe: the edit keeps behaviour (--fix); unsafe: it changes runtime behaviour (--fix-unsafe only). */
  fixable: Fixable;
  /** Profiles that turn the rule on. Every rule in "recommended" is also in "strict". */
  profiles: Profile[];
  /** Style rules are off by default and never count toward the grade or the exit code. */
  style?: boolean;
  /** The finding's span is a secret (a password in a value): reports mask it instead of printing it. */
  sensitive?: boolean;
}

/** A replacement of the bytes [offset, end) of the original file. */
export interface TextEdit {
  offset: number;
  end: number;
  text: string;
}

export interface Fix {
  /** Imperative, shown in reports: "Bind the port to 127.0.0.1". */
  title: string;
  edits: TextEdit[];
}

export interface ReportInput {
  span: Span;
  message: string;
  fix?: Fix;
}

export interface AuditSettings {
  /** Registry globs images may come from (e.g. "docker.io", "ghcr.io/myorg/*"); empty: any. */
  trustedRegistries: string[];
  /** Root variables (DATA_ROOT...) with their values: from berth.yml in a berth repository. */
  roots: Record<string, string>;
  /** Roots that live on network storage (NFS): never :U, never chown. */
  networkRoots: string[];
}

interface ContextBase {
  report(r: ReportInput): void;
  /** "Cannot tell" or "not applicable": the check neither passes nor fails for this subject. */
  skip(): void;
  settings: AuditSettings;
  /** The text of the file being checked. */
  text: string;
  file: string;
}

/** Another compose file of the same folder, as written (an override, the base a variant is merged over). */
export interface SiblingCompose {
  file: string;
  root?: LNode;
}

export interface ComposeServiceContext extends ContextBase {
  /** The other compose files (and override templates) in this file's folder that the audit saw. */
  siblings: readonly SiblingCompose[];
  project: ComposeProject;
  service: Service;
  /** Variables without a value that the source text at `span` reads: non-empty means "cannot tell". */
  unsetIn(span: Span): string[];
}

export interface ComposeFileContext extends ContextBase {
  siblings: readonly SiblingCompose[];
  /** undefined when the file could not be loaded (syntax or schema errors). */
  project?: ComposeProject;
  /** The parsed YAML root as written (before canonicalisation), when the file parsed. */
  root?: LMap;
  /** What the loader reported for this file. */
  diagnostics: Diagnostic[];
}

export interface DockerfileContext extends ContextBase {
  dockerfile: DockerfileModel;
  /** The stage an image is built from by default: the last one. */
  finalStage?: Stage;
}

/** A compose service built from a Dockerfile of the project. */
export interface BuildRef {
  composeFile: string;
  project: ComposeProject;
  service: Service;
  context: string;
  dockerfilePath: string;
  /** undefined when the Dockerfile does not exist */
  dockerfile?: DockerfileModel;
  target?: string;
  /** The span of the build section in the compose file. */
  span: Span;
}

export interface ProjectContext extends Omit<ContextBase, 'text' | 'file'> {
  /** The folder audited. */
  root: string;
  compose: { file: string; project?: ComposeProject; text: string }[];
  dockerfiles: DockerfileModel[];
  builds: BuildRef[];
  /** Every file path below the root that discovery saw (relative paths are not used: all absolute). */
  files: string[];
  /** When the root is a berth repository: what `berth validate` reports for it. */
  repo?: Diagnostic[];
  exists(path: string): boolean;
  /** The files in a folder (absolute paths), whether the audit looked at them or not. */
  entries(dir: string): string[];
  /** Text of any file below the root, read once; undefined when it does not exist. */
  read(path: string): string | undefined;
}

export interface ValidCase {
  name?: string;
  /** The main file: compose.yml for compose rules, Dockerfile for Dockerfile rules. */
  code?: string;
  /** More files (path → content), e.g. for project rules; paths relative to the case folder. */
  files?: Record<string, string>;
  settings?: Partial<AuditSettings>;
  /** Other rules to run beside the one under test (for a rule about other rules' findings). */
  withRules?: string[];
}

export interface InvalidCase extends ValidCase {
  /** Exact positions (1-based) of every finding, in order; message checked when given. */
  errors: { line: number; column: number; file?: string; message?: string | RegExp }[];
  /** The main file after applying the rule's fixes (safe and unsafe), for fixable rules. */
  output?: string;
}

export interface RuleCases {
  valid: ValidCase[];
  invalid: InvalidCase[];
}

export interface ComposeRule {
  meta: RuleMeta;
  target: 'compose';
  /** Called once per service: one check per service. */
  service?(ctx: ComposeServiceContext): void;
  /** Called once per compose file: one check per file. */
  file?(ctx: ComposeFileContext): void;
  cases: RuleCases;
}

export interface DockerfileRule {
  meta: RuleMeta;
  target: 'dockerfile';
  check(ctx: DockerfileContext): void;
  cases: RuleCases;
}

export interface ProjectRule {
  meta: RuleMeta;
  target: 'project';
  check(ctx: ProjectContext): void;
  cases: RuleCases;
}

export type Rule = ComposeRule | DockerfileRule | ProjectRule;

/** A finding as the engine records it. */
export interface Finding {
  rule: string;
  category: Category;
  severity: Severity;
  style: boolean;
  message: string;
  span: Span;
  fix?: Fix;
  fixable: Fixable;
  /** Mask the span's text wherever the report shows source. */
  sensitive?: boolean;
}

export type CheckOutcome = 'pass' | 'fail' | 'skip';

/** One rule applied to one subject (a service, a file, the project): what grading counts. */
export interface CheckRecord {
  rule: string;
  category: Category;
  severity: Severity;
  /** "compose.yml#web", "Dockerfile", "project" */
  subject: string;
  file?: string;
  outcome: CheckOutcome;
}
