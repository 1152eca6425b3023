import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';

/** EXPOSE takes container ports 1-65535 (or ranges), optionally /tcp, /udp or /sctp; nothing else. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'expose-valid-port',
    title: 'EXPOSE lists valid container ports',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'EXPOSE' || instr.onbuild) continue;
        const start = instr.argsSpan.offset ?? 0;
        const end = instr.span.endOffset ?? start;
        const args = ctx.text.slice(start, end).replace(/\n[ \t]*#[^\n]*/g, (c) => ' '.repeat(c.length)); // comment lines of a continued EXPOSE
        for (const m of args.matchAll(/[^\s\\]+(?:\\[^\s][^\s\\]*)*/g)) {
          const word = m[0].replace(/^(["'])(.*)\1$/, '$2');
          if (/[$]/.test(word)) continue; // EXPOSE $PORT: cannot tell
          looked = true;
          const problem = invalid(word);
          if (!problem) continue;
          const at = start + m.index;
          ctx.report({ span: spanOf(ctx, at, at + m[0].length), message: `EXPOSE ${word}: ${problem}` });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM nginx:1.27\nEXPOSE 80 443/tcp 443/udp\n' },
      { name: 'ranges, variables, continuations', code: 'FROM alpine:3.20\nARG PORT=8080\nEXPOSE ${PORT} 10000-10100/UDP \\\n  5349/sctp\n' },
    ],
    invalid: [
      {
        code: 'FROM alpine:3.20\nEXPOSE 8080:80 70000\n',
        errors: [
          { line: 2, column: 8, message: /8080:80: EXPOSE takes only the container port.*compose/ },
          { line: 2, column: 16, message: /70000: .*1-65535/ },
        ],
      },
      {
        name: 'protocol, zero, reversed range',
        code: 'FROM alpine:3.20\nEXPOSE 53/dns \\\n    0 \\\n    9000-8000\n',
        errors: [
          { line: 2, column: 8, message: /protocol "dns"/ },
          { line: 3, column: 5, message: /1-65535/ },
          { line: 4, column: 5, message: /range/ },
        ],
      },
    ],
  },
};

function invalid(word: string): string | undefined {
  const slash = word.indexOf('/');
  const port = slash < 0 ? word : word.slice(0, slash);
  const proto = slash < 0 ? undefined : word.slice(slash + 1);
  if (proto !== undefined && !/^(tcp|udp|sctp)$/i.test(proto)) return `protocol "${proto}" is not tcp, udp or sctp`;
  if (/^\d+(\.\d+){3}:/.test(port) || port.includes(':')) return 'EXPOSE takes only the container port; publishing to a host port (host:container) is done with -p or compose "ports:"';
  const range = /^(\d+)-(\d+)$/.exec(port);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (a < 1 || b > 65535 || a > 65535) return 'ports must be in 1-65535';
    if (a > b) return `the range starts after it ends (${a} > ${b})`;
    return undefined;
  }
  if (!/^\d+$/.test(port)) return 'not a port number';
  const n = Number(port);
  if (n < 1 || n > 65535) return 'ports must be in 1-65535';
  return undefined;
}
