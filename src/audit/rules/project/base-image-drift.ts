import { dirname } from 'node:path';
import type { ImageRef } from '../../../dockerfile/model.js';
import type { ProjectRule } from '../../rule.js';
import { imageFamily, rel } from './_shared.js';

/** 18 for "18-alpine", 3 for "3.12-slim", 22 for "22.04"; none for "lts", "latest", dates and commit hashes. */
export function majorVersion(tag: string | undefined): number | undefined {
  const m = /^v?(\d{1,4})(?=$|[.\-_])/.exec(tag ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The same base image at different major versions across the project: dev and prod, build and runtime drift apart. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'base-image-drift',
    title: 'Each base image is used at one major version across the project',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const byFamily = new Map<string, { from: ImageRef; major: number }[]>();
    let compared = 0;
    for (const model of ctx.dockerfiles) {
      for (const stage of model.stages) {
        const family = imageFamily(stage.from);
        const major = majorVersion(stage.from.tag);
        if (family === undefined || major === undefined) continue;
        compared++;
        byFamily.set(family, [...(byFamily.get(family) ?? []), { from: stage.from, major }]);
      }
    }
    // Nothing to compare unless one image family is used at least twice.
    if (compared < 2 || ![...byFamily.values()].some((uses) => uses.length >= 2)) return ctx.skip();
    for (const [family, uses] of byFamily) {
      const newest = Math.max(...uses.map((u) => u.major));
      if (uses.every((u) => u.major === newest)) continue;
      const newer = uses.filter((u) => u.major === newest).map((u) => u.from);
      for (const { from, major } of uses) {
        if (major === newest) continue;
        // Name the closest use of the newest version: same file, same folder, else the first.
        const ref = newer.find((n) => n.span.file === from.span.file) ?? newer.find((n) => dirname(n.span.file) === dirname(from.span.file)) ?? newer[0]!;
        ctx.report({
          span: from.span,
          message: `"${from.text}" is ${family} ${major}, but ${rel(ctx, ref.span.file)}:${ref.span.line} uses "${ref.text}" (${family} ${newest}): what you test is not what you ship; standardise on one major version`,
        });
      }
    }
  },
  cases: {
    valid: [
      {
        name: 'one major version, different variants and minors',
        files: {
          'frontend/Dockerfile': 'FROM node:20-alpine AS build\nRUN npm ci\nFROM docker.io/library/node:20.11-slim\n',
          'frontend/Dockerfile.dev': 'FROM node:20-alpine\nCMD ["npm", "run", "dev"]\n',
          'backend/Dockerfile': 'FROM python:3.11-slim AS build\nFROM python:3.12-slim\n',
        },
      },
      {
        name: 'stages, variables and unversioned tags are not compared',
        files: {
          'Dockerfile': 'ARG NODE_VERSION\nFROM node:${NODE_VERSION}-alpine AS build\nFROM node:lts-alpine AS dev\nFROM build AS prod\n',
          'web/Dockerfile': 'FROM node:18-alpine\n',
        },
      },
    ],
    invalid: [
      {
        name: 'seed 003: Node 18 (dev) vs Node 20 (prod)',
        files: {
          'frontend/Dockerfile.dev': '# development image with hot reload\nFROM node:18-alpine\nCMD ["npm", "run", "dev"]\n',
          'frontend/Dockerfile': 'FROM node:20-alpine AS deps\nRUN npm ci\nFROM node:20-alpine\nCOPY --from=deps /app /app\n',
        },
        errors: [{ file: 'frontend/Dockerfile.dev', line: 2, column: 6, message: /"node:18-alpine" is node 18, but frontend\/Dockerfile:1 uses "node:20-alpine" \(node 20\)/ }],
      },
      {
        name: 'registry spelled out, drift inside one multi-stage Dockerfile',
        files: {
          'Dockerfile': 'FROM docker.io/library/ubuntu:22.04 AS build\nRUN make\nFROM ubuntu:24.04\nFROM ghcr.io/acme/base:1 AS other\n',
          'tools/Dockerfile': 'FROM ghcr.io/acme/base:2\n',
        },
        errors: [
          { file: 'Dockerfile', line: 1, column: 6, message: /ubuntu 22, but Dockerfile:3 uses "ubuntu:24.04"/ },
          { file: 'Dockerfile', line: 4, column: 6, message: /ghcr\.io\/acme\/base 1, but tools\/Dockerfile:1/ },
        ],
      },
    ],
  },
};
