import { addToMapping, fix } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { isOneShot, ownMapping, partialService } from './_shared.js';

/** A long-running service without a restart policy stays down after a crash or an engine restart. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'restart-policy',
    title: 'Services declare a restart policy',
    category: 'orchestration',
    severity: 'medium',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    if (partialService(ctx)) return ctx.skip();
    const c = service.config;
    // Any written value counts, `restart: "no"` too: it says the service is not meant to come back.
    if (c.restart !== undefined) return;
    const deploy = c.deploy as { restart_policy?: unknown } | undefined;
    if (deploy?.restart_policy !== undefined) return;
    // An init job others wait for with service_completed_successfully must not be restarted.
    if (isOneShot(ctx)) return ctx.skip();
    const own = ownMapping(ctx);
    const edit = own && addToMapping(ctx.text, own, 'restart: unless-stopped');
    ctx.report({
      span: service.span,
      message: `service "${service.name}" has no restart policy: after a crash, or when the engine or host restarts, it stays down`,
      ...(edit ? { fix: fix('Add restart: unless-stopped', edit) } : {}),
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    restart: unless-stopped\n' },
      { name: 'an explicit "no" is a decision', code: 'services:\n  backup:\n    image: restic/restic:0.17\n    restart: "no"\n' },
      { name: 'swarm style', code: 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      restart_policy:\n        condition: on-failure\n' },
      {
        name: 'from a merge key; an init job others wait for',
        code:
          'x-common: &common\n  restart: always\nservices:\n  app:\n    <<: *common\n    image: ghcr.io/org/app:2\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n  migrate:\n    image: ghcr.io/org/app:2\n    command: ["migrate"]\n',
      },
      { name: 'a fragment of an override file', code: 'services:\n  web:\n    image: nginx:1.27\n    restart: always\n', files: { 'compose.override.yml': 'services:\n  web:\n    ports: ["127.0.0.1:80:80"]\n' } },
    ],
    invalid: [
      {
        name: 'comments kept; the line goes after the last key of the service',
        code: 'services:\n  web:\n    image: nginx:1.27 # pinned\n    ports:\n      - "127.0.0.1:8080:80"\n    # the database\n  db:\n    image: postgres:16\n    restart: always\n',
        errors: [{ line: 2, column: 3, message: /service "web" has no restart policy/ }],
        output:
          'services:\n  web:\n    image: nginx:1.27 # pinned\n    ports:\n      - "127.0.0.1:8080:80"\n    restart: unless-stopped\n    # the database\n  db:\n    image: postgres:16\n    restart: always\n',
      },
      {
        name: 'four-space indentation, an anchor on the service, a merge key without restart',
        code: 'x-env: &env\n    environment:\n        TZ: UTC\nservices:\n    app: &app\n        <<: *env\n        image: ghcr.io/org/app:2\n',
        errors: [{ line: 5, column: 5 }],
        output: 'x-env: &env\n    environment:\n        TZ: UTC\nservices:\n    app: &app\n        <<: *env\n        image: ghcr.io/org/app:2\n        restart: unless-stopped\n',
      },
      {
        name: 'a last key with an empty value, then a comment (jitsi)',
        code: 'services:\n  web:\n    image: nginx:1.27\n    networks:\n      meet.jitsi:\n\n# Custom network\n  db:\n    image: postgres:16\n    restart: always\n    networks:\n      meet.jitsi:\nnetworks:\n  meet.jitsi:\n',
        errors: [{ line: 2, column: 3 }],
        output:
          'services:\n  web:\n    image: nginx:1.27\n    networks:\n      meet.jitsi:\n    restart: unless-stopped\n\n# Custom network\n  db:\n    image: postgres:16\n    restart: always\n    networks:\n      meet.jitsi:\nnetworks:\n  meet.jitsi:\n',
      },
      {
        name: 'a service that is an alias, and a flow mapping: reported without a fix',
        code: 'x-app: &app\n  image: ghcr.io/org/app:2\nservices:\n  one: *app\n  two: { image: "nginx:1.27" }\n',
        errors: [
          { line: 4, column: 3, message: /"one"/ },
          { line: 5, column: 3, message: /"two"/ },
        ],
      },
    ],
  },
};
