import type { ComposeRule } from '../../rule.js';
import { bindToLocalhost, databaseImage, describePort, openPorts, portsUnknown } from './_shared.js';

/** A database port published on every interface invites brute force from the LAN or the internet (seed 003). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'database-port-exposed',
    title: 'Database ports are not published on all interfaces',
    category: 'security',
    severity: 'high',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const db = databaseImage(ctx.service.config.image);
    if (!db) return ctx.skip();
    if (portsUnknown(ctx)) ctx.skip();
    for (const { port, span } of openPorts(ctx)) {
      const f = bindToLocalhost(ctx, port, span);
      ctx.report({
        span,
        message: `service "${ctx.service.name}" (${db}) publishes ${describePort(port)} on all host interfaces: anyone who can reach the host can try to log in to it; bind it to 127.0.0.1, or remove it and connect over the compose network`,
        ...(f ? { fix: f } : {}),
      });
    }
  },
  cases: {
    valid: [
      { code: "services:\n  db:\n    image: postgres:16\n    ports:\n      - '127.0.0.1:5432:5432'\n" },
      { name: 'not a database', code: 'services:\n  web:\n    image: nginx:1.27\n    ports: ["80:80"]\n' },
      { name: 'no ports', code: 'services:\n  cache:\n    image: docker.io/library/redis:7\n    expose: ["6379"]\n' },
      { name: 'cannot tell: the port is a variable', code: 'services:\n  db:\n    image: mariadb:11\n    ports:\n      - "${DB_PORT}:3306"\n' },
      { name: 'address from a default', code: 'services:\n  db:\n    image: mariadb:11\n    ports:\n      - "${BIND:-127.0.0.1}:3306:3306"\n' },
    ],
    invalid: [
      {
        name: 'seed 003',
        code: "services:\n  postgres:\n    image: postgres:15-alpine\n    ports:\n      - '5432:5432' # PostgreSQL\n  redis:\n    image: redis:7-alpine\n    ports:\n      - '6379:6379' # Redis\n",
        errors: [
          { line: 5, column: 9, message: /service "postgres" \(postgres\) publishes port 5432 on all host interfaces/ },
          { line: 9, column: 9, message: /service "redis" \(redis\) publishes port 6379/ },
        ],
        output: "services:\n  postgres:\n    image: postgres:15-alpine\n    ports:\n      - '127.0.0.1:5432:5432' # PostgreSQL\n  redis:\n    image: redis:7-alpine\n    ports:\n      - '127.0.0.1:6379:6379' # Redis\n",
      },
      {
        name: 'plain, random port, 0.0.0.0, IPv6, variable host port',
        code: 'services:\n  db:\n    image: docker.io/bitnami/postgresql:16\n    ports:\n      - 5432\n      - 0.0.0.0:5433:5433 # replica\n      - "[::]:5434:5434"\n      - "${PG_PORT:-15432}:5432"\n',
        errors: [
          { line: 5, column: 9, message: /container port 5432 on a random host port/ },
          { line: 6, column: 9, message: /port 5433/ },
          { line: 7, column: 9, message: /port 5434/ },
          { line: 8, column: 9, message: /host port 15432 \(container 5432\)/ },
        ],
        output:
          'services:\n  db:\n    image: docker.io/bitnami/postgresql:16\n    ports:\n      - 127.0.0.1::5432\n      - 127.0.0.1:5433:5433 # replica\n      - "127.0.0.1:5434:5434"\n      - "127.0.0.1:${PG_PORT:-15432}:5432"\n',
      },
      {
        name: 'long syntax',
        code: 'services:\n  mongo:\n    image: mongo:7\n    ports:\n      - target: 27017\n        published: 27017 # admin access\n\n      # the replica\n      - target: 27018\n        host_ip: "0.0.0.0"\n        published: 27018\n    restart: always\n',
        errors: [
          { line: 5, column: 9, message: /\(mongo\) publishes port 27017/ },
          { line: 9, column: 9, message: /port 27018/ },
        ],
        output:
          'services:\n  mongo:\n    image: mongo:7\n    ports:\n      - target: 27017\n        published: 27017 # admin access\n        host_ip: 127.0.0.1\n\n      # the replica\n      - target: 27018\n        host_ip: "127.0.0.1"\n        published: 27018\n    restart: always\n',
      },
      {
        name: 'flow mapping and address from .env: no fix',
        files: { '.env': 'DB_ADDR=0.0.0.0\n' },
        code: 'services:\n  db:\n    image: mysql:8\n    ports:\n      - {target: 3306, published: 3306}\n      - "${DB_ADDR}:3307:3306"\n',
        errors: [
          { line: 5, column: 9, message: /port 3306/ },
          { line: 6, column: 9, message: /host port 3307/ },
        ],
      },
    ],
  },
};
