import { fix, removeLines } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';

/** `privileged: true` gives the container every capability and every device of the host. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'no-privileged',
    title: 'No privileged containers',
    category: 'security',
    severity: 'high',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const entry = ctx.service.node.entries.find((e) => e.key === 'privileged');
    if (!entry || ctx.service.config.privileged !== true) return;
    ctx.report({
      span: entry.keySpan,
      message: `service "${ctx.service.name}" runs privileged: it gets every capability and device of the host, and can take the host over`,
      fix: fix('Remove privileged: true (add only the capabilities or devices the service needs)', removeLines(ctx.text, { ...entry.keySpan, endOffset: entry.value.span.endOffset })),
    });
  },
  cases: {
    valid: [{ code: 'services:\n  web:\n    image: nginx:1.27\n' }, { code: 'services:\n  web:\n    image: nginx:1.27\n    privileged: false\n' }],
    invalid: [
      {
        code: 'services:\n  vpn:\n    image: wg:1\n    privileged: true # needs the tun device\n    restart: always\n',
        errors: [{ line: 4, column: 5, message: /runs privileged/ }],
        output: 'services:\n  vpn:\n    image: wg:1\n    restart: always\n',
      },
    ],
  },
};
