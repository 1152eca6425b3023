import { entry, get } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

const LSIO = /^(?:(?:lscr\.io|ghcr\.io|docker\.io|index\.docker\.io)\/)?linuxserver\/([^/:@]+)/i;
/** LinuxServer images that do not follow the PUID/PGID convention (forks and one-shot tools). */
const NO_PUID = new Set(['socket-proxy', 'ffmpeg', 'docker-compose', 'yq']);

/** Seed 004: LinuxServer.io images run the app as PUID/PGID; rootless, PUID=0 is the host user who owns the data. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'linuxserver-puid',
    title: 'LinuxServer.io containers set PUID and PGID',
    category: 'orchestration',
    severity: 'medium',
    fixable: false,
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    const image = service.config.image;
    const imageNode = get(service.node, 'image');
    const lsio = typeof image === 'string' ? LSIO.exec(image) : null;
    if (!lsio || !imageNode || NO_PUID.has(lsio[1]!.toLowerCase())) return ctx.skip();
    // `user:` replaces the PUID mechanism; an env_file may set them where berth cannot see.
    if (service.config.user !== undefined) return ctx.skip();
    const env = service.config.environment;
    const missing = ['PUID', 'PGID'].filter((k) => !Object.hasOwn(env, k));
    if (missing.length === 0) return;
    if (service.config.env_file.length > 0) return ctx.skip();
    const envEntry = entry(service.node, 'environment');
    ctx.report({
      span: envEntry?.keySpan ?? imageNode.span,
      message: `service "${service.name}" runs the LinuxServer.io image ${image!} without ${missing.join(' and ')}: the app then runs as the image's default uid 911, a subuid on the host under rootless Podman, and cannot write files your user owns; set PUID=0 and PGID=0 (container root is your user)`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  jellyfin:\n    image: lscr.io/linuxserver/jellyfin:10.10.7\n    environment:\n      PUID: "0"\n      PGID: "0"\n' },
      { name: 'list form', code: 'services:\n  sonarr:\n    image: ghcr.io/linuxserver/sonarr:4\n    environment:\n      - PUID=0\n      - PGID=0\n' },
      { name: 'not a LinuxServer image; a LinuxServer fork without PUID', code: 'services:\n  jellyfin:\n    image: docker.io/jellyfin/jellyfin:10.10.7\n  proxy:\n    image: lscr.io/linuxserver/socket-proxy:1\n' },
      { name: 'env_file may set them: cannot tell', code: 'services:\n  plex:\n    image: lscr.io/linuxserver/plex:1\n    env_file: .env.plex\n' },
    ],
    invalid: [
      {
        name: 'no environment at all; only PUID',
        code: 'services:\n  plex:\n    image: lscr.io/linuxserver/plex:1.41.0\n  radarr:\n    image: linuxserver/radarr:5\n    environment:\n      - PUID=0\n      - TZ=Europe/Berlin\n',
        errors: [
          { line: 3, column: 12, message: /service "plex" runs the LinuxServer\.io image lscr\.io\/linuxserver\/plex:1\.41\.0 without PUID and PGID/ },
          { line: 6, column: 5, message: /service "radarr" .* without PGID:/ },
        ],
      },
      {
        name: 'from an anchor',
        code: 'x-lsio: &lsio\n  environment:\n    TZ: UTC\nservices:\n  bazarr:\n    <<: *lsio\n    image: docker.io/linuxserver/bazarr:1\n',
        errors: [{ line: 2, column: 3, message: /without PUID and PGID/ }],
      },
    ],
  },
};
