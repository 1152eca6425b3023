import type { ComposeRule } from '../../rule.js';
import { withHint } from './_shared.js';

/** A key written twice in one mapping: YAML keeps one value, and tools disagree on which. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'duplicate-keys',
    title: 'No key appears twice in one mapping',
    category: 'orchestration',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  file(ctx) {
    for (const d of ctx.diagnostics) {
      if (d.code !== 'YAML_DUPLICATE_KEY' || d.severity !== 'error' || d.span.file !== ctx.file) continue;
      ctx.report({ span: d.span, message: withHint(d) });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    labels:\n      a: "1"\n      b: "2"\n' },
      {
        name: 'a merge key may repeat keys of the anchor',
        code: 'x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: nginx:1.27\n    restart: unless-stopped\n',
      },
    ],
    invalid: [
      {
        name: 'a label written twice (seed 004 found these only when switching tools)',
        code: 'services:\n  web:\n    image: nginx:1.27\n    labels:\n      traefik.enable: "true"\n      traefik.enable: "false"\n',
        errors: [{ line: 6, column: 7, message: /duplicate key "traefik\.enable".*tools disagree/ }],
      },
      {
        name: 'two services of the same name',
        code: 'services:\n  db:\n    image: postgres:16\n  db:\n    image: postgres:17\n',
        errors: [{ line: 4, column: 3, message: /duplicate key "db"/ }],
      },
    ],
  },
};
