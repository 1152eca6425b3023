import { entry } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

/**
 * `build` with `image` names the built image, but when that image is not present Compose first tries
 * to pull it, and builds only if the pull fails: the service may run a registry image instead of this source.
 */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'build-and-image',
    title: 'Built services say whether their image is pulled or built',
    category: 'orchestration',
    severity: 'info',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const { service } = ctx;
    const c = service.config;
    const image = entry(service.node, 'image');
    if (c.build === undefined || !image) return ctx.skip();
    // Any written pull_policy is a decision (build and never never pull).
    if (c.pull_policy !== undefined) return;
    ctx.report({
      span: image.keySpan,
      message: `service "${service.name}" has both build and image "${String(c.image)}": when that image is not present, Compose first tries to pull it and builds only if the pull fails; set pull_policy: build to always build this source`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  app:\n    build: .\n' },
      { code: 'services:\n  app:\n    build: .\n    image: ghcr.io/org/app:2\n    pull_policy: build\n' },
    ],
    invalid: [
      {
        code: 'services:\n  app:\n    build:\n      context: .\n    image: ghcr.io/org/app:2\n',
        errors: [{ line: 5, column: 5, message: /both build and image "ghcr\.io\/org\/app:2".*pull_policy: build/ }],
      },
      {
        name: 'through extends of a built service',
        code: 'services:\n  base:\n    build: .\n  worker:\n    extends: base\n    image: app-worker:dev\n',
        errors: [{ line: 6, column: 5, message: /"worker" has both build and image "app-worker:dev"/ }],
      },
    ],
  },
};
