import type { ComposeRule } from '../../rule.js';
import { hostNamespace } from './_shared.js';

const WHY: Record<string, string> = {
  uts: "it shares the host's hostname and domain name and, with SYS_ADMIN, can change them for the whole host",
  userns_mode: 'it opts out of user-namespace remapping: where the engine remaps users (Docker with userns-remap), root in the container is root on the host again',
};

/** `uts: host` and `userns_mode: host` give up two of the namespaces that isolate a container. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'no-host-uts-userns',
    title: "No containers in the host's UTS or user namespace",
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    for (const key of ['uts', 'userns_mode'] as const) {
      const host = hostNamespace(ctx, key);
      if (host === 'unknown') {
        ctx.skip();
        continue;
      }
      if (!host) continue;
      ctx.report({ span: host.span, message: `service "${ctx.service.name}" uses ${key}: host: ${WHY[key]}; remove it unless the service really needs it` });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n' },
      { name: 'rootless Podman keep-id', code: 'services:\n  web:\n    image: nginx:1.27\n    userns_mode: keep-id\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    userns_mode: ${USERNS}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  agent:\n    image: portainer/agent:2.20\n    userns_mode: host # needs the real root\n    uts: host\n',
        errors: [
          { line: 4, column: 18, message: /uses userns_mode: host: it opts out of user-namespace remapping/ },
          { line: 5, column: 10, message: /uses uts: host: it shares the host's hostname/ },
        ],
      },
      {
        name: 'through an anchor',
        code: 'x-ns: &ns\n  uts: "host"\nservices:\n  a:\n    <<: *ns\n    image: a:1\n',
        errors: [{ line: 2, column: 8, message: /service "a" uses uts: host/ }],
      },
    ],
  },
};
