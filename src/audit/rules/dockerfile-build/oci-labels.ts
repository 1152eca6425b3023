import { parseShell } from '../../../dockerfile/shell.js';
import type { DockerfileRule } from '../../rule.js';
import { finalChain } from './_shared.js';

const WANTED = ['org.opencontainers.image.source', 'org.opencontainers.image.title', 'org.opencontainers.image.description'];

/** OCI annotations let registries, Renovate and people find where an image comes from. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'oci-labels',
    title: 'The image carries OCI source, title and description labels',
    category: 'documentation',
    severity: 'info',
    fixable: false,
    profiles: ['strict'],
  },
  check(ctx) {
    const stages = finalChain(ctx.dockerfile);
    const last = stages[stages.length - 1];
    if (!last) return ctx.skip();
    const keys = new Set<string>();
    for (const s of stages) {
      for (const instr of s.instructions) {
        if (instr.keyword !== 'LABEL' || instr.onbuild) continue;
        const parsed = parseShell(instr.value);
        const first = parsed[0]?.argv[0];
        if (first !== undefined && !first.includes('=') && Object.keys(parsed[0]!.assignments).length === 0) {
          keys.add(first.toLowerCase()); // legacy LABEL key value
          continue;
        }
        for (const c of parsed) {
          for (const k of Object.keys(c.assignments)) keys.add(k.toLowerCase());
          for (const w of c.argv) if (w.includes('=')) keys.add(w.slice(0, w.indexOf('=')).toLowerCase());
        }
      }
    }
    const missing = WANTED.filter((k) => !keys.has(k));
    if (missing.length === 0) return;
    ctx.report({
      span: last.instructions[0]!.keywordSpan,
      message: `the final image has no ${missing.map((k) => k.replace('org.opencontainers.image.', '')).join(', ')} label${missing.length > 1 ? 's' : ''}: add LABEL ${missing.map((k) => `${k}="…"`).join(' ')} so registries and update tools can tell what it is and where it comes from`,
    });
  },
  cases: {
    valid: [
      {
        code: 'FROM alpine:3.20\nLABEL org.opencontainers.image.source="https://github.com/me/app" \\\n      org.opencontainers.image.title="app" \\\n      org.opencontainers.image.description="An app"\n',
      },
      {
        name: 'labels in the base stage, variables',
        code: 'ARG REPO=https://github.com/me/app\nFROM alpine:3.20 AS base\nLABEL org.opencontainers.image.source=$REPO org.opencontainers.image.title=app\nFROM base\nLABEL "org.opencontainers.image.description"="An app"\n',
      },
    ],
    invalid: [
      {
        code: 'FROM alpine:3.20\nLABEL maintainer="me"\n',
        errors: [{ line: 1, column: 1, message: /no source, title, description labels/ }],
      },
      {
        name: 'builder labels do not count',
        code: 'FROM golang:1.22 AS build\nLABEL org.opencontainers.image.source=x org.opencontainers.image.title=y\nFROM alpine:3.20\nLABEL org.opencontainers.image.title=app\n',
        errors: [{ line: 3, column: 1, message: /no source, description labels/ }],
      },
    ],
  },
};
