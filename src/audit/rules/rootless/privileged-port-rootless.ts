import { get } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

/** Rootless Podman cannot bind host ports below net.ipv4.ip_unprivileged_port_start (1024 by default). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'privileged-port-rootless',
    title: 'Published host ports are 1024 or above',
    category: 'orchestration',
    severity: 'medium',
    fixable: false,
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    const seq = get(service.node, 'ports');
    if (seq?.kind !== 'seq' || service.config.ports.length === 0) return ctx.skip(); // publishes no ports
    const seen = new Set<string>();
    service.config.ports.forEach((port, i) => {
      const published = port.published;
      if (published === undefined || published <= 0 || published >= 1024) return;
      const span = seq.items[i]!.span;
      // A range written once ("80-81:80-81") canonicalises to several ports at one span: report it once.
      const key = `${span.file}:${span.offset}`;
      if (seen.has(key)) return;
      seen.add(key);
      const alt = published + 8000 < 65536 ? published + 8000 : 8080;
      ctx.report({
        span,
        message: `service "${service.name}" publishes host port ${published}${port.protocol === 'tcp' ? '' : `/${port.protocol}`}: rootless Podman cannot bind ports below 1024 and the stack fails to start; publish ${alt} instead and forward ${published} to it in the firewall, or lower net.ipv4.ip_unprivileged_port_start to ${published}`,
      });
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  caddy:\n    image: docker.io/library/caddy:2.10\n    ports:\n      - "8080:80"\n      - "8443:443"\n      - "443"\n' },
      { name: 'long syntax, and an unset variable', code: 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    ports:\n      - target: 80\n        published: 8080\n      - "${HTTP_PORT}:80"\n' },
    ],
    invalid: [
      {
        name: 'short, long and udp',
        code: 'services:\n  caddy:\n    image: docker.io/library/caddy:2.10\n    ports:\n      - "80:80" # http\n      - target: 443\n        published: "443"\n      - 127.0.0.1:53:53/udp\n',
        errors: [
          { line: 5, column: 9, message: /publishes host port 80: rootless Podman cannot bind ports below 1024.*publish 8080 instead/ },
          { line: 6, column: 9, message: /host port 443:/ },
          { line: 8, column: 9, message: /host port 53\/udp/ },
        ],
      },
      {
        name: 'a range is reported once',
        code: 'services:\n  mail:\n    image: docker.io/library/postfix:3\n    ports:\n      - "25-26:25-26"\n',
        errors: [{ line: 5, column: 9, message: /host port 25/ }],
      },
    ],
  },
};
