import { scalarText } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { imageName } from '../_images.js';
import { spanOf } from '../_spans.js';
import { environment } from './_shared.js';

/**
 * Images that do not run their service as root: official database images start as root only to step
 * down to their own user, the others set a non-root USER.
 */
const NOT_ROOT =
  /^(postgres|mysql|mariadb|mongo|redis|valkey\/valkey|rabbitmq|memcached|elasticsearch|couchdb|cassandra|influxdb|neo4j|clickhouse\/clickhouse-server|bitnami\/.+|prom\/(prometheus|alertmanager|node-exporter|pushgateway|blackbox-exporter)|prometheus\/(prometheus|alertmanager|node-exporter)|grafana\/(grafana|grafana-oss|grafana-enterprise|loki|tempo|mimir)|n8nio\/n8n|nginxinc\/nginx-unprivileged|keycloak\/keycloak|chainguard\/.+|distroless\/.+)$/;

const ROOTLESS = ' (under rootless Podman container root is your own user, not host root, but it still owns every file the container can reach)';

/** A process running as root in the container is one kernel bug away from root on the host. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'run-as-root',
    title: 'Containers run as a non-root user',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const { config, node, name } = ctx.service;
    const user = node.entries.find((e) => e.key === 'user');
    if (user) {
      if (user.value.kind !== 'scalar') return;
      if (user.value.unresolved?.length) return ctx.skip();
      const who = scalarText(user.value).trim().split(':')[0]!;
      if (who !== '0' && who !== 'root') return;
      ctx.report({ span: user.value.span, message: `service "${name}" runs as root (user: ${scalarText(user.value)}); run it as an unprivileged uid:gid that owns its data${ROOTLESS}` });
      return;
    }
    // LinuxServer-style images start as root and switch to PUID:PGID.
    const puid = environment(ctx).find((e) => e.name === 'PUID');
    if (puid) {
      if (puid.entry.value.kind === 'scalar' && puid.entry.value.unresolved?.length) return ctx.skip();
      if ((puid.value ?? '').trim() !== '0') return;
      ctx.report({ span: puid.raw ? spanOf(ctx, puid.raw.offset, puid.raw.end) : puid.entry.keySpan, message: `service "${name}" sets PUID=0, so the image runs its programs as root; set PUID and PGID to the uid and gid that own its data${ROOTLESS}` });
      return;
    }
    const ref = imageName(config.image);
    if (!ref) return ctx.skip(); // built here: the Dockerfile's USER decides
    if (NOT_ROOT.test(ref.path) || ref.path.startsWith('linuxserver/') || /(^|[-_.:])(rootless|nonroot|non-root)([-_.]|$)/.test(config.image!.split('/').pop()!)) return;
    ctx.report({
      span: ctx.service.span,
      message: `service "${name}" sets no user, so it runs as ${ref.path}'s default user: root unless the image sets USER; set user: "<uid>:<gid>" if the image supports it`,
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginxinc/nginx-unprivileged:1.27\n    user: "101:101"\n' },
      { name: 'LinuxServer image with PUID', code: 'services:\n  sonarr:\n    image: lscr.io/linuxserver/sonarr:4.0.5\n    environment:\n      - PUID=1000\n      - PGID=1000\n' },
      { name: 'image that steps down', code: 'services:\n  db:\n    image: docker.io/library/postgres:16\n' },
      { name: 'built here', code: 'services:\n  app:\n    build: .\n' },
      { name: 'cannot tell', code: 'services:\n  app:\n    image: app:1\n    user: ${UID}:${GID}\n' },
    ],
    invalid: [
      {
        code: 'services:\n  app:\n    image: ghcr.io/example/app:1\n  tools:\n    image: alpine:3.20\n    user: "0:0" # rootless Podman: maps to me\n',
        errors: [
          { line: 2, column: 3, message: /service "app" sets no user, so it runs as example\/app's default user/ },
          { line: 6, column: 11, message: /service "tools" runs as root \(user: 0:0\).*rootless Podman/ },
        ],
      },
      {
        name: 'PUID=0 and root by name, through an anchor',
        code: 'x-ids: &ids\n  user: root\nservices:\n  radarr:\n    image: lscr.io/linuxserver/radarr:5\n    environment:\n      PUID: 0\n      PGID: 0\n  b:\n    <<: *ids\n    image: busybox:1.36\n',
        errors: [
          { line: 2, column: 9, message: /service "b" runs as root/ },
          { line: 7, column: 13, message: /service "radarr" sets PUID=0/ },
        ],
      },
    ],
  },
};
