import type { ComposeRule } from '../../rule.js';

/** A writable root filesystem lets an intruder change the container's programs and keep a foothold. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'read-only-rootfs',
    title: 'Containers run with a read-only root filesystem',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const e = ctx.service.node.entries.find((x) => x.key === 'read_only');
    if (e?.value.kind === 'scalar' && e.value.unresolved?.length) return ctx.skip();
    if (ctx.service.config.read_only === true || ctx.service.config.read_only === 'true') return;
    ctx.report({
      span: e ? e.value.span : ctx.service.span,
      message: `service "${ctx.service.name}" has a writable root filesystem: an intruder can change its programs and keep a foothold; set read_only: true and give the paths it writes a volume or a tmpfs`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    read_only: true\n    tmpfs: [/var/cache/nginx, /var/run]\n' },
      { name: 'through an anchor', code: 'x-ro: &ro\n  read_only: true\nservices:\n  web:\n    <<: *ro\n    image: nginx:1.27\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    read_only: ${READ_ONLY}\n' },
    ],
    invalid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n', errors: [{ line: 2, column: 3, message: /service "web" has a writable root filesystem/ }] },
      { name: 'explicitly false', code: 'services:\n  web:\n    image: nginx:1.27\n    read_only: false # needs to write\n', errors: [{ line: 4, column: 16, message: /writable root filesystem/ }] },
    ],
  },
};
