import type { DockerfileRule } from '../../rule.js';

const FLOATING = new Set(['latest', 'stable', 'edge', 'lts', 'current', 'rolling', 'nightly', 'main', 'master']);

/** A FROM without a tag, or with a floating one, builds a different image tomorrow. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'base-image-tag',
    title: 'Base images are pinned to a version',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      const from = stage.from;
      if (from.stage || from.scratch) continue;
      if (from.unresolved.length) continue; // FROM ${BASE}: cannot tell
      looked = true;
      if (from.digest) continue;
      if (from.tag === undefined) {
        ctx.report({ span: from.span, message: `"${from.text}" has no tag, so it means :latest and changes under you`, });
      } else if (FLOATING.has(from.tag.toLowerCase())) {
        ctx.report({ span: from.span, message: `"${from.text}" uses the floating tag :${from.tag}; pin a version (and update it deliberately)` });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM node:20-alpine\n' },
      { code: 'FROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' },
      { code: 'ARG BASE\nFROM ${BASE}\n' },
      { code: 'FROM golang:1.22 AS build\nFROM build\n' },
      { code: 'ARG V=20\nFROM node:${V}\n' },
    ],
    invalid: [
      { code: 'FROM ubuntu\nRUN true\n', errors: [{ line: 1, column: 6, message: /has no tag/ }] },
      { code: 'FROM node:20 AS deps\nFROM nginx:latest\n', errors: [{ line: 2, column: 6, message: /floating tag :latest/ }] },
    ],
  },
};
