import { entry } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { isOneShot, partialService } from './_shared.js';

/** Without a health check nothing knows whether the service works, only that its process runs. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'healthcheck-missing',
    title: 'Services declare health checks',
    category: 'monitoring',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    const c = service.config;
    // A built image's HEALTHCHECK is in its Dockerfile: the project rules look there.
    if (partialService(ctx) || c.build !== undefined || isOneShot(ctx)) return ctx.skip();
    const hc = c.healthcheck;
    const hcEntry = entry(service.node, 'healthcheck');
    if (hc && hcEntry) {
      const test = hcEntry.value.kind === 'map' ? entry(hcEntry.value, 'test') : undefined;
      if (hc.disable === true) {
        const at = hcEntry.value.kind === 'map' ? entry(hcEntry.value, 'disable') : undefined;
        ctx.report({ span: at?.keySpan ?? hcEntry.keySpan, message: `service "${service.name}" disables its health check (also any the image defines): nothing notices when it stops working` });
      } else if (hc.test?.[0]?.toUpperCase() === 'NONE') {
        ctx.report({ span: test?.value.span ?? hcEntry.keySpan, message: `service "${service.name}" disables its health check with test NONE (also any the image defines): nothing notices when it stops working` });
      }
      return;
    }
    const image = typeof c.image === 'string' && c.image ? ` (${c.image})` : '';
    ctx.report({
      span: service.span,
      message: `service "${service.name}"${image} declares no health check: unless the image defines one, nothing notices when it hangs and depends_on cannot wait for it to be ready`,
    });
  },
  cases: {
    valid: [
      {
        code: 'services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 10s\n',
      },
      {
        name: 'timing only: it tunes the check of the image',
        code: 'services:\n  web:\n    image: ghcr.io/org/app:2\n    healthcheck:\n      interval: 30s\n',
      },
      {
        name: 'built services (the Dockerfile decides) and one-shot jobs',
        code: 'services:\n  app:\n    build: .\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n  migrate:\n    image: ghcr.io/org/migrate:2\n',
      },
      {
        name: 'from a merge key',
        code: 'x-hc: &hc\n  healthcheck:\n    test: curl -f http://localhost/ || exit 1\nservices:\n  web:\n    <<: *hc\n    image: nginx:1.27\n',
      },
    ],
    invalid: [
      {
        name: 'none at all',
        code: 'services:\n  db:\n    image: postgres:16\n    restart: always\n',
        errors: [{ line: 2, column: 3, message: /service "db" \(postgres:16\) declares no health check: unless the image defines one/ }],
      },
      {
        name: 'disabled, in both spellings',
        code: 'services:\n  a:\n    image: ghcr.io/org/a:1\n    healthcheck:\n      disable: true\n  b:\n    image: ghcr.io/org/b:1\n    healthcheck:\n      test: ["NONE"]\n',
        errors: [
          { line: 5, column: 7, message: /"a" disables its health check/ },
          { line: 9, column: 13, message: /"b" disables its health check with test NONE/ },
        ],
      },
    ],
  },
};
