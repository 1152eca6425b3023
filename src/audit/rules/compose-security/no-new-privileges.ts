import { scalarText } from '../../../source/tree.js';
import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { addToOwnSequence, addToService, ownedByService } from './_shared.js';

const NNP = /^no-new-privileges(?:[:=](true|false))?$/i;

/** Without no-new-privileges a process in the container can gain privileges through setuid binaries. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'no-new-privileges',
    title: 'Containers cannot gain new privileges',
    category: 'security',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    if (ctx.service.config.privileged === true) return ctx.skip(); // no-privileged says it
    const opt = ctx.service.node.entries.find((e) => e.key === 'security_opt');
    const items = opt?.value.kind === 'seq' ? opt.value.items : [];
    let off;
    for (const item of items) {
      if (item.kind !== 'scalar') continue;
      if (item.unresolved?.length) return ctx.skip();
      const m = NNP.exec(scalarText(item).trim());
      if (!m) continue;
      if (m[1]?.toLowerCase() !== 'false') return;
      off = item;
    }
    const name = ctx.service.name;
    const why = "setuid and setcap programs in the image (su, sudo, ping...) can still raise a process's privileges";
    const title = 'Add security_opt: no-new-privileges:true';
    if (off) {
      const c = scalarContent(ctx.text, off.span);
      const edit = off.span.file === ctx.file ? replaceSpan({ ...off.span, offset: c.offset, endOffset: c.end }, 'no-new-privileges:true') : undefined;
      ctx.report({ span: off.span, message: `service "${name}" sets no-new-privileges to false, so ${why}`, ...(edit && ownedByService(ctx, off.span) ? { fix: fix('Set no-new-privileges:true', edit) } : {}) });
      return;
    }
    const edit = opt ? addToOwnSequence(ctx, opt.value, 'no-new-privileges:true') : addToService(ctx, 'security_opt:\n  - no-new-privileges:true');
    ctx.report({
      span: opt ? opt.keySpan : ctx.service.span,
      message: `service "${name}" lacks security_opt no-new-privileges:true, so ${why}`,
      ...(edit ? { fix: fix(title, edit) } : {}),
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - no-new-privileges:true\n' },
      { name: 'other spellings, anchor', code: 'x-sec: &sec\n  security_opt: ["no-new-privileges=true"]\nservices:\n  a:\n    <<: *sec\n    image: a:1\n  b:\n    image: b:1\n    security_opt: [no-new-privileges]\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - ${SEC_OPT}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  web:\n    image: nginx:1.27\n    restart: always # keep it up\n  api:\n    image: api:1\n    security_opt:\n      - label:type:container_t # SELinux\n    user: "1000"\n',
        errors: [
          { line: 2, column: 3, message: /service "web" lacks security_opt no-new-privileges:true, so setuid/ },
          { line: 7, column: 5, message: /service "api"/ },
        ],
        output:
          'services:\n  web:\n    image: nginx:1.27\n    restart: always # keep it up\n    security_opt:\n      - no-new-privileges:true\n  api:\n    image: api:1\n    security_opt:\n      - label:type:container_t # SELinux\n      - no-new-privileges:true\n    user: "1000"\n',
      },
      {
        name: 'set to false',
        code: 'services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - "no-new-privileges:false" # sudo inside\n',
        errors: [{ line: 5, column: 9, message: /sets no-new-privileges to false/ }],
        output: 'services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - "no-new-privileges:true" # sudo inside\n',
      },
      {
        name: 'flow list: no fix',
        code: 'services:\n  web:\n    image: nginx:1.27\n    security_opt: [apparmor:docker-default]\n',
        errors: [{ line: 4, column: 5, message: /lacks security_opt/ }],
      },
    ],
  },
};
