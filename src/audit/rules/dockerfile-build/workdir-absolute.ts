import type { DockerfileRule } from '../../rule.js';
import { chain } from './_shared.js';

/**
 * A relative WORKDIR resolves against the previous WORKDIR, which may be the base image's: the
 * files land somewhere the Dockerfile does not say.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'workdir-absolute',
    title: 'WORKDIR paths are absolute',
    category: 'architecture',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    for (const stage of ctx.dockerfile.stages) {
      let anchored = false; // an absolute WORKDIR earlier in this stage (or in the stage it is built on)
      for (const s of chain(stage)) {
        for (const instr of s.instructions) {
          if (instr.keyword !== 'WORKDIR' || instr.onbuild) continue;
          const dir = instr.value.trim().replace(/^(["'])(.*)\1$/, '$2');
          if (!dir) continue;
          if (dir.startsWith('$')) {
            anchored = true; // WORKDIR $HOME: cannot tell, and later relative ones follow it
            continue;
          }
          if (dir.startsWith('/') || /^[A-Za-z]:[\\/]/.test(dir) || dir.startsWith('\\')) {
            anchored = true;
            continue;
          }
          if (s !== stage) continue; // reported with its own stage
          if (anchored) continue; // relative to a WORKDIR this file sets: well-defined
          ctx.report({
            span: instr.argsSpan,
            message: `WORKDIR "${dir}" is relative and no earlier WORKDIR in this stage sets an absolute one: it resolves against the base image's working directory; write the absolute path`,
          });
          anchored = true;
        }
      }
    }
    // no WORKDIR at all: nothing to judge
    if (!ctx.dockerfile.stages.some((s) => s.instructions.some((i) => i.keyword === 'WORKDIR' && !i.onbuild))) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM node:20\nWORKDIR /app\n' },
      { name: 'relative to an absolute WORKDIR of this file', code: 'FROM node:20 AS base\nWORKDIR /app\nFROM base\nWORKDIR src\n' },
      { name: 'variables and Windows paths', code: 'FROM node:20\nWORKDIR $HOME/app\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\\\app\n' },
    ],
    invalid: [
      {
        code: 'FROM node:20\nWORKDIR app\nCOPY . .\n',
        errors: [{ line: 2, column: 9, message: /WORKDIR "app" is relative/ }],
      },
      {
        name: 'only the first relative one of a stage',
        code: 'FROM golang:1.22 AS build\nWORKDIR /src\nFROM alpine:3.20\nWORKDIR "opt/app"\nWORKDIR bin\n',
        errors: [{ line: 4, column: 9, message: /"opt\/app"/ }],
      },
    ],
  },
};
