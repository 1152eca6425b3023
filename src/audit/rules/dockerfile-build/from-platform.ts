import type { DockerfileRule } from '../../rule.js';
import { finalChain, stageLabel } from './_shared.js';

/**
 * `FROM --platform=linux/amd64` in the image's stages builds that platform whatever the target:
 * on an arm64 host (a Raspberry Pi, Apple silicon) the image runs under emulation or not at all.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'from-platform',
    title: 'Image stages follow the target platform',
    category: 'architecture',
    severity: 'info',
    fixable: false,
    profiles: ['strict'],
  },
  check(ctx) {
    let looked = false;
    // only the stages the final image is made of: a builder pinned to one platform, copied from, is often deliberate
    for (const stage of finalChain(ctx.dockerfile)) {
      const flag = stage.instructions[0]!.flags.find((f) => f.name === 'platform');
      if (!flag || !flag.value) continue;
      looked = true;
      if (/[$]/.test(flag.value)) continue; // $BUILDPLATFORM, $TARGETPLATFORM: follows the build
      ctx.report({
        span: flag.span,
        message: `${stageLabel(ctx.dockerfile, stage)} is pinned to --platform=${flag.value}: the image is ${flag.value} whatever platform it is built for, so other hosts run it under emulation or not at all; drop the flag (or use $TARGETPLATFORM)`,
      });
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:3.20\nCOPY --from=build /app /app\n' },
      { name: 'a pinned builder that is only copied from', code: 'FROM --platform=linux/amd64 debian:12 AS fonts\nFROM alpine:3.20\nCOPY --from=fonts /usr/share/fonts /usr/share/fonts\n' },
    ],
    invalid: [
      {
        code: 'FROM --platform=linux/amd64 node:20\nCMD ["node"]\n',
        errors: [{ line: 1, column: 6, message: /the image is pinned to --platform=linux\/amd64/ }],
      },
      {
        name: 'the base stage of the final stage',
        code: 'FROM --platform=linux/arm64 alpine:3.20 AS base\nFROM base\n',
        errors: [{ line: 1, column: 6, message: /stage "base"/ }],
      },
    ],
  },
};
