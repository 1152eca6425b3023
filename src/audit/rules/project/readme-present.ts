import { basename, join } from 'node:path';
import type { ProjectRule } from '../../rule.js';

const README = /^readme(\.[a-z0-9]+)?$/i;
const RUN_WORDS = /\b(docker|podman|compose|berth|quadlet|container)/i;

/** A project of containers without a README that says how to start it (seed 003: "could improve README"). */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'readme-present',
    title: 'A README explains how to run the project',
    category: 'documentation',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    if (ctx.compose.length === 0 && ctx.dockerfiles.length === 0) return ctx.skip();
    const readmes = ctx.entries(ctx.root).filter((f) => README.test(basename(f))).sort((a, b) => Number(!/\.md$/i.test(a)) - Number(!/\.md$/i.test(b)));
    if (readmes.length === 0) {
      const what = ctx.compose.length ? `${ctx.compose.length} compose file${ctx.compose.length > 1 ? 's' : ''}` : `${ctx.dockerfiles.length} Dockerfile${ctx.dockerfiles.length > 1 ? 's' : ''}`;
      ctx.report({
        span: { file: join(ctx.root, 'README.md'), line: 1, col: 1, endLine: 1, endCol: 1 },
        message: `the project has ${what} but no README: nobody can tell how to configure and start it without reading them all`,
      });
      return;
    }
    const text = readmes.map((f) => ctx.read(f) ?? '').join('\n');
    if (RUN_WORDS.test(text)) return;
    ctx.report({
      span: { file: readmes[0]!, line: 1, col: 1, endLine: 1, endCol: 1 },
      message: `${basename(readmes[0]!)} never mentions Docker, Podman or compose: add how to configure and start the containers`,
    });
  },
  cases: {
    valid: [
      { files: { 'README.md': '# MediaNest\n\n## Quick start\n\n    docker compose up -d\n', 'compose.yml': 'services:\n  web:\n    image: nginx:1.27\n' } },
      { files: { 'readme.txt': 'Run it with podman-compose up.\n', 'Containerfile': 'FROM alpine:3.20\n' } },
      { name: 'nothing to run: not applicable', files: { 'notes.txt': 'hello\n' } },
    ],
    invalid: [
      { name: 'no README', files: { 'compose.yml': 'services:\n  web:\n    image: nginx:1.27\n', 'docs/README.md': '# docs\n' }, errors: [{ file: 'README.md', line: 1, column: 1, message: /has 1 compose file but no README/ }] },
      {
        name: 'README says nothing about containers',
        files: { 'README.md': '# Tool\n\nA media manager.\n', 'Dockerfile': 'FROM node:20-alpine\n' },
        errors: [{ file: 'README.md', line: 1, column: 1, message: /README\.md never mentions Docker, Podman or compose/ }],
      },
    ],
  },
};
