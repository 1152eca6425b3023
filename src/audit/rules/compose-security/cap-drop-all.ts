import { fix } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { addToOwnSequence, addToService, capabilities } from './_shared.js';

/** Without `cap_drop: [ALL]` a container keeps the engine's default capabilities, most of which it never uses. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'cap-drop-all',
    title: 'Services drop all capabilities they do not need',
    category: 'security',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    if (ctx.service.config.privileged === true) return ctx.skip(); // no-privileged says it; cap_drop changes nothing there
    const drop = ctx.service.node.entries.find((e) => e.key === 'cap_drop');
    const caps = capabilities(drop?.value);
    if (caps.some((c) => c.node.kind === 'scalar' && c.node.unresolved?.length)) return ctx.skip();
    if (caps.some((c) => c.name === 'ALL')) return;
    const name = ctx.service.name;
    const added = capabilities(ctx.service.node.entries.find((e) => e.key === 'cap_add')?.value).map((c) => c.name);
    const keep = added.length ? ` (its cap_add: ${added.join(', ')} still applies)` : '';
    const edit = drop ? addToOwnSequence(ctx, drop.value, 'ALL') : addToService(ctx, 'cap_drop:\n  - ALL');
    ctx.report({
      span: drop ? drop.keySpan : ctx.service.span,
      message: drop
        ? `service "${name}" drops only ${caps.map((c) => c.name).join(', ') || 'nothing'}: it keeps the rest of the engine's default capabilities (chown, setuid, kill, net_bind_service...); drop ALL and add back only what it needs${keep}`
        : `service "${name}" keeps the engine's default capabilities (chown, setuid, kill, net_bind_service...); drop ALL and add back only what it needs${keep}`,
      ...(edit ? { fix: fix('Add cap_drop: [ALL] (then cap_add back what the service needs)', edit) } : {}),
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE]\n' },
      { name: 'lower case, through an anchor', code: 'x-hardening: &hardening\n  cap_drop:\n    - all\nservices:\n  web:\n    <<: *hardening\n    image: nginx:1.27\n' },
      { name: 'privileged: another rule', code: 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop:\n      - ${DROP}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  web:\n    image: nginx:1.27\n    restart: always # keep running\n\n  db:\n    image: postgres:16\n    cap_add: [CHOWN]\n',
        errors: [
          { line: 2, column: 3, message: /service "web" keeps the engine's default capabilities/ },
          { line: 6, column: 3, message: /cap_add: CHOWN still applies/ },
        ],
        output: 'services:\n  web:\n    image: nginx:1.27\n    restart: always # keep running\n    cap_drop:\n      - ALL\n\n  db:\n    image: postgres:16\n    cap_add: [CHOWN]\n    cap_drop:\n      - ALL\n',
      },
      {
        name: 'trailing comments and a null value before the next service',
        code: 'services:\n    web:\n        image: nginx:1.27\n        networks:\n            front:\n\n    # The API\n    api:\n        image: api:1\n        command: |\n          run\n          # done\n# end\n',
        errors: [
          { line: 2, column: 5, message: /service "web"/ },
          { line: 8, column: 5, message: /service "api"/ },
        ],
        output:
          'services:\n    web:\n        image: nginx:1.27\n        networks:\n            front:\n        cap_drop:\n          - ALL\n\n    # The API\n    api:\n        image: api:1\n        command: |\n          run\n          # done\n        cap_drop:\n          - ALL\n# end\n',
      },
      {
        name: 'an existing list gets ALL',
        code: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop:\n      - NET_RAW # no raw sockets\n    user: "101"\n',
        errors: [{ line: 4, column: 5, message: /drops only NET_RAW/ }],
        output: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop:\n      - NET_RAW # no raw sockets\n      - ALL\n    user: "101"\n',
      },
      {
        name: 'shared anchor and flow mapping: reported without a fix',
        code: 'x-base: &base\n  cap_drop: [NET_RAW]\nservices:\n  web:\n    <<: *base\n    image: nginx:1.27\n  api: {image: "api:1"}\n',
        errors: [
          { line: 2, column: 3, message: /drops only NET_RAW/ },
          { line: 7, column: 3, message: /service "api"/ },
        ],
      },
    ],
  },
};
