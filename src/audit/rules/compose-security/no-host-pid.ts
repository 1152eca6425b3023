import type { ComposeRule } from '../../rule.js';
import { hostNamespace } from './_shared.js';

/** `pid: host` shows the container every host process, and lets it signal them. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'no-host-pid',
    title: "No containers in the host's process namespace",
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const host = hostNamespace(ctx, 'pid');
    if (host === 'unknown') return ctx.skip();
    if (!host) return;
    ctx.report({
      span: host.span,
      message: `service "${ctx.service.name}" uses pid: host: it sees every host process with its command line, can signal processes of the same user, and with SYS_PTRACE read their memory; only host monitoring agents need it`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n' },
      { code: 'services:\n  app:\n    image: app:1\n  sidecar:\n    image: debug:1\n    pid: service:app\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    pid: ${PID_MODE}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  exporter:\n    image: prom/node-exporter:v1.8.1\n    pid: host # process metrics\n',
        errors: [{ line: 4, column: 10, message: /service "exporter" uses pid: host/ }],
      },
      {
        name: 'quoted, through an anchor',
        code: 'x-mon: &mon\n  pid: "host"\nservices:\n  netdata:\n    <<: *mon\n    image: netdata/netdata:v1\n',
        errors: [{ line: 2, column: 8, message: /service "netdata"/ }],
      },
    ],
  },
};
