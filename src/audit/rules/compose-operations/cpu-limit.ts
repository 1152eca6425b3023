import { entry, nodeAt, type LNode } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { partialService } from './_shared.js';

/** The keys that cap the CPU time a container may use (cpu_shares is only a relative weight). */
const KEYS = ['cpus', 'cpu_quota', 'cpu_count', 'cpu_percent', 'cpuset'];

/** Without a CPU limit one busy service can starve the others on the host (CIS Docker Benchmark 5.12). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'cpu-limit',
    title: 'Services have a CPU limit',
    category: 'orchestration',
    severity: 'info',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const { service } = ctx;
    if (partialService(ctx)) return ctx.skip();
    const nodes = [nodeAt(service.node, ['deploy', 'resources', 'limits', 'cpus']), ...KEYS.map((k) => entry(service.node, k)?.value)].filter((n): n is LNode => n !== undefined);
    if (nodes.length) {
      if (nodes.every((n) => ctx.unsetIn(n.span).length > 0)) return ctx.skip();
      return;
    }
    ctx.report({ span: service.span, message: `service "${service.name}" has no CPU limit: when it is busy it can starve the other services of the host` });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    cpus: 0.5\n' },
      { code: 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          cpus: "1.5"\n' },
      { name: 'pinned to cores', code: 'services:\n  web:\n    image: nginx:1.27\n    cpuset: "0,1"\n' },
    ],
    invalid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n', errors: [{ line: 2, column: 3, message: /service "web" has no CPU limit/ }] },
      { name: 'cpu_shares is a weight, not a limit', code: 'services:\n  web:\n    image: nginx:1.27\n    cpu_shares: 512\n', errors: [{ line: 2, column: 3 }] },
    ],
  },
};
