import type { ProjectRule } from '../../rule.js';

/** In a berth repository, everything `berth validate` finds is part of the audit too. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'berth-repository',
    title: 'The berth repository validates',
    category: 'orchestration',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    if (!ctx.repo) return ctx.skip();
    for (const d of ctx.repo) {
      if (d.severity === 'info') continue;
      ctx.report({ span: d.span, message: `${d.message}${d.hint ? ` (${d.hint})` : ''} [${d.code}]` });
    }
  },
  cases: {
    valid: [
      { files: { 'compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n' } },
      {
        name: 'a valid repository',
        files: {
          'berth.yml': 'roots:\n  DATA_ROOT: /srv\n',
          'hosts.yml': 'hosts:\n  a:\n    stacks: [web]\n',
          'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    volumes: ["${DATA_ROOT}/web:/data"]\n',
        },
      },
    ],
    invalid: [
      {
        files: {
          'berth.yml': 'roots:\n  DATA_ROOT: /srv\n',
          'hosts.yml': 'hosts:\n  a:\n    stacks: [web, wbe]\n',
          'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    volumes: ["${DATA_RT}/web:/data"]\n',
        },
        errors: [
          { file: 'hosts.yml', line: 3, column: 19, message: /names stack "wbe", which does not exist .*did you mean "web"\?.*\[UNKNOWN_STACK\]/ },
          { file: 'stacks/web/compose.yml', line: 4, column: 15, message: /DATA_RT is used but defined nowhere.*did you mean "DATA_ROOT"/ },
        ],
      },
    ],
  },
};
