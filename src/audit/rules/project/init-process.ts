import { basename, relative } from 'node:path';
import type { Instruction, Stage } from '../../../dockerfile/model.js';
import { parseShell, program, type ShellCommand } from '../../../dockerfile/shell.js';
import { addToMapping, fix } from '../../fix-helpers.js';
import type { BuildRef, ProjectContext, ProjectRule } from '../../rule.js';
import { lineage } from '../_stages.js';
import { buildKeySpan, builtStage, dockerfileOf, imageFamily, inherited, rel, reportOnce } from './_shared.js';

/** Programs that are an init: they reap zombies and forward signals. */
const INITS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit', 'init', 'docker-init', 's6-svscan', 'my_init', 'runsvdir', 'supervisord', 'systemd', 'pid1']);
/** Runtimes that, as PID 1, ignore SIGTERM unless the app handles it, and never reap orphans. */
const NEEDS_INIT = new Set(['node', 'nodejs', 'npm', 'npx', 'yarn', 'pnpm', 'python', 'python2', 'python3', 'flask', 'php', 'perl']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
const INIT_IN_SCRIPT = /\b(tini|dumb-init|catatonit|s6-svscan|supervisord)\b/;

type Verdict = { kind: 'init' } | { kind: 'fine' } | { kind: 'unknown' } | { kind: 'bare'; program: string };

/** argv of an ENTRYPOINT/CMD instruction; shell form runs under /bin/sh -c. */
function argvOf(i: Instruction): ShellCommand[] {
  return i.shell ?? [];
}

/** A compose entrypoint/command: exec form (list) or a string compose splits like a shell would. */
function composeArgv(v: string | string[]): ShellCommand[] {
  return Array.isArray(v) ? (v.length ? [{ argv: v, assignments: {} }] : []) : parseShell(v);
}

/** What runs as PID 1 for these commands, given the command (CMD) that an entrypoint script may exec. */
function judge(ctx: ProjectContext, ref: BuildRef, commands: ShellCommand[], cmd: ShellCommand[], depth: number): Verdict {
  const first = commands[0];
  if (!first) return cmd.length && depth < 3 ? judge(ctx, ref, cmd, [], depth + 1) : { kind: 'unknown' };
  const p = program(first);
  if (p === undefined) return { kind: 'unknown' };
  if (INITS.has(p)) return { kind: 'init' };
  // sh -c "...": the shell is PID 1 unless it runs one command (which it then execs).
  const c = first.argv.indexOf('-c');
  if (SHELLS.has(p) && c > 0 && first.argv[c + 1] !== undefined) {
    const inner = parseShell(first.argv[c + 1]!);
    return inner.length === 1 && depth < 3 ? judge(ctx, ref, inner, cmd, depth + 1) : { kind: 'bare', program: p };
  }
  const script = SHELLS.has(p) ? first.argv.find((a, i) => i > 0 && !a.startsWith('-')) : /\.(sh|bash)$/.test(p) || /entrypoint/i.test(p) ? p : undefined;
  if (script !== undefined) {
    const text = findScript(ctx, ref, script);
    if (text === undefined) {
      // Not in the build context: most entrypoint scripts end in `exec "$@"`; judge the command.
      return cmd.length && depth < 3 ? judge(ctx, ref, cmd, [], depth + 1) : { kind: 'unknown' };
    }
    if (INIT_IN_SCRIPT.test(text)) return { kind: 'init' };
    const exec = text.split('\n').map((l) => /^\s*exec\s+(.*)$/.exec(l)?.[1]).find((x) => x !== undefined);
    if (exec === undefined) return { kind: 'bare', program: basename(script) };
    if (/^"?\$[@*]"?\s*$/.test(exec.trim()) || /^"?\$\{?[@*]\}?"?$/.test(exec.trim())) return cmd.length && depth < 3 ? judge(ctx, ref, cmd, [], depth + 1) : { kind: 'unknown' };
    return depth < 3 ? judge(ctx, ref, parseShell(exec), cmd, depth + 1) : { kind: 'unknown' };
  }
  if (SHELLS.has(p)) return { kind: 'bare', program: p };
  return NEEDS_INIT.has(p) ? { kind: 'bare', program: p } : { kind: 'fine' };
}

/** An entrypoint script of the build context, by file name. */
function findScript(ctx: ProjectContext, ref: BuildRef, script: string): string | undefined {
  const name = basename(script);
  const inContext = ctx.files.filter((f) => basename(f) === name && !relative(ref.context, f).startsWith('..'));
  return inContext.length ? ctx.read(inContext[0]!) : undefined;
}

/** Official Docker Hub images (node, python, nginx...) set no init; what other bases set is unknown. */
function officialBase(stage: Stage): boolean {
  const root = lineage(stage).at(-1)!;
  if (root.from.scratch) return true;
  const family = imageFamily(root.from);
  return family !== undefined && !family.includes('/');
}

/** The written service mapping can take a new key at its end: a block mapping whose keys are all here, in order. */
function canAppend(ctx: ProjectContext, ref: BuildRef, text: string): boolean {
  const node = ref.service.node;
  if (node.span.file !== ref.composeFile || text[node.span.offset ?? 0] === '{') return false;
  let last = -1;
  for (const e of node.entries) {
    const o = e.keySpan.offset ?? -1;
    if (e.keySpan.file !== ref.composeFile || o <= last || o < (node.span.offset ?? 0) || o > (node.span.endOffset ?? 0)) return false;
    last = o;
  }
  return ctx.compose.some((c) => c.file === ref.composeFile);
}

/** A runtime like node or python as PID 1 ignores SIGTERM and leaves zombies: run it under an init. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'init-process',
    title: 'Built services run under an init process',
    category: 'orchestration',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    const report = reportOnce(ctx);
    for (const ref of ctx.builds) {
      const config = ref.service.config;
      if (config.init === true) {
        looked = true;
        continue;
      }
      const { model } = dockerfileOf(ctx, ref);
      const stage = model ? builtStage(model, ref.target) : undefined;
      if (!stage) continue;
      // ENTRYPOINT and CMD in effect: compose overrides; an ENTRYPOINT set after a CMD resets it.
      const entryInstr = inherited(stage, 'ENTRYPOINT');
      const cmdInstr = inherited(stage, 'CMD');
      const chain = lineage(stage);
      const cmdReset = entryInstr && cmdInstr && chain.findIndex((s) => s.instructions.includes(entryInstr)) < chain.findIndex((s) => s.instructions.includes(cmdInstr));
      let entry: ShellCommand[];
      let cmd: ShellCommand[];
      if (config.entrypoint !== undefined) {
        entry = composeArgv(config.entrypoint);
        cmd = config.command !== undefined ? composeArgv(config.command) : [];
      } else {
        if (!entryInstr && !officialBase(stage)) {
          ctx.skip(); // the base image may set an init as its ENTRYPOINT
          continue;
        }
        entry = entryInstr ? argvOf(entryInstr) : [];
        cmd = config.command !== undefined ? composeArgv(config.command) : cmdInstr && !cmdReset ? argvOf(cmdInstr) : [];
      }
      const verdict = judge(ctx, ref, entry, cmd, 0);
      if (verdict.kind === 'unknown') {
        ctx.skip();
        continue;
      }
      looked = true;
      if (verdict.kind !== 'bare') continue;
      const from = config.entrypoint !== undefined || config.command !== undefined ? 'its compose command' : `${rel(ctx, stage.span.file)}${stage.name ? `, stage "${stage.name}"` : ''}`;
      const text = ctx.compose.find((c) => c.file === ref.composeFile)?.text ?? '';
      const edit = canAppend(ctx, ref, text) ? addToMapping(text, ref.service.node, 'init: true') : undefined;
      report({
        span: buildKeySpan(ref),
        message: `service "${ref.service.name}" runs ${verdict.program} as PID 1 (${from}) with no init: it ignores SIGTERM unless the app handles it and never reaps zombies, so stops wait for the kill timeout; add init: true or start it under tini/dumb-init`,
        ...(edit ? { fix: fix('Add init: true to the service', edit) } : {}),
      });
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      {
        name: 'dumb-init entrypoint (seed 003), init: true, compiled binary',
        files: {
          'compose.yml': 'services:\n  api:\n    build: ./api\n  web:\n    build: ./web\n    init: true\n  go:\n    build: ./go\n',
          'api/Dockerfile': 'FROM node:20-alpine\nRUN apk add --no-cache dumb-init\nENTRYPOINT ["dumb-init", "--"]\nCMD ["node", "dist/server.js"]\n',
          'web/Dockerfile': 'FROM node:20-alpine\nCMD ["npm", "start"]\n',
          'go/Dockerfile': 'FROM golang:1.22 AS build\nRUN go build -o /srv .\nFROM scratch\nCOPY --from=build /srv /srv\nENTRYPOINT ["/srv"]\n',
        },
      },
      {
        name: 'entrypoint script that starts tini; base image of unknown entrypoint; CMD inherited from a stage',
        files: {
          'compose.yml': 'services:\n  app:\n    build: .\n  lsio:\n    build: ./lsio\n',
          'Dockerfile': 'FROM python:3.12-slim AS base\nCMD ["python", "app.py"]\nFROM base\nCOPY docker-entrypoint.sh /\nENTRYPOINT ["/docker-entrypoint.sh"]\n',
          'docker-entrypoint.sh': '#!/bin/sh\nset -e\nexec /usr/bin/tini -- "$@"\n',
          'lsio/Dockerfile': 'FROM lscr.io/linuxserver/baseimage-alpine:3.20\nCMD ["node", "app.js"]\n',
        },
      },
    ],
    invalid: [
      {
        name: 'node as PID 1, with a comment near the edit',
        files: {
          'compose.yml': 'services:\n  api:\n    build:\n      context: ./api\n    restart: unless-stopped # keep it up\n  db:\n    image: postgres:16\n',
          'api/Dockerfile': 'FROM node:20-alpine\nWORKDIR /app\nCMD ["node", "server.js"]\n',
        },
        errors: [{ file: 'compose.yml', line: 3, column: 5, message: /service "api" runs node as PID 1 \(api\/Dockerfile\) with no init/ }],
        output: 'services:\n  api:\n    build:\n      context: ./api\n    restart: unless-stopped # keep it up\n    init: true\n  db:\n    image: postgres:16\n',
      },
      {
        name: 'entrypoint script execs the CMD; compose command overrides; flow mapping gets no fix',
        files: {
          'compose.yml': 'services:\n  api:\n    build: .\n  worker: {build: ., command: "npm run worker"}\n',
          'Dockerfile': 'FROM node:20-alpine\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\nCMD ["node", "server.js"]\n',
          'entrypoint.sh': '#!/bin/sh\nset -e\nnpx prisma migrate deploy\nexec "$@"\n',
        },
        errors: [
          { file: 'compose.yml', line: 3, column: 5, message: /runs node as PID 1 \(Dockerfile\)/ },
          { file: 'compose.yml', line: 4, column: 12, message: /service "worker" runs npm as PID 1 \(its compose command\)/ },
        ],
        output: 'services:\n  api:\n    build: .\n    init: true\n  worker: {build: ., command: "npm run worker"}\n',
      },
    ],
  },
};
