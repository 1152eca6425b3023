import { dirname, join } from 'node:path';
import type { DockerfileModel, Instruction } from '../../../dockerfile/model.js';
import type { ProjectRule } from '../../rule.js';
import { dockerfileOf, rel } from './_shared.js';

/** Sources that copy the whole build context. */
const WHOLE = new Set(['.', './', '*', './*', '.*']);

/** The first COPY/ADD (not --from) that copies the whole context. */
function wholeContextCopy(model: DockerfileModel): Instruction | undefined {
  for (const stage of model.stages) {
    for (const i of stage.instructions) {
      if ((i.keyword !== 'COPY' && i.keyword !== 'ADD') || i.flags.some((f) => f.name === 'from') || i.heredocs.length) continue;
      let words: string[] = i.value.split(/\s+/).filter(Boolean);
      if (i.value.trimStart().startsWith('[')) {
        try {
          const parsed = JSON.parse(i.value) as unknown;
          if (Array.isArray(parsed)) words = parsed.map(String);
        } catch {
          // shell-like form after all
        }
      }
      if (words.slice(0, -1).some((w) => WHOLE.has(w))) return i;
    }
  }
  return undefined;
}

/** `COPY . .` from a context without a .dockerignore puts .git, node_modules and local .env files in the image. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'dockerignore-missing',
    title: 'Build contexts copied whole have a .dockerignore',
    category: 'architecture',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    // Each Dockerfile with the contexts it is built from: compose's, else its own folder.
    const uses = new Map<string, { model: DockerfileModel; contexts: Set<string> }>();
    const add = (model: DockerfileModel, context: string) => {
      const u = uses.get(model.file) ?? { model, contexts: new Set<string>() };
      u.contexts.add(context);
      uses.set(model.file, u);
    };
    for (const ref of ctx.builds) {
      const { model } = dockerfileOf(ctx, ref);
      if (model && ctx.exists(ref.context)) add(model, ref.context);
    }
    for (const model of ctx.dockerfiles) if (!uses.has(model.file)) add(model, dirname(model.file));
    let looked = false;
    for (const { model, contexts } of uses.values()) {
      const copy = wholeContextCopy(model);
      if (!copy) continue;
      looked = true;
      const own = [`${model.file}.dockerignore`, `${model.file}.containerignore`].some((f) => ctx.exists(f));
      const bare = [...contexts].filter((c) => !own && !['.dockerignore', '.containerignore'].some((n) => ctx.exists(join(c, n))));
      if (bare.length === 0) continue;
      ctx.report({
        span: copy.argsSpan,
        message: `${copy.keyword} ${copy.value} copies the whole build context (${bare.map((c) => `${rel(ctx, c)}/`).join(', ')}), which has no .dockerignore: .git, node_modules, local .env files and secrets go into the image and every change busts the cache`,
      });
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      {
        name: 'context with .dockerignore; a Dockerfile-specific ignore file; selective copies',
        files: {
          'compose.yml': 'services:\n  api:\n    build: ./api\n  web:\n    build:\n      context: .\n      dockerfile: web/Dockerfile\n',
          'api/Dockerfile': 'FROM node:20-alpine\nCOPY . .\n',
          'api/.dockerignore': '.git\nnode_modules\n.env\n',
          'web/Dockerfile': 'FROM node:20-alpine\nCOPY ./ /app/\n',
          'web/Dockerfile.dockerignore': 'node_modules\n',
          'tools/Dockerfile': 'FROM alpine:3.20\nCOPY package.json src/ /app/\nCOPY --from=build . /app\n',
        },
      },
      { name: 'no whole-context copy', files: { 'Dockerfile': 'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\n' } },
    ],
    invalid: [
      {
        name: 'compose context and a standalone Dockerfile folder',
        files: {
          'compose.yml': 'services:\n  api:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile.prod\n',
          'backend/Dockerfile.prod': 'FROM node:20-alpine AS build\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN npm ci\n',
          'backend/.dockerignore': 'node_modules\n',
          'worker/Containerfile': 'FROM python:3.12-slim\nADD ["./", "/srv/"]\n',
        },
        errors: [
          { file: 'backend/Dockerfile.prod', line: 3, column: 24, message: /COPY \. \. copies the whole build context \(\.\/\), which has no \.dockerignore/ },
          { file: 'worker/Containerfile', line: 2, column: 5, message: /copies the whole build context \(worker\/\)/ },
        ],
      },
    ],
  },
};
