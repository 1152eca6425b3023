import type { ComposeRule } from '../../rule.js';
import { bindToLocalhost, databaseImage, describePort, openPorts, portsUnknown } from './_shared.js';

/** Ports that are public by nature (web, mail, DNS, VPN, TURN, LAN discovery): binding them to 127.0.0.1 would break the service. */
const PUBLIC_PORTS = new Set([25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 1900, 3478, 5349, 5353, 7359, 41641, 51820]);

/** A port published without a host address listens on every interface of the host, LAN and internet side alike. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'port-all-interfaces',
    title: 'Published ports are bound to a chosen address',
    category: 'security',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['strict'],
  },
  service(ctx) {
    if (databaseImage(ctx.service.config.image)) return ctx.skip(); // database-port-exposed
    if (ctx.service.config.ports.length === 0) return ctx.skip(); // publishes no ports (or cannot tell)
    if (portsUnknown(ctx)) ctx.skip();
    for (const { port, span } of openPorts(ctx)) {
      const f = PUBLIC_PORTS.has(port.published ?? port.target) ? undefined : bindToLocalhost(ctx, port, span);
      ctx.report({
        span,
        message: `service "${ctx.service.name}" publishes ${describePort(port)} on all host interfaces; bind it to 127.0.0.1 when only a local reverse proxy uses it, or to the LAN address when other machines should reach it`,
        ...(f ? { fix: f } : {}),
      });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    ports: ["127.0.0.1:8080:80", "192.168.1.10:53:53/udp"]\n' },
      { name: 'databases are another rule', code: 'services:\n  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n' },
      { name: 'host network ignores ports', code: 'services:\n  web:\n    image: nginx:1.27\n    network_mode: host\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "${WEB_PORT}:80"\n' },
    ],
    invalid: [
      {
        code: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "8080:80" # web UI\n      - 5000:5000/udp\n      - "8000-8001:8000-8001"\n      - "443:443" # public\n',
        errors: [
          { line: 5, column: 9, message: /service "web" publishes host port 8080 \(container 80\) on all host interfaces/ },
          { line: 6, column: 9, message: /port 5000\/udp/ },
          { line: 7, column: 9, message: /port 8000/ },
          { line: 8, column: 9, message: /port 443/ },
        ],
        output: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "127.0.0.1:8080:80" # web UI\n      - 127.0.0.1:5000:5000/udp\n      - "127.0.0.1:8000-8001:8000-8001"\n      - "443:443" # public\n',
      },
      {
        name: 'a default with colons: no fix (immich)',
        code: 'services:\n  server:\n    image: ghcr.io/immich-app/immich-server:v1.106.4\n    ports:\n      - ${EXPOSE_PORT-:2283:2283}\n',
        errors: [{ line: 5, column: 9, message: /port 2283/ }],
      },
      {
        name: 'shared through an anchor: one edit',
        code: 'x-ports: &ports\n  ports:\n    - "9000:9000"\nservices:\n  a:\n    <<: *ports\n    image: a:1\n  b:\n    <<: *ports\n    image: b:1\n',
        errors: [
          { line: 3, column: 7, message: /service "a"/ },
          { line: 3, column: 7, message: /service "b"/ },
        ],
        output: 'x-ports: &ports\n  ports:\n    - "127.0.0.1:9000:9000"\nservices:\n  a:\n    <<: *ports\n    image: a:1\n  b:\n    <<: *ports\n    image: b:1\n',
      },
    ],
  },
};
