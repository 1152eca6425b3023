import { get } from '../../../source/tree.js';
import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { networkRoots, splitColons, under, unset } from './_shared.js';

/** Seed 004: `:U` on NFS fails with "operation not permitted", and where it works it chowns the share for every other client. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'chown-network-root',
    title: 'No :U on network storage',
    category: 'orchestration',
    severity: 'high',
    fixable: 'unsafe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { settings, service } = ctx;
    const network = networkRoots(settings);
    if (network.length === 0) return ctx.skip();
    const seq = get(service.node, 'volumes');
    // Only bind mounts on network storage concern this rule.
    const onNetwork = service.config.volumes.some((m) => m.type === 'bind' && m.source && network.some(([, value]) => under(m.source!, value)));
    if (seq?.kind !== 'seq' || !onNetwork) return ctx.skip();
    service.config.volumes.forEach((mount, i) => {
      if (mount.type !== 'bind' || !mount.options?.includes('U') || !mount.source) return;
      const span = seq.items[i]!.span;
      if (unset(ctx, span).length) return ctx.skip();
      const root = network.find(([, value]) => under(mount.source!, value));
      if (!root) return;
      let edit;
      if (span.file === ctx.file) {
        const c = scalarContent(ctx.text, span);
        const raw = ctx.text.slice(c.offset, c.end);
        const parts = splitColons(raw);
        if (parts.length === 3 && !raw.includes('\n')) {
          const flags = parts[2]!.split(',').filter((f) => f !== 'U');
          const text = `${parts[0]}:${parts[1]}${flags.length ? `:${flags.join(',')}` : ''}`;
          if (text !== raw) edit = replaceSpan({ ...span, offset: c.offset, endOffset: c.end }, text);
        }
      }
      ctx.report({
        span,
        message: `service "${service.name}" mounts ${mount.source} with :U, but ${root[0]} (${root[1]}) is network storage: rootless Podman cannot chown on NFS ("operation not permitted"), and where it can it re-owns the share for every other client; make the export writable by your user instead`,
        ...(edit ? { fix: fix('Remove the U flag', edit) } : {}),
      });
    });
  },
  cases: {
    valid: [
      {
        name: ':U on the local data root only',
        code: 'services:\n  db:\n    image: docker.io/library/postgres:16\n    volumes:\n      - ${DATA_ROOT}/pg:/var/lib/postgresql/data:U\n      - ${MEDIA_ROOT}/photos:/photos:ro\n',
        files: { '.env': 'DATA_ROOT=/mnt/docker\nMEDIA_ROOT=/mnt/data\n' },
        settings: { roots: { DATA_ROOT: '/mnt/docker', MEDIA_ROOT: '/mnt/data' }, networkRoots: ['MEDIA_ROOT'] },
      },
      {
        name: 'a sibling path is not under the root',
        code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - /mnt/database/x:/x:U\n',
        settings: { roots: { MEDIA_ROOT: '/mnt/data' }, networkRoots: ['MEDIA_ROOT'] },
      },
      { name: 'no network roots known', code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - /mnt/data/x:/x:U\n' },
    ],
    invalid: [
      {
        name: ':U, :U,z and :z,U; comments kept',
        code:
          'services:\n  immich:\n    image: ghcr.io/immich-app/immich-server:v1.135.3\n    volumes:\n      - ${MEDIA_ROOT}/photos:/data:U # the library\n      - "${MEDIA_ROOT}/upload:/upload:U,z"\n      - /mnt/data/thumbs:/thumbs:z,U\n',
        files: { '.env': 'MEDIA_ROOT=/mnt/data\n' },
        settings: { roots: { MEDIA_ROOT: '/mnt/data/' }, networkRoots: ['MEDIA_ROOT'] },
        errors: [
          { line: 5, column: 9, message: /mounts \/mnt\/data\/photos with :U, but MEDIA_ROOT \(\/mnt\/data\/\) is network storage/ },
          { line: 6, column: 9 },
          { line: 7, column: 9 },
        ],
        output:
          'services:\n  immich:\n    image: ghcr.io/immich-app/immich-server:v1.135.3\n    volumes:\n      - ${MEDIA_ROOT}/photos:/data # the library\n      - "${MEDIA_ROOT}/upload:/upload:z"\n      - /mnt/data/thumbs:/thumbs:z\n',
      },
    ],
  },
};
