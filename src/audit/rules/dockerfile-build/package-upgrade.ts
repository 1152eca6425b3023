import type { DockerfileRule } from '../../rule.js';
import { commandSpan, finalChain, locate, pkgCommands, runs, stageLabel, type PkgCommand } from './_shared.js';

/** Whole-system upgrades: the verbs that upgrade every installed package when given no package names. */
const UPGRADES: Record<string, string[]> = {
  'apt-get': ['upgrade', 'dist-upgrade'],
  apt: ['upgrade', 'dist-upgrade', 'full-upgrade'],
  apk: ['upgrade'],
  yum: ['update', 'upgrade'],
  dnf: ['update', 'upgrade', 'distro-sync'],
  microdnf: ['update', 'upgrade'],
  zypper: ['up', 'update', 'dup', 'dist-upgrade', 'patch'],
};

/**
 * Upgrading every package at build time makes the image depend on the day it was built, not on
 * its base image tag; a newer base image gets the same fixes reproducibly. Opinionated (security
 * teams often want the upgrade), hence strict only.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'package-upgrade',
    title: 'Packages come from the base image, not a build-time upgrade',
    category: 'architecture',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of finalChain(ctx.dockerfile)) {
      for (const instr of runs(stage)) {
        const upgrades = pkgCommands(instr).filter((p) => {
          if (p.tool === 'pip' || p.tool === 'npm' || p.tool === 'gem') return false;
          looked = true;
          return UPGRADES[p.tool]?.includes(p.verb) && p.operands.length === 0;
        });
        if (upgrades.length === 0) continue;
        const loc = locate(ctx.text, ctx.dockerfile, instr);
        for (const p of upgrades) {
          ctx.report({
            span: commandSpan(ctx, loc, instr, p.cmd),
            message: `"${describe(p)}" in ${stageLabel(ctx.dockerfile, stage)} upgrades every package at build time: the image then depends on the day it was built rather than on its base image; use a newer base image tag instead`,
          });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12.7\nRUN apt-get update && apt-get install -y curl\n' },
      { name: 'targeted upgrades', code: 'FROM alpine:3.20\nRUN apk upgrade --no-cache openssl && apk add --no-cache --upgrade curl\nRUN dnf upgrade -y glibc\n' },
      { name: 'builder stage', code: 'FROM debian:12 AS build\nRUN apt-get update && apt-get upgrade -y\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out /out\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN apt-get update && \\\n    apt-get -y dist-upgrade && \\\n    rm -rf /var/lib/apt/lists/*\n',
        errors: [{ line: 3, column: 5, message: /"apt-get dist-upgrade" in the image upgrades every package/ }],
      },
      {
        name: 'dnf in the final stage; the apk stage is not part of the final image',
        code: 'FROM alpine:3.20 AS base\nRUN apk upgrade --no-cache\nFROM base\nRUN true\nFROM fedora:40\nRUN dnf -y upgrade && dnf clean all\n',
        errors: [{ line: 6, column: 5, message: /"dnf upgrade" in the final stage/ }],
      },
    ],
  },
};

function describe(p: PkgCommand): string {
  return `${p.tool} ${p.verb}`;
}
