import type { DockerfileRule } from '../../rule.js';
import { commandSpan, commands, locate, runs } from './_shared.js';

/**
 * `RUN cd /app && make` hides the working directory inside a command: the next RUN is back where
 * it was. WORKDIR says it once, for every later instruction. Style-leaning, so strict only.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'run-cd',
    title: 'Working directories are set with WORKDIR',
    category: 'architecture',
    severity: 'info',
    fixable: false,
    profiles: ['strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of runs(stage)) {
        if (instr.json) continue;
        const cmds = commands(instr);
        const first = cmds[0];
        if (!first) continue;
        looked = true;
        if (first.prog !== 'cd' || first.argv[0] !== 'cd') continue;
        const dir = first.args[0];
        // cd into a temporary or computed folder is what cd is for
        if (!dir || dir === '-' || dir.startsWith('~') || /^\/(var\/)?tmp(\/|$)/.test(dir) || /[$`]/.test(dir)) continue;
        const alone = cmds.length === 1;
        ctx.report({
          span: commandSpan(ctx, locate(ctx.text, ctx.dockerfile, instr), instr, first),
          message: alone
            ? `"RUN cd ${dir}" does nothing: the directory change ends with the RUN; use WORKDIR ${dir}`
            : `RUN starts with "cd ${dir}": the next instruction is back in the old directory; set WORKDIR ${dir} before the RUN instead`,
        });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM node:20\nWORKDIR /app\nRUN npm ci\n' },
      { name: 'temporary folders', code: 'FROM debian:12\nRUN cd /tmp && curl -fsSLO https://example.org/x.tgz && tar xzf x.tgz\nRUN cd "$(mktemp -d)" && make\n' },
      { name: 'cd later in the RUN', code: 'FROM debian:12\nRUN make && cd build && make install\n' },
    ],
    invalid: [
      {
        code: 'FROM node:20\nCOPY . /app\nRUN cd /app && npm ci\n',
        errors: [{ line: 3, column: 5, message: /RUN starts with "cd \/app"/ }],
      },
      {
        name: 'a cd on its own',
        code: 'FROM node:20\nRUN cd /srv\n',
        errors: [{ line: 2, column: 5, message: /does nothing/ }],
      },
    ],
  },
};
