import { entry } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { parseImage } from '../_images.js';
import { autoUpdates } from './_shared.js';

/** A tag can be moved or overwritten; only a digest names exactly the bytes that run. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'image-digest',
    title: 'Images are pinned by digest',
    category: 'automation',
    severity: 'info',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const { service } = ctx;
    const c = service.config;
    const image = entry(service.node, 'image')?.value;
    if (typeof c.image !== 'string' || image?.kind !== 'scalar' || c.build !== undefined) return ctx.skip();
    if (image.unresolved?.length || ctx.unsetIn(image.span).length > 0) return ctx.skip();
    // podman auto-update and Watchtower follow a tag: a digest would stop them.
    if (parseImage(c.image).digest || autoUpdates(c.labels)) return;
    ctx.report({
      span: image.span,
      message: `service "${service.name}" uses image "${c.image}" without a digest: the tag can be moved or overwritten, so what runs is not fixed by this file (pin it as ${c.image}@sha256:...)`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' },
      { name: 'built here', code: 'services:\n  app:\n    build: .\n    image: ghcr.io/org/app:2\n' },
      { name: 'followed by podman auto-update', code: 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    labels:\n      io.containers.autoupdate: registry\n' },
    ],
    invalid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n', errors: [{ line: 3, column: 12, message: /"nginx:1\.27" without a digest/ }] },
      {
        name: 'interpolated with a default',
        code: 'services:\n  web:\n    image: "ghcr.io/org/web:${TAG:-2.0}"\n',
        errors: [{ line: 3, column: 12, message: /"ghcr\.io\/org\/web:2\.0" without a digest/ }],
      },
    ],
  },
};
