import { fix, insertAt } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';

/** Several sources go into a directory, and Docker wants the destination to say so with a trailing slash. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'copy-destination-slash',
    title: 'Multi-source COPY and ADD copy into a directory ending in /',
    category: 'architecture',
    severity: 'medium',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if ((instr.keyword !== 'COPY' && instr.keyword !== 'ADD') || instr.onbuild || instr.heredocs.length) continue;
        const json = jsonForm(instr.value);
        const words = json ?? instr.value.split(/\s+/).filter(Boolean);
        if (words.length < 3) continue; // one source (a glob may still match one file: fine)
        const dest = words[words.length - 1]!;
        if (/[$]/.test(dest)) continue; // a variable may end in a slash: cannot tell
        looked = true;
        if (dest.endsWith('/') || dest.endsWith('\\') || dest === '.') continue;
        // the destination as written: the last word of the instruction (inside the closing quote for JSON)
        const end = instr.span.endOffset ?? 0;
        const written = ctx.text.slice(instr.span.offset, end);
        const tail = json ? /"([^"]*)"\s*\]\s*$/.exec(written) : /(\S+)\s*$/.exec(written);
        const at = tail && tail[1] === dest ? (instr.span.offset ?? 0) + tail.index + (json ? 1 : 0) : undefined;
        ctx.report({
          span: at !== undefined ? spanOf(ctx, at, at + dest.length) : instr.argsSpan,
          message: `${instr.keyword} with ${words.length - 1} sources into "${dest}": with several sources the destination is a directory: write it "${dest}/"; BuildKit guesses, but the classic builder fails with "the destination must be a directory and end with a /"`,
          ...(at !== undefined ? { fix: fix('Add a trailing slash to the destination', insertAt(at + dest.length, '/')) } : {}),
        });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM node:20\nCOPY package.json package-lock.json ./\nCOPY src /app/src\n' },
      { name: 'current directory, JSON form, variables', code: 'FROM node:20\nWORKDIR /app\nCOPY a b .\nCOPY ["a b", "c", "/opt/"]\nCOPY a b $DEST\n' },
      { name: 'heredocs', code: 'FROM alpine:3.20\nCOPY <<a <<b /etc/\nx\na\ny\nb\n' },
    ],
    invalid: [
      {
        code: 'FROM node:20\n# the server\nCOPY index.js package* /server\n',
        errors: [{ line: 3, column: 24, message: /COPY with 2 sources into "\/server"/ }],
        output: 'FROM node:20\n# the server\nCOPY index.js package* /server/\n',
      },
      {
        name: 'JSON form and continuation, ADD',
        code: 'FROM alpine:3.20 AS a\nCOPY ["a", "b", "/opt/x"]\nADD --chown=1000 a \\\n    b /srv\n',
        errors: [
          { line: 2, column: 18, message: /"\/opt\/x"/ },
          { line: 4, column: 7, message: /ADD with 2 sources/ },
        ],
        output: 'FROM alpine:3.20 AS a\nCOPY ["a", "b", "/opt/x/"]\nADD --chown=1000 a \\\n    b /srv/\n',
      },
    ],
  },
};

/** COPY ["a", "b", "/dest/"]: the model parses JSON only for RUN, CMD, ENTRYPOINT and SHELL. */
function jsonForm(value: string): string[] | undefined {
  if (!value.trimStart().startsWith('[')) return undefined;
  try {
    const v = JSON.parse(value) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}
