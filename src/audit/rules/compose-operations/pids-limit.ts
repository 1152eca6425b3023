import { entry, nodeAt, type LNode } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { partialService } from './_shared.js';

/** Without a process limit a fork bomb or a runaway worker pool exhausts the host's PIDs (CIS 5.29). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'pids-limit',
    title: 'Services limit their number of processes',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const { service } = ctx;
    if (partialService(ctx)) return ctx.skip();
    const node: LNode | undefined = entry(service.node, 'pids_limit')?.value ?? nodeAt(service.node, ['deploy', 'resources', 'limits', 'pids']);
    if (!node) {
      ctx.report({ span: service.span, message: `service "${service.name}" has no pids_limit: a fork bomb or a runaway worker pool in it can exhaust the host's process table` });
      return;
    }
    if (ctx.unsetIn(node.span).length) return ctx.skip();
    const n = node.kind === 'scalar' ? Number(node.value) : NaN;
    if (Number.isFinite(n) && n <= 0) {
      ctx.report({ span: node.span, message: `service "${service.name}" sets pids_limit ${n}, which means no limit: a fork bomb in it can exhaust the host's process table` });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    pids_limit: 200\n' },
      { code: 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          pids: 100\n' },
    ],
    invalid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n', errors: [{ line: 2, column: 3, message: /has no pids_limit/ }] },
      { name: 'unlimited', code: 'services:\n  web:\n    image: nginx:1.27\n    pids_limit: -1\n', errors: [{ line: 4, column: 17, message: /pids_limit -1, which means no limit/ }] },
    ],
  },
};
