import { entry, get } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { fragmentInfo, isOverrideFile, siblings, withHint } from './_shared.js';

const CODES = new Set(['DEPENDS_UNKNOWN', 'NETWORK_UNKNOWN', 'VOLUME_UNKNOWN', 'SECRET_UNKNOWN', 'EXTENDS_INVALID', 'INCLUDE_INVALID', 'SERVICE_NO_IMAGE']);

/** The quoted names in a loader message: `service "web" uses network "front", ...` → ['web', 'front']. */
function quoted(message: string): string[] {
  return [...message.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}

/** Every service, network, volume, secret and file a compose file refers to exists. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'compose-references',
    title: 'Every service, network, volume and secret a compose file uses is defined',
    category: 'orchestration',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  file(ctx) {
    const diags = ctx.diagnostics.filter((d) => d.severity === 'error' && CODES.has(d.code) && d.span.file === ctx.file);
    if (isOverrideFile(ctx.file)) {
      ctx.skip();
      return;
    }
    if (diags.length === 0) return;
    const { fragment } = fragmentInfo(ctx);
    const others = siblings(ctx);
    const rawServices = ctx.root ? get(ctx.root, 'services') : undefined;
    const kept: { d: (typeof diags)[number]; count: number }[] = [];
    const byName = new Map<string, { d: (typeof diags)[number]; count: number }>();
    for (const d of diags) {
      const [first, second] = quoted(d.message);
      let resolvedElsewhere = false;
      switch (d.code) {
        case 'SERVICE_NO_IMAGE':
          // A failed `extends` is reported on its own; the missing image is its consequence.
          resolvedElsewhere = fragment || entry(get(rawServices, first ?? ''), 'extends') !== undefined;
          break;
        case 'DEPENDS_UNKNOWN':
          resolvedElsewhere = fragment || others.some((o) => o.services.has(second ?? ''));
          break;
        case 'NETWORK_UNKNOWN':
          resolvedElsewhere = fragment || others.some((o) => o.networks.has(second ?? ''));
          break;
        case 'VOLUME_UNKNOWN':
          resolvedElsewhere = fragment || others.some((o) => o.volumes.has(second ?? ''));
          break;
        case 'SECRET_UNKNOWN': {
          const kind = / uses config "/.test(d.message) ? 'configs' : 'secrets';
          resolvedElsewhere = fragment || others.some((o) => o[kind].has(second ?? ''));
          break;
        }
      }
      if (resolvedElsewhere) {
        ctx.skip();
        continue;
      }
      // One finding per missing name, at its first use: ten services using one undeclared secret are one mistake.
      const key = d.code.endsWith('_UNKNOWN') ? `${d.code}:${d.message.replace(/^service "[^"]*" /, '')}` : undefined;
      const same = key ? byName.get(key) : undefined;
      if (same) {
        same.count++;
        continue;
      }
      const k = { d, count: 1 };
      if (key) byName.set(key, k);
      kept.push(k);
    }
    for (const { d, count } of kept) ctx.report({ span: d.span, message: withHint(d) + (count > 1 ? `; ${count - 1} more use${count > 2 ? 's' : ''} in this file` : '') });
  },
  cases: {
    valid: [
      {
        code: 'services:\n  web:\n    image: nginx:1.27\n    depends_on: [db]\n    networks: [front]\n  db:\n    image: postgres:16\nnetworks:\n  front: {}\n',
      },
      {
        name: 'an override file next to its base',
        code: 'services:\n  web:\n    image: nginx:1.27\n',
        files: { 'compose.override.yml': 'services:\n  web:\n    networks: [proxy]\n' },
      },
      {
        name: 'a base whose override declares what it uses (compose reads compose.override.yml by itself)',
        code: 'services:\n  web:\n    image: nginx:1.27\n    secrets: [token]\n',
        files: { 'compose.override.yml': 'secrets:\n  token:\n    file: ./token.txt\n' },
      },
      {
        name: 'a qualified file that cannot run alone is a part of a multi-file setup (compose -f a -f b)',
        files: { 'docker-compose.traefik.yml': 'services:\n  app:\n    labels: [traefik.enable=true]\n    networks: [proxy]\n' },
      },
      {
        name: 'secrets declared in an override template the project asks to copy',
        code: 'services:\n  db:\n    image: postgres:16\n    secrets: [db_password]\n',
        files: { 'compose.override.yaml.example': 'secrets:\n  db_password:\n    file: ./db_password.txt\n' },
      },
      {
        name: 'a production file merged over the base of the folder',
        files: {
          'docker-compose.yml': 'services:\n  app:\n    build: .\n    networks: [internal]\nnetworks:\n  internal: {}\n',
          'docker-compose.prod.yml': 'services:\n  app:\n    networks: [internal, proxy]\n    depends_on: [cache]\n',
        },
      },
    ],
    invalid: [
      {
        name: 'a typo in depends_on and an undeclared network',
        code: 'services:\n  web:\n    image: nginx:1.27\n    depends_on: [dbb]\n    networks:\n      - front\n  db:\n    image: postgres:16\n',
        errors: [
          { line: 4, column: 18, message: /depends on "dbb", which is not defined \(did you mean "db"\?\)/ },
          { line: 6, column: 9, message: /network "front", which is not declared/ },
        ],
      },
      {
        name: 'a named volume never declared, and a service with neither image nor build',
        code: 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n  worker:\n    command: run\n',
        errors: [
          { line: 5, column: 9, message: /named volume "pgdata"/ },
          { line: 6, column: 3, message: /neither an image nor a build/ },
        ],
      },
      {
        name: 'one undeclared secret used by two services: one finding',
        code: 'services:\n  db:\n    image: postgres:16\n    secrets: [db_password]\n  app:\n    image: ghcr.io/org/app:2\n    secrets:\n      - db_password\n',
        errors: [{ line: 4, column: 15, message: /service "db" uses secret "db_password", which is not declared under the top-level "secrets"; 1 more use in this file/ }],
      },
      {
        name: 'an extends of a file that does not exist: reported once, not again as a missing image',
        code: 'services:\n  web:\n    extends:\n      file: base.yml\n      service: web\n',
        errors: [{ line: 4, column: 7, message: /extends names file base\.yml, which does not exist/ }],
      },
    ],
  },
};
