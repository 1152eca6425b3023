import type { ComposeRule } from '../../rule.js';
import { ownMapping } from './_shared.js';

/** The conventional order of service keys, in groups (dclint's service-keys-order); other keys may go anywhere. */
const GROUPS: string[][] = [
  ['image', 'build', 'container_name'],
  ['depends_on'],
  ['volumes', 'volumes_from', 'configs', 'secrets'],
  ['environment', 'env_file'],
  ['ports', 'networks', 'network_mode', 'extra_hosts'],
  ['command', 'entrypoint', 'working_dir', 'restart', 'healthcheck'],
  ['logging', 'labels'],
  ['user', 'isolation'],
];
const RANK = new Map(GROUPS.flatMap((keys, i) => keys.map((k) => [k, i] as const)));

/** Services list their keys in one conventional order, so a reader finds the image, mounts and ports quickly. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'service-keys-order',
    title: 'Service keys follow the conventional order',
    category: 'documentation',
    severity: 'info',
    fixable: false,
    profiles: [],
    style: true,
  },
  service(ctx) {
    const own = ownMapping(ctx);
    if (!own) return ctx.skip();
    let before: string | undefined;
    let rank = -1;
    for (const e of own.entries) {
      const r = RANK.get(e.key);
      if (r === undefined) continue;
      if (r < rank) {
        ctx.report({
          span: e.keySpan,
          message: `in service "${ctx.service.name}", "${e.key}" comes after "${before}": the conventional order is ${GROUPS.map((g) => g.join('/')).join(', ')}`,
        });
        return;
      }
      rank = r;
      before = e.key;
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    container_name: web\n    volumes:\n      - ./html:/usr/share/nginx/html:ro\n    ports:\n      - "8080:80"\n    restart: always\n    labels:\n      a: b\n' },
      { name: 'keys outside the groups go anywhere; merge keys do not count', code: 'x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    privileged: false\n    image: nginx:1.27\n    read_only: true\n    ports: ["80:80"]\n' },
    ],
    invalid: [
      {
        code: 'services:\n  web:\n    ports:\n      - "8080:80"\n    image: nginx:1.27\n    environment:\n      A: "1"\n',
        errors: [{ line: 5, column: 5, message: /in service "web", "image" comes after "ports": the conventional order is image\/build\/container_name, depends_on/ }],
      },
      {
        name: 'once per service',
        code: 'services:\n  a:\n    image: nginx:1.27\n    restart: always\n    volumes: [data:/data]\n    environment: {A: "1"}\n  b:\n    labels: {a: b}\n    build: .\nvolumes:\n  data: {}\n',
        errors: [
          { line: 5, column: 5, message: /"volumes" comes after "restart"/ },
          { line: 9, column: 5, message: /"build" comes after "labels"/ },
        ],
      },
    ],
  },
};
