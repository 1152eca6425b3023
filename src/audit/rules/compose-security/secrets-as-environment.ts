import type { ComposeRule } from '../../rule.js';
import { imageName } from '../_images.js';
import { spanOf } from '../_spans.js';
import { environment, isSecretName, SECRET_NAME } from './_shared.js';

/** How an image reads a variable from a file: the name of the variable that holds the file's path. */
type FileVariant = (name: string) => string | undefined;

const suffix =
  (prefixes: RegExp, end = '_FILE'): FileVariant =>
  (name) =>
    prefixes.test(name) ? `${name}${end}` : undefined;

/** Images documented to read `<NAME>_FILE` (or their own form) for the variables listed. */
const FILE_SUPPORT: { image: RegExp; variant: FileVariant }[] = [
  { image: /^(postgres|postgis\/postgis|timescale\/timescaledb(-ha)?|pgvector\/pgvector|tensorchord\/pgvecto-rs|immich-app\/postgres)$/, variant: suffix(/^POSTGRES_/) },
  { image: /^(mariadb|mysql)$/, variant: suffix(/^(MARIADB|MYSQL)_/) },
  { image: /^mongo$/, variant: suffix(/^MONGO_INITDB_/) },
  { image: /^nextcloud$/, variant: suffix(/^(POSTGRES_PASSWORD|MYSQL_PASSWORD|NEXTCLOUD_ADMIN_PASSWORD|REDIS_HOST_PASSWORD|SMTP_PASSWORD|OBJECTSTORE_S3_SECRET)$/) },
  { image: /^wordpress$/, variant: suffix(/^WORDPRESS_DB_PASSWORD$/) },
  { image: /^(vaultwarden\/server|n8nio\/n8n)$/, variant: suffix(/./) },
  { image: /^bitnami\//, variant: suffix(/./) },
  { image: /^paperless-ngx\/paperless-ngx$/, variant: suffix(/^PAPERLESS_/) },
  { image: /^grafana\/grafana(-oss|-enterprise)?$/, variant: suffix(/^GF_/, '__FILE') },
  { image: /^(go-)?gitea\/gitea$/, variant: suffix(/^GITEA__/, '__FILE') },
  { image: /^pihole\/pihole$/, variant: suffix(/^WEBPASSWORD$/) },
  { image: /^linuxserver\//, variant: (name) => `FILE__${name}` },
];

/** A value that is exactly one variable: `${DB_PASSWORD}`, `$DB_PASSWORD`, `${DB_PASSWORD:?set it}`. */
const ONE_VARIABLE = /^\$(\{[A-Za-z_][A-Za-z0-9_]*([:]?[-?+][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/;

/** Secrets handed over as environment variables show in `inspect` output and every child process; a secret file does not. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'secrets-as-environment',
    title: 'Secrets reach containers as files, not environment variables',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const ref = imageName(ctx.service.config.image);
    const support = ref && FILE_SUPPORT.find((s) => s.image.test(ref.path));
    const env = environment(ctx);
    const names = new Set(env.map((e) => e.name));
    let candidates = 0;
    for (const e of env) {
      if (!e.raw || !isSecretName(e.name) || !ONE_VARIABLE.test(e.raw.text.trim())) continue;
      candidates++;
      const file = support?.variant(e.name);
      if (!file || names.has(file)) continue;
      ctx.report({
        span: spanOf(ctx, e.raw.offset, e.raw.end),
        message: `service "${ctx.service.name}" passes ${e.name} as an environment variable, where "inspect" and every child process can read it; the image reads ${file}, so declare a compose secret and set ${file}=/run/secrets/<name> instead`,
      });
    }
    if (candidates > 0 && !support) ctx.skip();
    // No secret in its environment (not even a *_FILE path) and no compose secrets: not concerned.
    if (!env.some((e) => SECRET_NAME.test(e.name)) && ctx.service.config.secrets.length === 0) ctx.skip();
  },
  cases: {
    valid: [
      {
        code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\nsecrets:\n  db_password:\n    file: ./db_password.txt\n',
      },
      { name: 'image without _FILE support', code: 'services:\n  app:\n    image: example/app:1\n    environment:\n      API_TOKEN: ${API_TOKEN}\n' },
      { name: 'literal: another rule', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD=secret\n' },
    ],
    invalid: [
      {
        code: 'services:\n  db:\n    image: docker.io/library/postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD} # from .env\n  maria:\n    image: mariadb:11\n    environment:\n      - "MARIADB_ROOT_PASSWORD=${ROOT_PW:?set ROOT_PW}"\n',
        errors: [
          { line: 6, column: 26, message: /service "db" passes POSTGRES_PASSWORD as an environment variable.*reads POSTGRES_PASSWORD_FILE/ },
          { line: 10, column: 32, message: /reads MARIADB_ROOT_PASSWORD_FILE/ },
        ],
      },
      {
        name: 'LinuxServer and Grafana forms',
        code: 'services:\n  mariadb:\n    image: lscr.io/linuxserver/mariadb:11.4\n    environment:\n      - MYSQL_ROOT_PASSWORD=$ROOT_PASSWORD\n  grafana:\n    image: grafana/grafana:11.0.0\n    environment:\n      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_PASSWORD}\n',
        errors: [
          { line: 5, column: 29, message: /reads FILE__MYSQL_ROOT_PASSWORD/ },
          { line: 9, column: 35, message: /reads GF_SECURITY_ADMIN_PASSWORD__FILE/ },
        ],
      },
    ],
  },
};
