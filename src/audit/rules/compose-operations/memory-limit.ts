import { entry, nodeAt } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { partialService } from './_shared.js';

/** Without a memory limit one leaking service can take the host's memory and get others killed. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'memory-limit',
    title: 'Services have a memory limit',
    category: 'orchestration',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    if (partialService(ctx)) return ctx.skip();
    const node = nodeAt(service.node, ['deploy', 'resources', 'limits', 'memory']) ?? entry(service.node, 'mem_limit')?.value;
    if (node) {
      // `mem_limit: ${MEM}` with MEM unset is no limit at all, or a limit we cannot see.
      if (ctx.unsetIn(node.span).length) return ctx.skip();
      return;
    }
    ctx.report({
      span: service.span,
      message: `service "${service.name}" has no memory limit: a leak or a load spike in it can use up the host's memory and get other services killed`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    mem_limit: 256m\n' },
      { code: 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          memory: 512M\n' },
      { name: 'from a merge key; from an unset variable (cannot tell)', code: 'x-res: &res\n  mem_limit: 1g\nservices:\n  a:\n    <<: *res\n    image: nginx:1.27\n  b:\n    image: nginx:1.27\n    mem_limit: ${B_MEM}\n' },
    ],
    invalid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    restart: always\n', errors: [{ line: 2, column: 3, message: /service "web" has no memory limit/ }] },
      {
        name: 'a CPU limit alone is not a memory limit',
        code: 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          cpus: "0.5"\n',
        errors: [{ line: 2, column: 3 }],
      },
    ],
  },
};
