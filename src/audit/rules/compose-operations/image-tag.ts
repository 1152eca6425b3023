import { entry } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { parseImage } from '../_images.js';
import { autoUpdates } from './_shared.js';

/** Tags that follow a branch or a channel rather than naming one version. */
export const FLOATING = new Set(['latest', 'stable', 'edge', 'lts', 'release', 'main', 'master', 'nightly', 'current', 'rolling', 'develop', 'dev', 'beta', 'alpha', 'unstable', 'testing', 'canary', 'next', 'preview', 'snapshot']);

/** An image without a tag, or with a floating one, runs whatever was pushed last: upgrades happen by accident. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'image-tag',
    title: 'Images are pinned to a version tag',
    category: 'automation',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    const c = service.config;
    const image = entry(service.node, 'image')?.value;
    if (typeof c.image !== 'string' || image?.kind !== 'scalar') return ctx.skip();
    // With a build section, image names the image built here.
    if (c.build !== undefined) return;
    if (image.unresolved?.length || ctx.unsetIn(image.span).length > 0) return ctx.skip();
    const ref = parseImage(c.image);
    if (ref.digest) return;
    // Seed 004: a service that opts in to podman auto-update (or Watchtower) follows its tag on purpose.
    if (autoUpdates(c.labels)) return;
    if (ref.tag === undefined) {
      ctx.report({ span: image.span, message: `service "${service.name}" uses image "${c.image}" without a tag, which means :latest: any pull can bring a new major version` });
    } else if (FLOATING.has(ref.tag.toLowerCase())) {
      ctx.report({ span: image.span, message: `service "${service.name}" uses image "${c.image}" with the floating tag :${ref.tag}: any pull can bring a new major version; pin a version and update it deliberately` });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: docker.io/library/nginx:1.27-alpine\n' },
      { name: 'a digest; a registry with a port', code: 'services:\n  a:\n    image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n  b:\n    image: registry.local:5000/team/app:2.1\n' },
      { name: 'the name of a built image', code: 'services:\n  app:\n    build: .\n    image: ghcr.io/org/app:latest\n' },
      { name: 'an unset tag variable (cannot tell); a default', code: 'services:\n  a:\n    image: ghcr.io/org/a:${A_TAG}\n  b:\n    image: ghcr.io/org/b:${B_TAG:-1.2}\n' },
      {
        name: 'seed 004: a floating tag followed by podman auto-update',
        code: 'services:\n  jellyfin:\n    image: ghcr.io/linuxserver/jellyfin:latest\n    labels:\n      - io.containers.autoupdate=registry\n',
      },
    ],
    invalid: [
      {
        name: 'no tag, latest, and a floating default',
        code: 'services:\n  a:\n    image: redis\n  b:\n    image: "postgres:latest"\n  c:\n    image: ghcr.io/org/c:${C_TAG:-main}\n',
        errors: [
          { line: 3, column: 12, message: /"a" uses image "redis" without a tag, which means :latest/ },
          { line: 5, column: 12, message: /floating tag :latest/ },
          { line: 7, column: 12, message: /"ghcr\.io\/org\/c:main" with the floating tag :main/ },
        ],
      },
      {
        name: 'a registry port is not a tag; from a merge key',
        code: 'x-img: &img\n  image: localhost:5000/app\nservices:\n  app:\n    <<: *img\n',
        errors: [{ line: 2, column: 10, message: /without a tag/ }],
      },
    ],
  },
};
