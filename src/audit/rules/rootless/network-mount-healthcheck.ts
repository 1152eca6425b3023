import { posix } from 'node:path';
import type { Span } from '../../../diagnostics/span.js';
import { entry, get } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { networkRoots, under, unset } from './_shared.js';

/** Roots and path components that name FUSE filesystems (rclone, mergerfs...). */
const FUSE_NAME = /fuse|rclone|mergerfs|unionfs|sshfs|s3fs|gcsfuse|goofys/i;
/** Kernel and runtime paths are never data mounts, whatever their names (/dev/fuse, sockets). */
const SYSTEM = /^\/(dev|proc|sys|run|var\/run)(\/|$)/;

/** Whether a health check's command mentions a container path (as a whole path, not inside a longer one). */
function mentions(test: string, target: string): boolean {
  const t = target.replace(/(.)\/+$/, '$1');
  let from = 0;
  for (;;) {
    const i = test.indexOf(t, from);
    if (i < 0) return false;
    const before = test[i - 1];
    const after = test[i + t.length];
    if ((before === undefined || !/[\w.\-/]/.test(before)) && (after === undefined || !/[\w.-]/.test(after))) return true;
    from = i + 1;
  }
}

/** A hung NFS or FUSE mount blocks the app, but a check that never reads the mount keeps reporting "healthy". */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'network-mount-healthcheck',
    title: 'Services on network or FUSE mounts check the mount in their health check',
    category: 'monitoring',
    severity: 'medium',
    fixable: false,
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service, settings } = ctx;
    const network = networkRoots(settings);
    const fuse = Object.entries(settings.roots).filter(([name]) => FUSE_NAME.test(name));
    const seq = get(service.node, 'volumes');
    if (seq?.kind !== 'seq') return ctx.skip(); // no mounts
    const found: { source: string; target: string; kind: string; span: Span }[] = [];
    service.config.volumes.forEach((mount, i) => {
      if (mount.type !== 'bind' || !mount.source) return;
      const span = seq.items[i]!.span;
      if (unset(ctx, span).length) return; // cannot tell where it points
      const source = posix.normalize(mount.source);
      if (SYSTEM.test(source)) return;
      const net = network.find(([, value]) => under(source, value));
      const fuseRoot = fuse.find(([, value]) => under(source, value));
      const kind = net
        ? `the network root ${net[0]}`
        : fuseRoot
          ? `the FUSE root ${fuseRoot[0]}`
          : source.split('/').some((c) => FUSE_NAME.test(c))
            ? 'what looks like a FUSE mount'
            : undefined;
      if (kind) found.push({ source, target: mount.target, kind, span });
    });
    // No network or FUSE mount (or cannot tell): not concerned.
    if (found.length === 0) return ctx.skip();
    const hc = service.config.healthcheck;
    const test = hc?.test ?? [];
    const disabled = hc?.disable === true || test[0] === 'NONE';
    const first = found[0]!;
    const where = `${first.source} (${first.kind}) at ${first.target}`;
    if (!hc || disabled || test.length === 0) {
      ctx.report({
        span: first.span,
        message: `service "${service.name}" mounts ${where} and ${disabled ? "has its health check disabled" : "declares no health check"}: when the mount hangs the app stalls and nothing notices; add a health check that reads the mount (e.g. "stat ${first.target}")`,
      });
      return;
    }
    const command = test.slice(test[0] === 'CMD' || test[0] === 'CMD-SHELL' ? 1 : 0).join(' ');
    if (found.some((f) => mentions(command, f.target))) return;
    const hcEntry = entry(service.node, 'healthcheck');
    const testSpan = (hcEntry?.value.kind === 'map' ? entry(hcEntry.value, 'test')?.value.span : undefined) ?? hcEntry?.keySpan ?? first.span;
    ctx.report({
      span: testSpan,
      message: `service "${service.name}" mounts ${where}, but its health check never touches ${found.map((f) => f.target).join(' or ')}: a hung mount leaves it "healthy"; make the check read the mount too (e.g. "stat ${first.target}")`,
    });
  },
  cases: {
    valid: [
      {
        name: 'the check reads the mount',
        code: 'services:\n  jellyfin:\n    image: lscr.io/linuxserver/jellyfin:10\n    volumes:\n      - ${MEDIA_ROOT}/media:/media:ro\n    healthcheck:\n      test: ["CMD-SHELL", "curl -fsS http://localhost:8096/health && stat /media >/dev/null"]\n',
        files: { '.env': 'MEDIA_ROOT=/mnt/data\n' },
        settings: { roots: { MEDIA_ROOT: '/mnt/data' }, networkRoots: ['MEDIA_ROOT'] },
      },
      {
        name: 'local roots only; no network roots known',
        code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - /mnt/docker/app:/config\n      - /dev/fuse:/dev/fuse\n',
        settings: { roots: { DATA_ROOT: '/mnt/docker' } },
      },
      { name: 'unset variable: cannot tell', code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - ${MUM_ROOT}/media:/media\n' },
    ],
    invalid: [
      {
        name: 'no health check; a check that misses the mount',
        code:
          'services:\n  immich:\n    image: ghcr.io/immich-app/immich-server:v1\n    volumes:\n      - ${MEDIA_ROOT}/photos:/data\n  jellyfin:\n    image: lscr.io/linuxserver/jellyfin:10\n    volumes:\n      - ${MEDIA_ROOT}/media:/media:ro\n    healthcheck:\n      test: curl -fsS http://localhost:8096/media-health\n',
        files: { '.env': 'MEDIA_ROOT=/mnt/data\n' },
        settings: { roots: { MEDIA_ROOT: '/mnt/data' }, networkRoots: ['MEDIA_ROOT'] },
        errors: [
          { line: 5, column: 9, message: /service "immich" mounts \/mnt\/data\/photos \(the network root MEDIA_ROOT\) at \/data and declares no health check/ },
          { line: 11, column: 13, message: /health check never touches \/media/ },
        ],
      },
      {
        name: 'FUSE: by root name and by path; disabled check',
        code:
          'services:\n  plex:\n    image: lscr.io/linuxserver/plex:1\n    volumes:\n      - /srv/gdrive/tv:/tv\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:4\n    volumes:\n      - /mnt/rclone/tv:/tv\n    healthcheck:\n      disable: true\n',
        settings: { roots: { FUSE_ROOT: '/srv/gdrive' } },
        errors: [
          { line: 5, column: 9, message: /\(the FUSE root FUSE_ROOT\) at \/tv and declares no health check/ },
          { line: 9, column: 9, message: /what looks like a FUSE mount.*health check disabled/ },
        ],
      },
    ],
  },
};
