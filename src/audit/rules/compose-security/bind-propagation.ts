import { spanAt } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { writtenSource } from './_shared.js';

/** Mount propagation joins the container's mount table to the host's, in one direction or both. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'bind-propagation',
    title: 'Bind mounts do not share mount events with the host',
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    // Propagation is an option of bind mounts: a service without one is not concerned.
    if (!ctx.service.config.volumes.some((v) => v.type === 'bind' || v.bind !== undefined)) return ctx.skip();
    ctx.service.config.volumes.forEach((v, i) => {
      const p = v.bind?.propagation;
      if (!p || !['shared', 'rshared', 'slave', 'rslave'].includes(p)) return;
      const both = p.endsWith('shared');
      ctx.report({
        span: spanAt(ctx.service.node, ['volumes', i, 'bind', 'propagation']),
        message: both
          ? `service "${ctx.service.name}" mounts ${writtenSource(ctx, i, v)} with ${p} propagation: mounts the container makes there appear on the host, so it can mount over host paths; only a container that provides mounts to the host (rclone, mergerfs) needs it`
          : `service "${ctx.service.name}" mounts ${writtenSource(ctx, i, v)} with ${p} propagation: mounts the host makes there appear inside the container; keep it for containers that must see later mounts (FUSE, removable drives) and drop it elsewhere`,
      });
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  app:\n    image: app:1\n    volumes:\n      - /mnt/media:/media:ro\n      - /mnt/data:/data:rprivate\n' },
      { code: 'services:\n  app:\n    image: app:1\n    volumes:\n      - type: bind\n        source: /mnt/data\n        target: /data\n        bind:\n          propagation: private\n' },
    ],
    invalid: [
      {
        name: 'short syntax with other flags',
        code: 'services:\n  rclone:\n    image: rclone/rclone:1.67\n    volumes:\n      - /mnt/remote:/data:rshared # the mount is made here\n  plex:\n    image: plexinc/pms-docker:1.40\n    volumes:\n      - /mnt/remote:/media:ro,rslave\n',
        errors: [
          { line: 5, column: 9, message: /service "rclone" mounts \/mnt\/remote with rshared propagation: mounts the container makes there appear on the host/ },
          { line: 9, column: 9, message: /service "plex" mounts \/mnt\/remote with rslave propagation: mounts the host makes there appear inside/ },
        ],
      },
      {
        name: 'long syntax',
        code: 'services:\n  app:\n    image: app:1\n    volumes:\n      - type: bind\n        source: /mnt/usb\n        target: /usb\n        bind:\n          propagation: shared\n',
        errors: [{ line: 9, column: 24, message: /shared propagation/ }],
      },
    ],
  },
};
