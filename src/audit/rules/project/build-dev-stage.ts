import { basename } from 'node:path';
import { spanAt } from '../../../source/tree.js';
import type { ProjectRule } from '../../rule.js';
import { buildKeySpan, dockerfileOf, rel, reportOnce } from './_shared.js';

/** Stage names for development images. */
const DEV_STAGE = /(^|[-_.])(dev|develop|development|debug|test|testing|local)($|[-_.])/i;
/** Compose files meant for development, where a dev image is the point. */
const DEV_FILE = /(^|[-_.])(dev|develop|development|local|debug|test|testing|override|ci)([-_.]|$)/i;
/** Compose files meant for production. */
const PROD_FILE = /(^|[-_.])(prod|production|release|live)([-_.]|$)/i;
const DEV_DOCKERFILE = /(^|[-_.])(dev|develop|development|debug|local)([-_.]|$)/i;

/** A build that, by default or by choice, produces the development image where production is meant. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'build-dev-stage',
    title: 'Builds produce the production stage, not a development one',
    category: 'orchestration',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    const report = reportOnce(ctx);
    for (const ref of ctx.builds) {
      const composeName = basename(ref.composeFile);
      const { path, model } = dockerfileOf(ctx, ref);
      if (!path || !model || model.stages.length === 0) continue;
      looked = true;
      const node = ref.service.node;
      const name = ref.service.name;
      const prodFile = PROD_FILE.test(composeName) && !DEV_FILE.test(composeName);
      if (ref.target !== undefined) {
        if (prodFile && DEV_STAGE.test(ref.target)) {
          report({
            span: spanAt(node, ['build', 'target']),
            message: `service "${name}" in the production file ${composeName} builds the development stage "${ref.target}" of ${rel(ctx, path)}: dev dependencies, debug tooling and dev servers ship to production`,
          });
        }
        continue;
      }
      if (prodFile && DEV_DOCKERFILE.test(basename(path)) && typeof ref.service.config.build?.dockerfile === 'string') {
        report({
          span: spanAt(node, ['build', 'dockerfile']),
          message: `service "${name}" in the production file ${composeName} builds ${rel(ctx, path)}, a development Dockerfile`,
        });
        continue;
      }
      const last = model.stages[model.stages.length - 1]!;
      if (model.stages.length < 2 || last.name === undefined || !DEV_STAGE.test(last.name) || DEV_FILE.test(composeName) || DEV_DOCKERFILE.test(basename(path))) continue;
      report({
        span: buildKeySpan(ref),
        message: `service "${name}" builds ${rel(ctx, path)} without a target, so it gets the last stage, "${last.name}" (line ${last.span.line}): a development image; set build.target to the production stage or move the dev stage up`,
      });
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      {
        name: 'default build is the production stage; dev compose file builds the dev stage',
        files: {
          'compose.yml': 'services:\n  web:\n    build: .\n',
          'compose.dev.yml': 'services:\n  web:\n    build:\n      context: .\n      target: development\n',
          'Dockerfile': 'FROM node:20-alpine AS development\nCMD ["npm", "run", "dev"]\nFROM node:20-alpine AS production\nCMD ["node", "server.js"]\n',
        },
      },
      {
        name: 'override file may build a dev-last Dockerfile; prod file targets the prod stage',
        files: {
          'docker-compose.override.yml': 'services:\n  api:\n    build: ./api\n',
          'docker-compose.prod.yml': 'services:\n  api:\n    build:\n      context: ./api\n      target: runtime\n',
          'api/Dockerfile': 'FROM python:3.12-slim AS runtime\nFROM runtime AS dev\nRUN pip install debugpy\n',
        },
      },
    ],
    invalid: [
      {
        name: 'last stage is the dev stage and no target',
        files: {
          'compose.yml': 'services:\n  web:\n    # production web app\n    build:\n      context: .\n',
          'Dockerfile': 'FROM node:20-alpine AS prod\nCMD ["node", "server.js"]\n\nFROM prod AS dev\nCMD ["npm", "run", "dev"]\n',
        },
        errors: [{ file: 'compose.yml', line: 4, column: 5, message: /builds Dockerfile without a target, so it gets the last stage, "dev" \(line 4\)/ }],
      },
      {
        name: 'production compose file targets a test stage and builds Dockerfile.dev',
        files: {
          'docker-compose.prod.yml': 'services:\n  api:\n    build:\n      context: .\n      target: test\n  web:\n    build:\n      context: ./web\n      dockerfile: Dockerfile.dev\n',
          'Dockerfile': 'FROM golang:1.22 AS test\nRUN go test ./...\nFROM golang:1.22 AS build\n',
          'web/Dockerfile.dev': 'FROM node:20-alpine\n',
        },
        errors: [
          { file: 'docker-compose.prod.yml', line: 5, column: 15, message: /builds the development stage "test" of Dockerfile/ },
          { file: 'docker-compose.prod.yml', line: 9, column: 19, message: /builds web\/Dockerfile\.dev, a development Dockerfile/ },
        ],
      },
    ],
  },
};
