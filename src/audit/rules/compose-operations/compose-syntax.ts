import type { ComposeRule } from '../../rule.js';
import { withHint } from './_shared.js';

/** What stops compose from reading the file at all, or from reading a value the way it is meant. */
const CODES = new Set(['YAML_SYNTAX', 'YAML_ALIAS_BOMB', 'YAML_UNSUPPORTED', 'FILE_TOO_LARGE', 'FILE_UNREADABLE', 'SCHEMA', 'UNKNOWN_KEY', 'VAR_SYNTAX', 'PORT_INVALID', 'VOLUME_INVALID']);

/** The compose file parses and matches the Compose Specification: YAML, schema, interpolation, ports, volumes. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'compose-syntax',
    title: 'Compose files are valid YAML and match the Compose Specification',
    category: 'orchestration',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  file(ctx) {
    for (const d of ctx.diagnostics) {
      if (d.severity !== 'error' || !CODES.has(d.code) || d.span.file !== ctx.file) continue;
      ctx.report({ span: d.span, message: withHint(d) });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "127.0.0.1:8080:80"\n' },
      { name: 'an unknown tag is only a warning', code: 'services:\n  web:\n    image: !custom nginx:1.27\n' },
      { name: 'an unset variable is not a syntax error', code: 'services:\n  web:\n    image: nginx:${TAG}\n    ports:\n      - "${PORT}:80"\n' },
    ],
    invalid: [
      {
        name: 'a typo in a key',
        code: 'services:\n  web:\n    imgae: nginx:1.27\n',
        errors: [{ line: 3, column: 5, message: /unknown key "imgae".*did you mean "image"/ }],
      },
      {
        name: 'broken indentation',
        code: 'services:\n  web:\n    image: nginx:1.27\n   ports:\n      - "80:80"\n',
        errors: [{ line: 4, column: 1, message: /indentation/ }],
      },
      {
        name: 'a bad port and a bad variable',
        code: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "80:80:80:80"\n    environment:\n      A: ${B\n',
        errors: [
          { line: 5, column: 9, message: /invalid port mapping "80:80:80:80".*write it as/ },
          { line: 7, column: 10, message: /invalid interpolation/ },
        ],
      },
      {
        name: 'a value of the wrong shape',
        code: 'services:\n  web:\n    image: nginx:1.27\n    restart: [always]\n',
        errors: [{ line: 4, column: 14, message: /"services\.web\.restart" must be a string/ }],
      },
    ],
  },
};
