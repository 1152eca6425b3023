import type { Healthcheck } from '../../../model/compose.js';
import { entry } from '../../../source/tree.js';
import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { within } from '../_spans.js';
import { firstReport } from './_shared.js';

/** A depends_on from an anchor is one place for all services using it. */
const firstTime = firstReport();

function checks(hc: Healthcheck | undefined): boolean {
  return hc !== undefined && hc.disable !== true && hc.test?.[0]?.toUpperCase() !== 'NONE';
}

/** `depends_on` a service with a health check, without waiting for it to be healthy, races its start-up. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'depends-on-healthy',
    title: 'Services wait for healthy dependencies',
    category: 'orchestration',
    severity: 'medium',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service, project, text } = ctx;
    const deps = Object.entries(service.config.depends_on);
    const depsEntry = entry(service.node, 'depends_on');
    if (deps.length === 0 || !depsEntry) return ctx.skip();
    const own = service.node.span;
    for (const [name, dep] of deps) {
      const target = project.services[name];
      if (!target || dep.condition !== 'service_started' || !checks(target.config.healthcheck)) continue;
      const item = entry(depsEntry.value, name);
      if (!item) continue;
      const cond = item.value.kind === 'map' ? entry(item.value, 'condition') : undefined;
      // Written as `condition: service_started` (the long syntax requires it) or as a list item; a condition
      // from an anchor (`<<: *default`) is pointed at by the dependency's own key.
      const written = cond && cond.keySpan !== item.keySpan ? cond.value.span : undefined;
      const here = written && within(written, own) ? written : undefined;
      const span = here ?? (written && !within(item.keySpan, own) ? written : item.keySpan);
      if (!firstTime(project, `${span.file}:${span.offset}:${name}`)) continue;
      let edit;
      if (here && here.file === ctx.file) {
        const inner = scalarContent(text, here);
        if (text.slice(inner.offset, inner.end) === 'service_started') edit = replaceSpan({ ...here, offset: inner.offset, endOffset: inner.end }, 'service_healthy');
      }
      ctx.report({
        span,
        message: `service "${service.name}" starts as soon as "${name}" has started, not once it is healthy, though "${name}" has a health check: use condition: service_healthy`,
        ...(edit ? { fix: fix(`Wait for "${name}" to be healthy`, edit) } : {}),
      });
    }
  },
  cases: {
    valid: [
      {
        code: 'services:\n  app:\n    image: ghcr.io/org/app:2\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n',
      },
      {
        name: 'the dependency has no health check of its own in the file (or disables it)',
        code: 'services:\n  app:\n    image: ghcr.io/org/app:2\n    depends_on: [cache, db]\n  cache:\n    image: redis:7\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\n',
      },
    ],
    invalid: [
      {
        name: 'short syntax: reported without a fix',
        code: 'services:\n  app:\n    image: ghcr.io/org/app:2\n    depends_on:\n      - cache\n      - db\n  cache:\n    image: redis:7\n  db:\n    image: postgres:16\n    healthcheck:\n      test: pg_isready\n',
        errors: [{ line: 6, column: 9, message: /service "app" starts as soon as "db" has started, not once it is healthy/ }],
      },
      {
        name: 'long syntax: the condition is changed, comments kept',
        code:
          'services:\n  app:\n    image: ghcr.io/org/app:2\n    depends_on:\n      db:\n        condition: "service_started" # wait for it\n        restart: true\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n',
        errors: [{ line: 6, column: 20, message: /"db" has a health check/ }],
        output:
          'services:\n  app:\n    image: ghcr.io/org/app:2\n    depends_on:\n      db:\n        condition: "service_healthy" # wait for it\n        restart: true\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n',
      },
      {
        name: 'the condition from an anchor: pointed at each dependency, without a fix',
        code:
          'x-default: &default\n  condition: service_started\nservices:\n  a:\n    image: ghcr.io/org/a:1\n    depends_on:\n      db:\n        <<: *default\n  b:\n    image: ghcr.io/org/b:1\n    depends_on:\n      db:\n        <<: *default\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n',
        errors: [
          { line: 7, column: 7, message: /service "a" starts/ },
          { line: 12, column: 7, message: /service "b" starts/ },
        ],
      },
    ],
  },
};
