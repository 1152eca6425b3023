import type { ComposeRule } from '../../rule.js';
import { hostNamespace } from './_shared.js';

/** `network_mode: host` puts the container in the host's network stack: no isolation, every port open. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'no-host-network',
    title: "No containers in the host's network namespace",
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const host = hostNamespace(ctx, 'network_mode');
    if (host === 'unknown') return ctx.skip();
    if (!host) return;
    ctx.report({
      span: host.span,
      message: `service "${ctx.service.name}" uses network_mode: host: it shares the host's network stack, so every port it listens on is open on all host interfaces and it reaches services bound to the host's localhost; use published ports instead (discovery protocols such as mDNS/SSDP are the usual reason to keep it)`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    ports: ["127.0.0.1:8080:80"]\n' },
      { code: 'services:\n  vpn:\n    image: wg:1\n  web:\n    image: nginx:1.27\n    network_mode: service:vpn\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    network_mode: ${NET_MODE}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  ha:\n    image: ghcr.io/home-assistant/home-assistant:2024.6\n    network_mode: host # discovery\n',
        errors: [{ line: 4, column: 19, message: /service "ha" uses network_mode: host/ }],
      },
      {
        name: 'quoted, through an anchor, from a default',
        code: 'x-net: &net\n  network_mode: "${MODE:-host}"\nservices:\n  plex:\n    <<: *net\n    image: plexinc/pms-docker:1.40\n',
        errors: [{ line: 2, column: 17, message: /service "plex"/ }],
      },
    ],
  },
};
