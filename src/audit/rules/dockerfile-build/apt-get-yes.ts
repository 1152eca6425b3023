import { fix } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';
import { addAfterVerb, aptConfigured, argSpan, has, locate, pkgCommands, runs, type Located } from './_shared.js';

/** `apt-get install` without `-y` stops at "Do you want to continue?" and aborts the build. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'apt-get-yes',
    title: 'apt-get install runs non-interactively',
    category: 'architecture',
    severity: 'medium',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of runs(stage)) {
        let loc: Located | undefined | null = null;
        for (const pc of pkgCommands(instr)) {
          if ((pc.tool !== 'apt-get' && pc.tool !== 'apt') || pc.verb !== 'install') continue;
          looked = true;
          if (assumesYes(pc.args) || pc.cmd.raw.before === '|') continue; // `yes | apt-get install` answers the prompt
          if (aptConfigured(stage, instr, pc.cmd.index, /Assume-Yes/i)) continue; // set in apt's configuration (or cannot tell)
          if (loc === null) loc = locate(ctx.text, ctx.dockerfile, instr);
          const edit = addAfterVerb(ctx.text, loc, pc, '-y');
          ctx.report({
            span: argSpan(ctx, loc, instr, pc.cmd, pc.verbAt),
            message: `"${pc.tool} install" without -y: when a package pulls in dependencies, apt asks "Do you want to continue?", gets no answer and aborts the build`,
            ...(edit ? { fix: fix(`Add -y to ${pc.tool} install`, edit) } : {}),
          });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n' },
      { code: 'FROM debian:12\nRUN apt-get -qq install curl\nRUN apt-get --assume-yes install wget\nRUN apt-get install -qy git\n' },
      { name: 'piped yes and -o', code: 'FROM debian:12\nRUN yes | apt-get install curl\nRUN apt-get -o APT::Get::Assume-Yes=true install curl\n' },
      { name: 'configured in apt.conf.d', code: 'FROM debian:12\nRUN echo \'APT::Get::Assume-Yes "true";\' > /etc/apt/apt.conf.d/90yes\nRUN apt-get install curl\n' },
      { name: 'no apt at all', code: 'FROM alpine:3.20\nRUN apk add --no-cache curl\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN apt-get update && \\\n    # tools\n    apt-get install --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n',
        errors: [{ line: 4, column: 13, message: /"apt-get install" without -y/ }],
        output: 'FROM debian:12\nRUN apt-get update && \\\n    # tools\n    apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n',
      },
      {
        name: 'two stages, sudo, apt',
        code: 'FROM ubuntu:24.04 AS build\nRUN sudo apt-get install make\nFROM ubuntu:24.04\nRUN apt install -q curl; apt-get install -y git\n',
        errors: [
          { line: 2, column: 18, message: /apt-get install/ },
          { line: 4, column: 9, message: /"apt install"/ },
        ],
        output: 'FROM ubuntu:24.04 AS build\nRUN sudo apt-get install -y make\nFROM ubuntu:24.04\nRUN apt install -y -q curl; apt-get install -y git\n',
      },
      {
        name: 'exec form: no position, no fix',
        code: 'FROM debian:12\nRUN ["/bin/sh", "-c", "apt-get update && apt-get install curl"]\n',
        errors: [{ line: 2, column: 1, message: /without -y/ }],
      },
    ],
  },
};

/** -y, --yes, --assume-yes, -qq (quiet level 2 implies yes) or the Assume-Yes option. */
function assumesYes(args: string[]): boolean {
  if (has(args, '-y', '--yes', '--assume-yes')) return true;
  if (args.some((a) => /^-q{2,}[a-z]*$/i.test(a) || /^--quiet=([2-9])$/.test(a) || /^-q=?[2-9]$/.test(a))) return true;
  return args.some((a) => /APT::Get::Assume-Yes=(true|yes|1)$/i.test(a));
}
