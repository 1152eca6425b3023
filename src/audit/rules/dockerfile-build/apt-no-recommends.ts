import { fix } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';
import { addAfterVerb, aptConfigured, argSpan, finalChain, has, locate, pkgCommands, runs, stageLabel, type Located } from './_shared.js';

/** Recommended packages are not needed to run anything; they make images much larger. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'apt-no-recommends',
    title: 'apt-get installs without recommended packages',
    category: 'architecture',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of finalChain(ctx.dockerfile)) {
      for (const instr of runs(stage)) {
        let loc: Located | undefined | null = null;
        for (const pc of pkgCommands(instr)) {
          if ((pc.tool !== 'apt-get' && pc.tool !== 'apt') || pc.verb !== 'install') continue;
          if (aptConfigured(stage, instr, pc.cmd.index, /Install-Recommends/i)) {
            ctx.skip(); // recommends switched off in apt's configuration, or maybe: cannot tell
            continue;
          }
          looked = true;
          if (has(pc.args, '--no-install-recommends') || pc.args.some((a) => /Install-Recommends=(false|0|no)$/i.test(a))) continue;
          if (loc === null) loc = locate(ctx.text, ctx.dockerfile, instr);
          const edit = addAfterVerb(ctx.text, loc, pc, '--no-install-recommends');
          ctx.report({
            span: argSpan(ctx, loc, instr, pc.cmd, pc.verbAt),
            message: `"${pc.tool} install" in ${stageLabel(ctx.dockerfile, stage)} without --no-install-recommends: apt also installs every recommended package, often doubling what ends up in the image`,
            ...(edit ? { fix: fix('Add --no-install-recommends (then add back any package the image really needs)', edit) } : {}),
          });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n' },
      { name: 'apt option', code: 'FROM debian:12\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n' },
      {
        name: 'configured in an earlier RUN',
        code: 'FROM debian:12\nRUN echo \'APT::Install-Recommends "0";\' > /etc/apt/apt.conf.d/99norecommends\nRUN apt-get install -y curl\n',
      },
      { name: 'builder stages do not reach the image', code: 'FROM debian:12 AS build\nRUN apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /out /out\n' },
      { name: 'apt configuration copied in: cannot tell', code: 'FROM debian:12\nCOPY apt.conf /etc/apt/apt.conf.d/99local\nRUN apt-get install -y curl\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN apt-get update \\\n && apt-get install -y \\\n      # the client\n      curl \\\n && rm -rf /var/lib/apt/lists/*\n',
        errors: [{ line: 3, column: 13, message: /without --no-install-recommends/ }],
        output: 'FROM debian:12\nRUN apt-get update \\\n && apt-get install --no-install-recommends -y \\\n      # the client\n      curl \\\n && rm -rf /var/lib/apt/lists/*\n',
      },
      {
        name: 'a base stage of the final stage',
        code: 'FROM ubuntu:24.04 AS base\nRUN apt-get -y install tini\nFROM base\nCMD ["tini"]\n',
        errors: [{ line: 2, column: 16, message: /stage "base"/ }],
        output: 'FROM ubuntu:24.04 AS base\nRUN apt-get -y install --no-install-recommends tini\nFROM base\nCMD ["tini"]\n',
      },
    ],
  },
};
