import type { Instruction, Stage } from '../../../dockerfile/model.js';
import { substitute } from '../../../dockerfile/parse.js';
import type { DockerfileRule } from '../../rule.js';
import { lineage } from '../_stages.js';
import { escapeOf, isWindowsImage, pairsOf } from './_shared.js';

const ROOT_USERS = new Set(['root', '0']);

/** Bases known to run as a non-root user by default. */
function nonRootBase(stage: Stage): boolean {
  const from = stage.from;
  const ref = `${from.registry ?? ''}/${from.name}`.toLowerCase();
  return /nonroot/i.test(from.tag ?? '') || /(^|\/)nginx-unprivileged$/.test(ref) || /^cgr\.dev\/chainguard\/(static|node|python|go|jre|nginx)$/.test(ref);
}

const DROP_TOOLS = new Set(['gosu', 'su-exec', 'setpriv', 's6-setuidgid', 'setuidgid', 'chpst', 'runuser']);

/** The image installs or calls a tool that entrypoints use to switch to a non-root user. */
function dropsPrivileges(stages: Stage[]): boolean {
  const named = (w: string) => DROP_TOOLS.has(w.slice(w.lastIndexOf('/') + 1).replace(/[=<>~].*$/, ''));
  for (const stage of stages) {
    for (const i of stage.instructions) {
      if (i.shell?.some((c) => c.argv.some(named))) return true;
      if (i.json?.some(named)) return true;
      const from = i.flags.find((f) => f.name === 'from')?.value;
      if (from && /gosu|su-exec/.test(from)) return true;
    }
  }
  return false;
}

/** The final stage runs as root: no USER at all, or a last USER of root / 0 / 0:0. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'user-root',
    title: 'The image runs as a non-root user',
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const final = ctx.finalStage;
    if (!final || isWindowsImage(final)) return ctx.skip();
    const stages = lineage(final);
    const escape = escapeOf(ctx.dockerfile);
    let last: { instr: Instruction; stage: Stage } | undefined;
    for (const stage of stages) {
      const users = stage.instructions.filter((i) => i.keyword === 'USER' && !i.onbuild);
      if (users.length) {
        last = { instr: users[users.length - 1]!, stage };
        break;
      }
    }
    const label = final.name ? `final stage "${final.name}"` : 'the final stage';
    if (!last) {
      const base = stages[stages.length - 1]!.from;
      if (base.unresolved.length) return ctx.skip(); // FROM ${BASE}: the base may set its user
      if (nonRootBase(stages[stages.length - 1]!)) return;
      if (base.scratch && !stages.some((s) => s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'))) return ctx.skip(); // an export stage, not an image that runs
      if (dropsPrivileges(stages)) return ctx.skip(); // the entrypoint may switch user: cannot tell
      const image = base.text.replace(/@sha256:[0-9a-f]+$/i, '');
      const what = base.scratch ? 'it runs as uid 0 (scratch has no users)' : `it runs as the default user of ${image}, usually root`;
      ctx.report({
        span: final.from.span,
        message: `${label} sets no USER, so ${what}: a compromised process owns the whole container. Add a USER with a non-root UID`,
      });
      return;
    }
    // Resolve ${VAR} in USER with the ARG defaults and ENV values written before it.
    const vars = new Map<string, string | undefined>();
    for (const i of ctx.dockerfile.preamble) if (i.keyword === 'ARG') for (const p of pairsOf(ctx, i, escape)) vars.set(p.name, p.value);
    for (const stage of stages.slice(stages.indexOf(last.stage)).reverse()) {
      for (const i of stage.instructions) {
        if (i === last.instr) break;
        if (i.keyword !== 'ARG' && i.keyword !== 'ENV') continue;
        for (const p of pairsOf(ctx, i, escape)) if (p.value !== undefined || !vars.has(p.name)) vars.set(p.name, p.value);
      }
    }
    const written = last.instr.value.trim();
    const { text, unresolved } = substitute(written, vars);
    if (unresolved.length) return ctx.skip();
    const [user = '', group] = text.split(':');
    if (!ROOT_USERS.has(user.toLowerCase())) return;
    if (dropsPrivileges(stages)) return ctx.skip();
    const where = last.stage === final ? '' : ` (inherited from stage "${last.stage.name ?? last.stage.index}")`;
    ctx.report({
      span: last.instr.argsSpan,
      message: `${label} runs as ${group !== undefined ? `${user}:${group}` : user}${where}: a compromised process owns the whole container. End with USER set to a non-root UID`,
    });
  },
  cases: {
    valid: [
      { name: 'numeric non-root user', code: 'FROM node:20-alpine\nRUN npm ci\nUSER 1000:1000\nCMD ["node", "index.js"]\n' },
      { name: 'root for setup, then back to a user', code: 'FROM debian:12\nUSER root\nRUN apt-get update\nUSER app\n' },
      { name: 'user inherited from an earlier stage', code: 'FROM python:3.12 AS base\nUSER app\nFROM base\nCMD ["python"]\n' },
      { name: 'root only in a build stage', code: 'FROM golang:1.22 AS build\nUSER root\nRUN go build\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\n' },
      { name: 'unresolved base: cannot tell', code: 'ARG BASE\nFROM ${BASE}\nCMD ["app"]\n' },
      { name: 'user from a build argument', code: 'FROM alpine:3.20\nARG UID=1000\nUSER ${UID}\n' },
      { name: 'user from a build argument without default', code: 'FROM alpine:3.20\nARG UID\nUSER $UID\n' },
      { name: 'the entrypoint drops privileges with su-exec', code: 'FROM node:22-alpine\nRUN apk add --no-cache su-exec\nUSER root\nENTRYPOINT ["docker-entrypoint.sh"]\n' },
      { name: 'a scratch stage that only exports files', code: 'FROM golang:1.22 AS build\nUSER 1000\nRUN go build -o /out/app\nFROM scratch AS export\nCOPY --from=build /out /\n' },
      { name: 'Windows base image', code: 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerAdministrator\n' },
    ],
    invalid: [
      {
        name: 'no USER at all',
        code: 'FROM node:20-alpine\nCOPY . /app\nCMD ["node", "/app/index.js"]\n',
        errors: [{ line: 1, column: 6, message: /^the final stage sets no USER, so it runs as the default user of node:20-alpine, usually root/ }],
      },
      {
        name: 'last USER is root, multi-stage',
        code: 'FROM golang:1.22 AS build\nUSER 1000\nFROM alpine:3.20 AS run\nUSER app\nRUN apk add --no-cache tzdata\nUSER 0:0\n',
        errors: [{ line: 6, column: 6, message: /final stage "run" runs as 0:0/ }],
      },
      {
        name: 'root through a build argument',
        code: 'ARG RUN_AS=root\nFROM debian:12\nARG RUN_AS\nUSER $RUN_AS\n',
        errors: [{ line: 4, column: 6, message: /runs as root/ }],
      },
      {
        name: 'inherited root user',
        code: 'FROM ubuntu:24.04 AS base\nUSER root\nFROM base\nCMD ["bash"]\n',
        errors: [{ line: 2, column: 6, message: /inherited from stage "base"/ }],
      },
      {
        name: 'scratch without USER',
        code: 'FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n',
        errors: [{ line: 3, column: 6, message: /runs as uid 0 \(scratch has no users\)/ }],
      },
    ],
  },
};
