import type { Instruction } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { stageLabel } from './_shared.js';

/** Only the last CMD (and the last ENTRYPOINT) of a stage takes effect; the earlier ones mislead. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'single-cmd-entrypoint',
    title: 'Each stage has at most one CMD and one ENTRYPOINT',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const keyword of ['CMD', 'ENTRYPOINT']) {
        const all: Instruction[] = stage.instructions.filter((i) => i.keyword === keyword && !i.onbuild);
        if (all.length) looked = true;
        const last = all[all.length - 1];
        for (const i of all.slice(0, -1)) {
          ctx.report({
            span: i.keywordSpan,
            message: `${keyword} on line ${i.span.line} of ${stageLabel(ctx.dockerfile, stage)} is overridden by the ${keyword} on line ${last!.span.line}: only the last one takes effect; remove this one`,
          });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM node:20\nENTRYPOINT ["tini", "--"]\nCMD ["node", "server.js"]\n' },
      { name: 'one per stage', code: 'FROM node:20 AS base\nCMD ["node", "a.js"]\nFROM base\nCMD ["node", "b.js"]\n' },
      { name: 'ONBUILD triggers are for other builds', code: 'FROM node:20\nONBUILD CMD ["x"]\nCMD ["node", "server.js"]\n' },
    ],
    invalid: [
      {
        code: 'FROM node:20\nCMD ["npm", "start"]\nCOPY . .\nCMD ["node", "server.js"]\n',
        errors: [{ line: 2, column: 1, message: /CMD on line 2 of the image is overridden by the CMD on line 4/ }],
      },
      {
        name: 'entrypoints in a named stage',
        code: 'FROM alpine:3.20 AS final\nENTRYPOINT ["/a"]\nENTRYPOINT ["/b"]\nENTRYPOINT ["/c"]\n',
        errors: [
          { line: 2, column: 1, message: /stage "final"/ },
          { line: 3, column: 1, message: /line 4/ },
        ],
      },
    ],
  },
};
