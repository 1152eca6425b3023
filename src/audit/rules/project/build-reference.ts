import { spanAt } from '../../../source/tree.js';
import type { ProjectRule } from '../../rule.js';
import { builtStage, dockerfileOf, rel, reportOnce, unsetAt } from './_shared.js';

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
    const report = reportOnce(ctx);
    for (const ref of ctx.builds) {
      const node = ref.service.node;
      const name = ref.service.name;
      if (unsetAt(ctx, ref.project, ref.span).length) {
        ctx.skip(); // build: ${APP_DIR}: cannot tell which folder
        continue;
      }
      if (!ctx.exists(ref.context)) {
        report({
          span: spanAt(node, ['build', 'context']),
          message: `service "${name}" builds from ${rel(ctx, ref.context)}, which does not exist: the build fails`,
        });
        continue;
      }
      const { path, model } = dockerfileOf(ctx, ref);
      if (path === undefined) continue; // dockerfile_inline
      if (!ctx.exists(path)) {
        report({
          span: spanAt(node, ['build', 'dockerfile']),
          message: `service "${name}" builds with ${rel(ctx, path)}, which does not exist: the build fails`,
        });
        continue;
      }
      if (ref.target === undefined || !model) continue;
      if (!builtStage(model, ref.target)) {
        const names = model.stages.map((s) => s.name).filter((n): n is string => n !== undefined);
        report({
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
