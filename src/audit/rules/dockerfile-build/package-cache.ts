import { fix } from '../../fix-helpers.js';
import type { Instruction } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { addAfterVerb, commandSpan, commands, envNames, finalChain, has, locate, mountCovers, pkgCommands, positionals, runs, stageLabel, type Cmd, type Located, type PkgCommand } from './_shared.js';

const NO_VALUES = new Set<string>();

/**
 * Package managers leave indexes and downloaded packages behind. In a Dockerfile they stay in the
 * layer forever (deleting them in a later RUN does not shrink the image), so they must go in the
 * same RUN, or never be written (`--no-cache`, a BuildKit cache mount).
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'package-cache',
    title: 'Package-manager caches stay out of image layers',
    category: 'architecture',
    severity: 'medium',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    const stages = finalChain(ctx.dockerfile);
    for (const stage of stages) {
      const where = stageLabel(ctx.dockerfile, stage);
      for (const instr of runs(stage)) {
        const pcs = pkgCommands(instr);
        if (pcs.length === 0) continue;
        const cmds = commands(instr);
        let loc: Located | undefined | null = null;
        const located = () => (loc === null ? (loc = locate(ctx.text, ctx.dockerfile, instr)) : loc);
        const report = (pc: PkgCommand, message: string, flag?: string) => {
          const edit = flag ? addAfterVerb(ctx.text, located(), pc, flag) : undefined;
          ctx.report({
            span: commandSpan(ctx, located(), instr, pc.cmd),
            message,
            ...(flag && edit ? { fix: fix(`Add ${flag} to ${pc.tool} ${pc.verb}`, edit) } : {}),
          });
        };

        // apt: the lists `apt-get update` downloads (~20-50 MB)
        const aptUpdate = pcs.find((p) => (p.tool === 'apt-get' || p.tool === 'apt') && p.verb === 'update');
        const aptUses = pcs.some((p) => (p.tool === 'apt-get' || p.tool === 'apt') && ['install', 'reinstall', 'upgrade', 'dist-upgrade', 'full-upgrade'].includes(p.verb));
        if (aptUpdate && aptUses) {
          looked = true;
          const cleaned =
            mountCovers(instr, '/var/lib/apt/lists') ||
            removes(cmds, /^\/var\/lib\/apt(\/lists)?(\/\*?)?$/) ||
            pcs.some((p) => (p.tool === 'apt-get' || p.tool === 'apt') && p.verb === 'dist-clean');
          if (!cleaned) report(aptUpdate, `"${aptUpdate.tool} update" in ${where} leaves the package lists in the layer (tens of MB): end the same RUN with "rm -rf /var/lib/apt/lists/*", or use a cache mount for /var/lib/apt`);
        }

        // apk: the index and packages under /var/cache/apk
        const apks = pcs.filter((p) => p.tool === 'apk' && ['add', 'update', 'upgrade'].includes(p.verb));
        if (apks.length) {
          looked = true;
          const cleaned = mountCovers(instr, '/var/cache/apk') || mountCovers(instr, '/etc/apk/cache') || removes(cmds, /^\/var\/cache\/apk(\/\*?)?$/) || pcs.some((p) => p.tool === 'apk' && p.verb === 'cache' && ['clean', 'purge'].includes(p.operands[0] ?? ''));
          for (const pc of cleaned ? [] : apks.filter((p) => !has(p.args, '--no-cache', '--no-network'))) {
            if (pc.verb === 'update') report(pc, `"apk update" in ${where} stores the package index in /var/cache/apk, in the layer: drop it and use "apk add --no-cache", which fetches a fresh index without keeping it`);
            else report(pc, `"apk ${pc.verb}" without --no-cache in ${where} keeps the package index in /var/cache/apk, in the layer: use "apk ${pc.verb} --no-cache"`, '--no-cache');
          }
        }

        // pip: wheels and downloads under ~/.cache/pip
        const pips = pcs.filter((p) => p.tool === 'pip' && p.verb === 'install');
        if (pips.length) {
          looked = true;
          const env = envNames(stages, instr);
          const cleaned = env.has('PIP_NO_CACHE_DIR') || pipCacheMounted(instr, pips) || removes(cmds, /(^|\/)\.cache(\/pip)?(\/\*?)?$/) || pcs.some((p) => p.tool === 'pip' && p.verb === 'cache' && p.operands[0] === 'purge');
          for (const pc of cleaned ? [] : pips.filter((p) => !has(p.args, '--no-cache-dir') && !('PIP_NO_CACHE_DIR' in p.cmd.raw.assignments))) {
            report(pc, `"pip install" without --no-cache-dir in ${where} keeps downloaded packages in ~/.cache/pip, in the layer: add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)`, '--no-cache-dir');
          }
        }

        // yum / dnf / microdnf: metadata and packages under /var/cache/yum or /var/cache/dnf
        const rpm = pcs.find((p) => (p.tool === 'yum' || p.tool === 'dnf' || p.tool === 'microdnf') && ['install', 'groupinstall', 'reinstall', 'update', 'upgrade', 'makecache', 'distro-sync'].includes(p.verb));
        if (rpm) {
          looked = true;
          const cleaned =
            mountCovers(instr, '/var/cache/yum', '/var/cache/dnf', '/var/cache/libdnf5') ||
            removes(cmds, /^\/var\/cache\/(yum|dnf|libdnf5)(\/\*?)?$/) ||
            pcs.some((p) => (p.tool === 'yum' || p.tool === 'dnf' || p.tool === 'microdnf') && p.verb === 'clean' && p.operands.includes('all'));
          if (!cleaned) report(rpm, `"${rpm.tool} ${rpm.verb}" in ${where} leaves repository metadata and packages in /var/cache/${rpm.tool === 'yum' ? 'yum' : 'dnf'}: end the same RUN with "${rpm.tool} clean all"`);
        }

        // zypper: /var/cache/zypp
        const zypper = pcs.find((p) => p.tool === 'zypper' && ['in', 'install', 'up', 'update', 'dup', 'dist-upgrade', 'patch', 'ref', 'refresh'].includes(p.verb));
        if (zypper) {
          looked = true;
          const cleaned = mountCovers(instr, '/var/cache/zypp') || removes(cmds, /^\/var\/cache\/zypp(\/\*?)?$/) || pcs.some((p) => p.tool === 'zypper' && (p.verb === 'clean' || p.verb === 'cc'));
          if (!cleaned) report(zypper, `"zypper ${zypper.verb}" in ${where} leaves repository metadata and packages in /var/cache/zypp: end the same RUN with "zypper clean --all"`);
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n' },
      { name: 'apk --no-cache (seed 003: the cache part is fine)', code: 'FROM node:20-alpine\nRUN apk add --no-cache python3 make g++\n' },
      {
        name: 'BuildKit cache mounts',
        code: 'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \\\n    apt-get update && apt-get install -y curl\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n',
      },
      { name: 'PIP_NO_CACHE_DIR and dist-clean', code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\nRUN apt-get update; apt-get install -y curl; apt-get dist-clean\n' },
      { name: 'dnf clean all, apk cache removed', code: 'FROM fedora:40\nRUN dnf install -y git && dnf clean all\nFROM alpine:3.20\nRUN apk update && apk add git && rm -rf /var/cache/apk/*\n' },
      { name: 'builder stages do not reach the image', code: 'FROM python:3.12 AS build\nRUN pip install -r req.txt\nFROM python:3.12-slim\nCOPY --from=build /usr/local /usr/local\n' },
    ],
    invalid: [
      {
        name: 'apt lists left behind',
        code: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n',
        errors: [{ line: 2, column: 5, message: /leaves the package lists/ }],
      },
      {
        name: 'apk and pip, fixed in place',
        code: 'FROM python:3.12-alpine\n# build deps\nRUN apk add \\\n      gcc \\\n && python3 -m pip install --upgrade pip\n',
        errors: [
          { line: 3, column: 5, message: /"apk add" without --no-cache/ },
          { line: 5, column: 5, message: /"pip install" without --no-cache-dir/ },
        ],
        output: 'FROM python:3.12-alpine\n# build deps\nRUN apk add --no-cache \\\n      gcc \\\n && python3 -m pip install --no-cache-dir --upgrade pip\n',
      },
      {
        name: 'apk update and yum in a base stage of the final stage',
        code: 'FROM alpine:3.20 AS base\nRUN apk update && apk add --no-cache curl\nFROM centos:7 AS rpm\nRUN yum install -y git\nFROM base\nCMD ["sh"]\n',
        errors: [{ line: 2, column: 5, message: /"apk update" in stage "base"/ }],
      },
      {
        name: 'single stage yum',
        code: 'FROM rockylinux:9\nRUN yum install -y git && rm -rf /tmp/*\n',
        errors: [{ line: 2, column: 5, message: /yum clean all/ }],
      },
    ],
  },
};

/** Whether a command of the RUN deletes a path matching `re` (`rm -rf /var/lib/apt/lists/*`, `find /var/cache/apk -delete`). */
function removes(cmds: Cmd[], re: RegExp): boolean {
  return cmds.some((c) => {
    if (c.prog === 'rm') return positionals(c.args, NO_VALUES).some((p) => re.test(p.word.replace(/^~/, '/root')));
    if (c.prog === 'find') return c.args.includes('-delete') && c.args.some((a) => re.test(a));
    return false;
  });
}

/** A cache mount on pip's cache folder: --cache-dir, or ~/.cache (of any user). */
function pipCacheMounted(instr: Instruction, pips: PkgCommand[]): boolean {
  for (const p of pips) {
    const i = p.args.findIndex((a) => a === '--cache-dir' || a.startsWith('--cache-dir='));
    const dir = i < 0 ? undefined : p.args[i]!.includes('=') ? p.args[i]!.slice(p.args[i]!.indexOf('=') + 1) : p.args[i + 1];
    if (dir && mountCovers(instr, dir.replace(/\/+$/, ''))) return true;
  }
  return instr.flags.some((f) => f.name === 'mount' && f.value && /type=cache/.test(f.value) && /(target|dst|destination)=[^,]*\/\.cache(\/pip)?\/?(,|$)/.test(f.value));
}
