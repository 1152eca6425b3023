import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { lineage } from '../_stages.js';
import { argsStart, findWord } from './_shared.js';

/** `EXPOSE 22`: an SSH server in a container is a second way in that needs its own keys and updates. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'expose-ssh',
    title: 'The image does not expose SSH',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    if (!ctx.finalStage) return ctx.skip();
    let looked = false;
    for (const stage of lineage(ctx.finalStage).reverse()) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'EXPOSE') continue;
        looked = true;
        let from = argsStart(instr);
        for (const port of instr.value.split(/\s+/).filter(Boolean)) {
          const at = findWord(ctx.text, port, from, instr.span.endOffset ?? ctx.text.length);
          if (at >= 0) from = at + port.length;
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(port);
          if (!m || (m[3] && m[3].toLowerCase() !== 'tcp')) continue;
          const low = Number(m[1]);
          const high = m[2] ? Number(m[2]) : low;
          if (low > 22 || high < 22) continue;
          ctx.report({
            span: at >= 0 ? spanOf(ctx, at, at + port.length) : instr.keywordSpan,
            message: `EXPOSE ${port} publishes SSH: a second way into the container with its own keys, passwords and updates. Use podman exec / docker exec for access, unless the image is an SSH or git server on purpose`,
          });
        }
      }
    }
    if (!looked) ctx.skip(); // the image exposes no port
  },
  cases: {
    valid: [
      { code: 'FROM nginx:1.27\nEXPOSE 80 443/tcp 2222\n' },
      { name: 'port 22 only in a build stage', code: 'FROM debian:12 AS test\nEXPOSE 22\nFROM nginx:1.27\nEXPOSE 80\n' },
      { name: 'UDP and variables', code: 'FROM alpine:3.20\nARG PORT\nEXPOSE 22/udp $PORT\n' },
    ],
    invalid: [
      { code: 'FROM ubuntu:24.04\nRUN apt-get install -y openssh-server\nEXPOSE 80 22\nCMD ["/usr/sbin/sshd", "-D"]\n', errors: [{ line: 3, column: 11, message: /^EXPOSE 22 publishes SSH/ }] },
      { name: 'a range and a protocol, inherited stage', code: 'FROM debian:12 AS base\nEXPOSE 20-25/tcp\nFROM base\nEXPOSE 22/TCP\n', errors: [{ line: 2, column: 8 }, { line: 4, column: 8 }] },
    ],
  },
};
