import { entry } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

/** Docker's rule for container names; anything else fails when the container is created. */
const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** A container_name the engine rejects only fails at `up`, after everything else looked fine. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'container-name-format',
    title: 'Container names are valid',
    category: 'orchestration',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    const name = entry(service.node, 'container_name')?.value;
    if (!name || name.kind !== 'scalar') return ctx.skip();
    if (name.unresolved?.length || ctx.unsetIn(name.span).length > 0) return ctx.skip();
    const value = name.value === null ? '' : String(name.value);
    if (VALID.test(value)) return;
    const why = value.length < 2 ? 'it needs at least two characters' : /^[_.-]/.test(value) ? 'it must start with a letter or digit' : `"${[...value].find((ch) => !/[a-zA-Z0-9_.-]/.test(ch))}" is not allowed`;
    ctx.report({
      span: name.span,
      message: `service "${service.name}" sets container_name "${value}", which the engine rejects when it creates the container: ${why} (letters, digits, _ . - only)`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    container_name: my-web_1.prod\n' },
      { name: 'from a variable with a default; from an unset one (cannot tell)', code: 'services:\n  a:\n    image: nginx:1.27\n    container_name: ${PREFIX:-home}-a\n  b:\n    image: nginx:1.27\n    container_name: ${STACK}_b\n' },
    ],
    invalid: [
      {
        code: 'services:\n  web:\n    image: nginx:1.27\n    container_name: "my web"\n  db:\n    image: postgres:16\n    container_name: _db\n',
        errors: [
          { line: 4, column: 21, message: /container_name "my web".*" " is not allowed/ },
          { line: 7, column: 21, message: /must start with a letter or digit/ },
        ],
      },
      { name: 'a slash', code: 'services:\n  web:\n    image: nginx:1.27\n    container_name: apps/web\n', errors: [{ line: 4, column: 21, message: /"\/" is not allowed/ }] },
    ],
  },
};
