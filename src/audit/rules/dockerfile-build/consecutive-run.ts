import type { Instruction } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { finalChain } from './_shared.js';

/** Style: each RUN is a layer; RUNs in a row with the same options can usually be one. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'consecutive-run',
    title: 'Consecutive RUN instructions are merged',
    category: 'architecture',
    severity: 'info',
    fixable: false,
    profiles: [],
    style: true,
  },
  check(ctx) {
    let looked = false;
    // the final image's stages only: layers of builder stages never ship
    for (const stage of finalChain(ctx.dockerfile)) {
      let prev: Instruction | undefined;
      let reported = false;
      for (const instr of stage.instructions) {
        if (instr.onbuild) continue;
        if (instr.keyword !== 'RUN') {
          prev = undefined;
          continue;
        }
        looked = true;
        if (!prev || !sameOptions(prev, instr)) reported = false; // a new group of consecutive RUNs
        else if (!reported) {
          ctx.report({ span: instr.keywordSpan, message: `this RUN follows the RUN on line ${prev.span.line} with nothing in between: merge them with && to save a layer` });
          reported = true; // one finding per group
        }
        prev = instr;
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCOPY . /app\nRUN make\n' },
      { name: 'different mounts', code: 'FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\nRUN npm run build\n' },
      { name: 'builder stage', code: 'FROM node:20 AS build\nRUN npm ci\nRUN npm run build\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN apt-get update\n# then\nRUN apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\nCOPY . .\nRUN a\nRUN b\n',
        errors: [
          { line: 4, column: 1, message: /follows the RUN on line 2/ },
          { line: 8, column: 1, message: /line 7/ },
        ],
      },
      {
        name: 'a base stage of the final image, heredocs',
        code: 'FROM alpine:3.20 AS base\nRUN <<EOF\napk add --no-cache curl\nEOF\nRUN adduser -D app\nFROM base\nUSER app\n',
        errors: [{ line: 5, column: 1, message: /follows the RUN on line 2/ }],
      },
    ],
  },
};

function sameOptions(a: Instruction, b: Instruction): boolean {
  const opts = (i: Instruction) => i.flags.map((f) => `${f.name}=${f.value ?? ''}`).sort().join(' ');
  return opts(a) === opts(b);
}
