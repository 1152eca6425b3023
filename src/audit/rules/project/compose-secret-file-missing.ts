import { relative } from 'node:path';
import { spanAt } from '../../../source/tree.js';
import type { ProjectRule } from '../../rule.js';

/** A compose secret whose `file:` does not exist stops the stack at start (seed 003's plex_client_id). */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'compose-secret-file-missing',
    title: 'Every secret file a compose file declares exists',
    category: 'orchestration',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const { project } of ctx.compose) {
      for (const secret of Object.values(project?.secrets ?? {})) {
        const file = secret.config.file;
        if (typeof file !== 'string') continue;
        looked = true;
        if (ctx.exists(file)) continue;
        ctx.report({
          span: spanAt(project!.root, ['secrets', secret.name, 'file']),
          message: `secret "${secret.name}" reads ${relative(ctx.root, file)}, which does not exist: the services using it cannot start`,
        });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { files: { 'compose.yml': 'services:\n  web:\n    image: nginx:1.27\n    secrets: [token]\nsecrets:\n  token:\n    file: ./secrets/token\n', 'secrets/token': 'x\n' } },
    ],
    invalid: [
      {
        files: { 'compose.yml': 'services:\n  web:\n    image: nginx:1.27\n    secrets: [plex_client_id]\nsecrets:\n  plex_client_id:\n    file: ./secrets/plex_client_id # may not exist\n' },
        errors: [{ file: 'compose.yml', line: 7, column: 11, message: /does not exist/ }],
      },
    ],
  },
};
