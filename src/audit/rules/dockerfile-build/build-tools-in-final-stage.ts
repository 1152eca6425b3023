import type { DockerfileRule } from '../../rule.js';
import { commands, dynamic, finalChain, locate, operandSpan, packageName, pkgCommand, runs, stageLabel, type Cmd, type PkgCommand } from './_shared.js';

/** Compilers and toolchains: what a build needs and a running service does not. */
const TOOLS = new Set([
  'gcc', 'g++', 'gcc-c++', 'clang', 'make', 'cmake', 'build-base', 'build-essential', 'autoconf', 'automake', 'libtool', 'musl-dev', 'linux-headers',
  'python3-dev', 'python-dev', 'python3-devel', 'python-devel', 'development tools', '@development-tools',
]);
const INSTALL: Record<string, string[]> = { 'apt-get': ['install'], apt: ['install'], apk: ['add'], yum: ['install', 'groupinstall'], dnf: ['install', 'groupinstall'], microdnf: ['install'], zypper: ['in', 'install'] };
const REMOVE: Record<string, string[]> = { 'apt-get': ['remove', 'purge'], apt: ['remove', 'purge'], apk: ['del'], yum: ['remove', 'erase'], dnf: ['remove', 'erase'], microdnf: ['remove'], zypper: ['rm', 'remove'] };

/**
 * Seed 003: "some containers install build tools but don't clean up". Compilers in the final image
 * add hundreds of MB and hand an attacker a toolchain; they belong in a builder stage.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'build-tools-in-final-stage',
    title: 'Build tools stay out of the final image',
    category: 'architecture',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    if (/(^|\/)\.devcontainer\//.test(ctx.file)) return ctx.skip(); // development containers need compilers
    const stages = finalChain(ctx.dockerfile);
    // every command of the final image, in build order, with its RUN
    const all: { cmd: Cmd; run: number }[] = [];
    const instrs = stages.flatMap(runs);
    instrs.forEach((instr, run) => commands(instr).forEach((cmd) => all.push({ cmd, run })));
    let looked = false;
    instrs.forEach((instr, run) => {
      for (const cmd of commands(instr)) {
        const pc = pkgCommand(cmd);
        if (!pc || !INSTALL[pc.tool]?.includes(pc.verb)) continue;
        looked = true;
        const later = all.filter((a) => a.run > run || (a.run === run && a.cmd.index > cmd.index)).map((a) => a.cmd);
        const sameRun = later.filter((c) => all.find((a) => a.cmd === c)!.run === run);
        if (autoRemoved(sameRun)) continue; // apt-mark auto '.*' … apt-get purge --auto-remove
        const group = virtualGroup(pc);
        const removed = new Set<string>();
        for (const c of later) {
          const r = pkgCommand(c);
          if (r && REMOVE[r.tool]?.includes(r.verb)) for (const o of r.operands) removed.add(packageName(o).toLowerCase());
        }
        if (group && removed.has(group.toLowerCase())) continue;
        const tools = pc.operands.filter((o) => !dynamic(o) && TOOLS.has(toolName(o)) && !removed.has(packageName(o).toLowerCase()));
        if (tools.length === 0) continue;
        const stage = stages.find((s) => s.instructions.includes(instr))!;
        const loc = locate(ctx.text, ctx.dockerfile, instr);
        const names = tools.map((t) => packageName(t));
        const multi = ctx.dockerfile.stages.length > 1;
        ctx.report({
          span: operandSpan(ctx, loc, instr, pc, tools[0]),
          message:
            `${stageLabel(ctx.dockerfile, stage)} installs build tools (${names.join(', ')}) that stay in the final image, adding size and a compiler for an attacker: ` +
            (multi ? 'install them only in a builder stage and copy the result' : 'compile in a builder stage and copy only the result, or remove them in the same RUN') +
            (pc.tool === 'apk' ? ' (apk add --virtual .build-deps … && apk del .build-deps)' : ''),
        });
      }
    });
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { name: 'builder stage', code: 'FROM node:20-alpine AS build\nRUN apk add --no-cache python3 make g++\nRUN npm ci\nFROM node:20-alpine\nCOPY --from=build /app /app\n' },
      { name: 'virtual group deleted', code: 'FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev \\\n && pip install x \\\n && apk del .build-deps\n' },
      {
        name: 'apt-mark auto and purge --auto-remove',
        code: 'FROM php:8-apache\nRUN savedAptMark="$(apt-mark showmanual)"; \\\n    apt-get update; apt-get install -y --no-install-recommends gcc make; \\\n    make install; \\\n    apt-mark auto \'.*\' > /dev/null; apt-mark manual $savedAptMark; \\\n    apt-get purge -y --auto-remove; rm -rf /var/lib/apt/lists/*\n',
      },
      { name: 'purged later by name', code: 'FROM debian:12\nRUN apt-get update && apt-get install -y gcc && gcc -o /x x.c\nRUN apt-get purge -y gcc\n' },
      { name: 'runtime libraries only', code: 'FROM debian:12\nRUN apt-get update && apt-get install -y libpq5 ca-certificates && rm -rf /var/lib/apt/lists/*\n' },
    ],
    invalid: [
      {
        name: 'seed 003',
        code: 'FROM node:20-alpine\nWORKDIR /app\nRUN apk add --no-cache python3 make g++\nRUN npm ci\nCMD ["node", "server.js"]\n',
        errors: [{ line: 3, column: 32, message: /the image installs build tools \(make, g\+\+\)/ }],
      },
      {
        name: 'a base stage of the final image',
        code: 'FROM debian:12 AS base\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n    build-essential=12.9 python3-dev \\\n && rm -rf /var/lib/apt/lists/*\nFROM base AS build\nRUN make\nFROM base\nCOPY --from=build /out /out\n',
        errors: [{ line: 3, column: 5, message: /stage "base" installs build tools \(build-essential, python3-dev\).*builder stage/ }],
      },
    ],
  },
};

/** `gcc-12` → gcc, `g++-13` → g++, `clang-17` → clang; names lower-cased. */
function toolName(word: string): string {
  return packageName(word).toLowerCase().replace(/^(gcc|g\+\+|clang)-\d+$/, '$1');
}

/** apk --virtual/-t group name. */
function virtualGroup(pc: PkgCommand): string | undefined {
  if (pc.tool !== 'apk') return undefined;
  const i = pc.args.findIndex((a) => a === '--virtual' || a === '-t' || a.startsWith('--virtual='));
  if (i < 0) return undefined;
  const a = pc.args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : pc.args[i + 1];
}

/** The Debian official-image pattern: `apt-mark auto '.*'` then `apt-get purge --auto-remove` (or autoremove) in the same RUN. */
function autoRemoved(sameRunLater: Cmd[]): boolean {
  const mark = sameRunLater.findIndex((c) => c.prog === 'apt-mark' && c.args[0] === 'auto');
  if (mark < 0) return false;
  return sameRunLater.slice(mark).some((c) => {
    const p = pkgCommand(c);
    return p !== undefined && (p.tool === 'apt-get' || p.tool === 'apt') && (p.verb === 'autoremove' || ((p.verb === 'purge' || p.verb === 'remove') && p.args.some((a) => a === '--auto-remove' || a === '--autoremove')));
  });
}
