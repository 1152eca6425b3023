import type { DockerfileRule } from '../../rule.js';

/** A Dockerfile that cannot build at all: every other rule's verdict on it would mean nothing. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'dockerfile-syntax',
    title: 'Dockerfiles can be built',
    category: 'architecture',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    for (const p of ctx.dockerfile.problems) ctx.report({ span: p.span, message: p.message });
  },
  cases: {
    valid: [{ code: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nRUN true\n' }, { code: '# syntax=docker/dockerfile:1\nFROM scratch\nCOPY app /\n' }],
    invalid: [
      { code: 'FORM ubuntu:24.04\nRUN apt-get update\n', errors: [{ line: 1, column: 1, message: /unknown instruction FORM \(did you mean FROM\?\)/ }, { line: 1, column: 1, message: /no FROM instruction/ }] },
      { name: 'only comments', code: '# to be written\n\n', errors: [{ line: 1, column: 1, message: /no instructions/ }] },
      { code: 'ENV A=1\nFROM alpine:3.20\n', errors: [{ line: 1, column: 1, message: /ENV before the first FROM/ }] },
    ],
  },
};
