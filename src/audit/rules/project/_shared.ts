import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { Span } from '../../../diagnostics/span.js';
import type { DockerfileModel, ImageRef, Instruction, Stage } from '../../../dockerfile/model.js';
import { parseDockerfile } from '../../../dockerfile/parse.js';
import type { ComposeProject } from '../../../model/compose.js';
import type { BuildRef, ProjectContext } from '../../rule.js';
import { lineage } from '../_stages.js';

/*
 * Helpers shared by the project rules: following a compose build into its Dockerfile and stage,
 * naming image families and components, reporting once.
 */

/** A path for messages: relative to the audited folder. */
export function rel(ctx: ProjectContext, path: string): string {
  return relative(ctx.root, path) || '.';
}

/** The stage a build produces: the one `target` names, else the last. undefined when the target names none. */
export function builtStage(model: DockerfileModel, target?: string): Stage | undefined {
  if (target === undefined) return model.stages[model.stages.length - 1];
  return model.stages.find((s) => s.name === target.toLowerCase());
}

/** The `keyword` instruction in effect for a stage, inherited through `FROM <earlier stage>`; undefined when only the base image could set it. */
export function inherited(stage: Stage, keyword: string): Instruction | undefined {
  for (const s of lineage(stage)) {
    const found = s.instructions.filter((i) => i.keyword === keyword && !i.onbuild);
    if (found.length) return found[found.length - 1];
  }
  return undefined;
}

/** The Dockerfile a build reads (an absolute `dockerfile:` is taken as is), parsed; undefined path for `dockerfile_inline`. */
export function dockerfileOf(ctx: ProjectContext, ref: BuildRef): { path?: string; model?: DockerfileModel } {
  const b = ref.service.config.build;
  if (typeof b?.dockerfile_inline === 'string') return {};
  const written = typeof b?.dockerfile === 'string' ? b.dockerfile : 'Dockerfile';
  const path = isAbsolute(written) ? written : join(ref.context, written);
  if (path === ref.dockerfilePath) return ref.dockerfile ? { path, model: ref.dockerfile } : { path };
  const known = ctx.dockerfiles.find((d) => d.file === path);
  if (known) return { path, model: known };
  const text = ctx.exists(path) ? ctx.read(path) : undefined;
  return text === undefined ? { path } : { path, model: parseDockerfile(text, path) };
}

/** Variables without a value that the compose source text at `span` reads: non-empty means "cannot tell". */
export function unsetAt(ctx: ProjectContext, project: ComposeProject, span: Span): string[] {
  if (project.unresolved.size === 0 || span.offset === undefined) return [];
  const text = ctx.compose.find((c) => c.file === span.file)?.text ?? ctx.read(span.file) ?? '';
  const out: string[] = [];
  for (const m of text.slice(span.offset, span.endOffset).matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (project.unresolved.has(m[1]!) && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** The span of the `build` key of the service (or the build value when the key is not in the service node). */
export function buildKeySpan(ref: BuildRef): Span {
  return ref.service.node.entries.find((e) => e.key === 'build')?.keySpan ?? ref.span;
}

/**
 * ctx.report, once per place and message: a compose file that includes or extends another sees the
 * other's services too, so the same build can reach a rule twice.
 */
export function reportOnce(ctx: ProjectContext): ProjectContext['report'] {
  const seen = new Set<string>();
  return (r) => {
    const key = `${r.span.file}:${r.span.line}:${r.span.col}:${r.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    ctx.report(r);
  };
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The image family (registry dropped for Docker Hub, `library/` dropped) and the tag's leading version number. */
export function imageFamily(from: ImageRef): string | undefined {
  if (from.stage || from.scratch || from.unresolved.length) return undefined;
  const registry = from.registry?.toLowerCase();
  let name = from.name.toLowerCase();
  if (registry === undefined || DOCKER_HUB.has(registry)) {
    if (name.startsWith('library/')) name = name.slice('library/'.length);
    return name;
  }
  return `${registry}/${name}`;
}

/** File-name words that make a variant of the same image, not another component: Dockerfile.prod, dev.Dockerfile. */
const VARIANT_WORDS = new Set(['dev', 'develop', 'development', 'prod', 'production', 'staging', 'stage', 'test', 'testing', 'ci', 'local', 'debug', 'release', 'alpine', 'debian', 'slim']);

/**
 * The component a Dockerfile builds: its folder plus its name without variant words, so that
 * backend/Dockerfile and backend/Dockerfile.prod are one component while docker/api.Dockerfile and
 * docker/web.Dockerfile are two.
 */
export function componentKey(file: string): string {
  const name = basename(file)
    .toLowerCase()
    .replace(/^(dockerfile|containerfile)/, '')
    .replace(/\.?(dockerfile|containerfile)$/, '');
  return `${dirname(file)}\u0000${name
    .split(/[._-]+/)
    .filter((p) => p && !VARIANT_WORDS.has(p))
    .join('.')}`;
}
