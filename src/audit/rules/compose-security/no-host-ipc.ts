import type { ComposeRule } from '../../rule.js';
import { hostNamespace } from './_shared.js';

/** `ipc: host` shares the host's shared memory and semaphores with the container. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'no-host-ipc',
    title: "No containers in the host's IPC namespace",
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const host = hostNamespace(ctx, 'ipc');
    if (host === 'unknown') return ctx.skip();
    if (!host) return;
    ctx.report({
      span: host.span,
      message: `service "${ctx.service.name}" uses ipc: host: it can read and write the shared memory and semaphores of host processes; to share memory between two containers use ipc: shareable and ipc: service:<name>, and for a bigger /dev/shm use shm_size`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    shm_size: 1gb\n' },
      { code: 'services:\n  a:\n    image: a:1\n    ipc: shareable\n  b:\n    image: b:1\n    ipc: service:a\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    ipc: ${IPC}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  browser:\n    image: selenium/standalone-chrome:4.21\n    ipc: host # chrome needs shm\n',
        errors: [{ line: 4, column: 10, message: /service "browser" uses ipc: host/ }],
      },
      {
        name: 'through an anchor, two services',
        code: 'x-ipc: &ipc\n  ipc: host\nservices:\n  a:\n    <<: *ipc\n    image: a:1\n  b:\n    image: b:1\n    ipc: "HOST"\n',
        errors: [
          { line: 2, column: 8, message: /service "a"/ },
          { line: 9, column: 10, message: /service "b"/ },
        ],
      },
    ],
  },
};
