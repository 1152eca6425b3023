import { scalarText } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

const UNCONFINED: { re: RegExp; what: string; advice: string }[] = [
  { re: /^seccomp[:=]unconfined$/i, what: 'turns off the seccomp filter, so every system call of the kernel is open to it', advice: 'write a seccomp profile that adds the few calls it needs' },
  { re: /^apparmor[:=]unconfined$/i, what: 'turns off AppArmor confinement', advice: 'use a custom AppArmor profile that allows what it needs' },
  { re: /^label[:=](disable|type:spc_t)$/i, what: 'turns off SELinux separation, so it can reach any host file it has mounted or can name', advice: 'relabel its bind mounts with :z or :Z instead' },
  { re: /^systempaths[:=]unconfined$/i, what: 'unmasks /proc and /sys paths the engine hides (kernel settings, keys, memory)', advice: 'remove it unless the service manages the kernel' },
];

/** security_opt values that switch off the engine's kernel-level confinement. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'unconfined-security-opt',
    title: 'Containers keep seccomp, AppArmor and SELinux confinement',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const opt = ctx.service.node.entries.find((e) => e.key === 'security_opt')?.value;
    if (opt?.kind !== 'seq') return;
    for (const item of opt.items) {
      if (item.kind !== 'scalar') continue;
      if (item.unresolved?.length) {
        ctx.skip();
        continue;
      }
      const text = scalarText(item).trim();
      const hit = UNCONFINED.find((u) => u.re.test(text));
      if (hit) ctx.report({ span: item.span, message: `service "${ctx.service.name}" sets ${text}: it ${hit.what}; ${hit.advice}` });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - no-new-privileges:true\n      - label=type:container_runtime_t\n      - seccomp=./seccomp.json\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    security_opt: ["${SECCOMP}"]\n' },
    ],
    invalid: [
      {
        code: 'services:\n  db:\n    image: mariadb:11\n    security_opt: # see mariadb-docker#434\n      - seccomp:unconfined\n      - apparmor:unconfined\n  aio:\n    image: nextcloud/all-in-one:latest\n    security_opt: ["label=disable"]\n',
        errors: [
          { line: 5, column: 9, message: /service "db" sets seccomp:unconfined: it turns off the seccomp filter/ },
          { line: 6, column: 9, message: /apparmor:unconfined: it turns off AppArmor/ },
          { line: 9, column: 20, message: /label=disable: it turns off SELinux separation.*:z or :Z/ },
        ],
      },
      {
        name: 'through an anchor',
        code: 'x-sec: &sec\n  security_opt:\n    - systempaths=unconfined\nservices:\n  a:\n    <<: *sec\n    image: a:1\n',
        errors: [{ line: 3, column: 7, message: /service "a" sets systempaths=unconfined/ }],
      },
    ],
  },
};
