import { entry } from '../../../source/tree.js';
import { fix, replaceSpan } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { firstReport } from './_shared.js';

/** Port strings from an anchor shared by several services are one place in the file. */
const firstTime = firstReport();

/** What a YAML 1.1 parser makes of `22:22`: a base-60 integer (22 × 60 + 22). */
function sexagesimal(text: string): number | undefined {
  if (!/^[1-9][0-9_]*(:[0-5]?[0-9])+$/.test(text)) return undefined;
  return text.split(':').reduce((n, part) => n * 60 + Number(part.replace(/_/g, '')), 0);
}

/** Short-syntax ports are quoted, so no YAML 1.1 parser reads `22:22` as the number 1342. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'ports-quoted',
    title: 'Port mappings are quoted strings',
    category: 'orchestration',
    severity: 'low',
    fixable: 'safe',
    profiles: [],
    style: true,
  },
  service(ctx) {
    const { service, text, project } = ctx;
    const ports = entry(service.node, 'ports')?.value;
    if (ports?.kind !== 'seq' || ports.items.length === 0) return ctx.skip();
    for (const item of ports.items) {
      const span = item.span;
      if (span.file !== ctx.file || span.offset === undefined || span.endOffset === undefined) continue;
      const raw = text.slice(span.offset, span.endOffset);
      // Plain scalars only: quoted ones start with a quote, long syntax is a mapping with spaces.
      if (!raw.includes(':') || !/^[0-9][0-9A-Za-z.:/_-]*$/.test(raw)) continue;
      if (!firstTime(project, `${span.file}:${span.offset}`)) continue;
      const n = sexagesimal(raw);
      ctx.report({
        span,
        message:
          n !== undefined
            ? `port mapping ${raw} of service "${service.name}" is not quoted: YAML 1.1 parsers (PyYAML, so podman-compose) read it as the base-60 number ${n}`
            : `port mapping ${raw} of service "${service.name}" is not quoted: quote port mappings, so ones like 22:22 are never read as base-60 numbers`,
        fix: fix('Quote the port mapping', replaceSpan(span, `"${raw}"`)),
      });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "127.0.0.1:8080:80"\n      - \'443:443\'\n      - 9000\n' },
      { name: 'long syntax; an unset variable', code: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - target: 80\n        published: 8080\n      - ${PORT}:80\n' },
    ],
    invalid: [
      {
        name: 'base-60 and plain mappings; comments kept',
        code: 'services:\n  git:\n    image: gitea/gitea:1.22\n    ports:\n      - 22:22 # ssh\n      - 3000:3000\n      - 127.0.0.1:8080:80/tcp\n',
        errors: [
          { line: 5, column: 9, message: /port mapping 22:22 of service "git" is not quoted: YAML 1\.1 parsers .* base-60 number 1342/ },
          { line: 6, column: 9, message: /3000:3000 .* never read as base-60/ },
          { line: 7, column: 9 },
        ],
        output: 'services:\n  git:\n    image: gitea/gitea:1.22\n    ports:\n      - "22:22" # ssh\n      - "3000:3000"\n      - "127.0.0.1:8080:80/tcp"\n',
      },
      {
        name: 'a range, and an anchor shared by two services: one finding',
        code: 'x-ports: &ports\n  - 6000-6002:6000-6002\nservices:\n  a:\n    image: nginx:1.27\n    ports: *ports\n  b:\n    image: nginx:1.27\n    ports: *ports\n',
        errors: [{ line: 2, column: 5, message: /6000-6002:6000-6002 of service "a"/ }],
        output: 'x-ports: &ports\n  - "6000-6002:6000-6002"\nservices:\n  a:\n    image: nginx:1.27\n    ports: *ports\n  b:\n    image: nginx:1.27\n    ports: *ports\n',
      },
    ],
  },
};
