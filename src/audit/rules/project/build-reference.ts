import { isAbsolute, join, relative } from 'node:path';
import type { Span } from '../../../diagnostics/span.js';
import type { DockerfileModel, Instruction, Stage } from '../../../dockerfile/model.js';
import { parseDockerfile } from '../../../dockerfile/parse.js';
import type { ComposeProject } from '../../../model/compose.js';
import { spanAt } from '../../../source/tree.js';
import type { BuildRef, ProjectContext, ProjectRule } from '../../rule.js';

/*
 * Helpers shared by the project rules that follow a compose build into its Dockerfile
 * (healthcheck-disagreement, init-process, build-dev-stage, dockerignore-missing). They live here
 * because a rule folder may only hold rule files and its index.
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

/** A stage and the earlier stages it is built FROM, nearest first. */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !out.includes(s); s = s.from.stage) out.push(s);
  return out;
}

/** The `keyword` instruction in effect for a stage, inherited through `FROM <earlier stage>`; undefined when only the base image could set it. */
export function inherited(stage: Stage, keyword: string): Instruction | undefined {
  for (const s of stageChain(stage)) {
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

/** A compose build must point at a context, a Dockerfile and a stage that exist: else `compose build` fails. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'build-reference',
    title: 'Compose builds reference existing contexts, Dockerfiles and stages',
    category: 'orchestration',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    if (ctx.builds.length === 0) return ctx.skip();
    for (const ref of ctx.builds) {
      const node = ref.service.node;
      const name = ref.service.name;
      if (unsetAt(ctx, ref.project, ref.span).length) {
        ctx.skip(); // build: ${APP_DIR}: cannot tell which folder
        continue;
      }
      if (!ctx.exists(ref.context)) {
        ctx.report({
          span: spanAt(node, ['build', 'context']),
          message: `service "${name}" builds from ${rel(ctx, ref.context)}, which does not exist: the build fails`,
        });
        continue;
      }
      const { path, model } = dockerfileOf(ctx, ref);
      if (path === undefined) continue; // dockerfile_inline
      if (!ctx.exists(path)) {
        ctx.report({
          span: spanAt(node, ['build', 'dockerfile']),
          message: `service "${name}" builds with ${rel(ctx, path)}, which does not exist: the build fails`,
        });
        continue;
      }
      if (ref.target === undefined || !model) continue;
      if (!builtStage(model, ref.target)) {
        const names = model.stages.map((s) => s.name).filter((n): n is string => n !== undefined);
        ctx.report({
          span: spanAt(node, ['build', 'target']),
          message: `service "${name}" builds target "${ref.target}", but ${rel(ctx, path)} has no such stage (${names.length ? `stages: ${names.join(', ')}` : 'no named stages'}): the build fails`,
        });
      }
    }
  },
  cases: {
    valid: [
      {
        name: 'context, Dockerfile and target exist',
        files: {
          'compose.yml': 'services:\n  api:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.prod\n      target: runtime\n',
          'api/Dockerfile.prod': 'FROM node:20-alpine AS build\nRUN npm ci\nFROM node:20-alpine AS Runtime\nCMD ["node", "server.js"]\n',
        },
      },
      {
        name: 'short syntax and dockerfile_inline',
        files: {
          'compose.yml': 'services:\n  web:\n    build: ./web\n  tool:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM alpine:3.20\n',
          'web/Dockerfile': 'FROM nginx:1.27\n',
        },
      },
      {
        name: 'context from an unset variable: cannot tell',
        files: { 'compose.yml': 'services:\n  web:\n    build:\n      context: ${APP_DIR}\n' },
      },
    ],
    invalid: [
      {
        name: 'missing context folder',
        files: { 'docker-compose.yml': 'services:\n  web:\n    build: ./frontend # moved to another repository\n' },
        errors: [{ file: 'docker-compose.yml', line: 3, column: 12, message: /builds from frontend, which does not exist/ }],
      },
      {
        name: 'missing Dockerfile and unknown target',
        files: {
          'compose.yml':
            'services:\n  api:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.production\n  worker:\n    build:\n      context: ./api\n      target: prod\n',
          'api/Dockerfile': 'FROM python:3.12-slim AS base\nFROM base AS production\n',
        },
        errors: [
          { file: 'compose.yml', line: 5, column: 19, message: /api\/Dockerfile\.production, which does not exist/ },
          { file: 'compose.yml', line: 9, column: 15, message: /target "prod", but api\/Dockerfile has no such stage \(stages: base, production\)/ },
        ],
      },
    ],
  },
};
