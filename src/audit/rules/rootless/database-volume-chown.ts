import { posix } from 'node:path';
import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { registryOf, repositoryPath } from '../_images.js';
import { mountsOf, networkRoots, splitColons, under, unset } from './_shared.js';

type Family = 'postgres' | 'mysql' | 'mongo' | 'redis';

const FAMILIES: [RegExp, Family][] = [
  [/^(postgres|postgresql|postgis|timescaledb(-ha)?|pgvector|pgvecto-rs)$/, 'postgres'],
  [/^(mysql|mysql-server|mariadb|percona-server|percona)$/, 'mysql'],
  [/^(mongo|mongodb|mongodb-community-server)$/, 'mongo'],
  [/^(redis|valkey|redis-stack|redis-stack-server)$/, 'redis'],
];

const DATA_DIRS: Record<Family, string[]> = {
  postgres: ['/var/lib/postgresql/data', '/var/lib/postgresql', '/home/postgres/pgdata'],
  mysql: ['/var/lib/mysql'],
  mongo: ['/data/db', '/data/configdb', '/data'],
  redis: ['/data'],
};

/** The database family of an image, from its repository path without registry and tag. */
function familyOf(image: string): { family: Family; bitnami: boolean; name: string } | undefined {
  let name = repositoryPath(image).toLowerCase();
  const registry = registryOf(name);
  if (registry !== undefined) name = name.slice(registry.length + 1);
  const parts = name.split('/');
  if (parts[0] === 'linuxserver') return undefined; // LinuxServer images keep their data in /config, owned through PUID
  const last = parts[parts.length - 1]!;
  for (const [re, family] of FAMILIES) if (re.test(last)) return { family, bitnami: parts[0] === 'bitnami', name: last };
  return undefined;
}

function isDataDir(target: string, dirs: string[]): boolean {
  const t = posix.normalize(target).replace(/(.)\/+$/, '$1');
  // Exactly the data directory (or the parent the image declares): a file below it is configuration (redis users.acl).
  return dirs.includes(t);
}

/** Seed 004: database containers run as their own uid (999), a subuid on the host; `:U` chowns the bind mount to it. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'database-volume-chown',
    title: 'Database bind mounts are chowned to the container user with :U',
    category: 'orchestration',
    severity: 'medium',
    fixable: 'unsafe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    const image = service.config.image;
    const db = typeof image === 'string' ? familyOf(image) : undefined;
    if (!db) return ctx.skip();
    // Running as container root (the host user) owns the files already.
    const user = service.config.user;
    if (user !== undefined && /^(0|root)(:|$)/.test(String(user))) return;
    const dirs = db.bitnami ? ['/bitnami', `/bitnami/${db.name}`] : [...DATA_DIRS[db.family]];
    const pgdata = service.config.environment.PGDATA;
    if (db.family === 'postgres' && typeof pgdata === 'string' && pgdata.startsWith('/')) dirs.push(pgdata);
    const network = networkRoots(ctx.settings).map(([, value]) => value);
    const mounts = mountsOf(ctx);
    // A database whose data lives in a named volume (or nowhere) has no bind mount to chown.
    if (!mounts.some((m) => m.mount.type === 'bind' && isDataDir(m.mount.target, dirs))) return ctx.skip();
    for (const m of mounts) {
      if (m.mount.type !== 'bind' || !isDataDir(m.mount.target, dirs)) continue;
      if (m.mount.options?.includes('U')) continue;
      if (unset(ctx, m.span).length) {
        ctx.skip();
        continue;
      }
      // Never :U on network storage: chown-network-root's business.
      if (m.mount.source && network.some((r) => under(m.mount.source!, r))) continue;
      const what = `service "${service.name}" bind-mounts ${m.mount.source ?? 'a host path'} as its data directory ${m.mount.target} without :U`;
      const why = 'rootless, the database runs as a subuid (container uid 999 is host uid 100998 or so) and cannot write files owned by your user';
      if (!m.short) {
        ctx.report({ span: m.span, message: `${what}: ${why}; the long syntax has no U option, so write it as a short "SOURCE:TARGET:U" entry (or chown the directory with podman unshare)` });
        continue;
      }
      let edit;
      if (m.span.file === ctx.file) {
        const c = scalarContent(ctx.text, m.span);
        const raw = ctx.text.slice(c.offset, c.end);
        const parts = splitColons(raw);
        const suffix = parts.length >= 3 ? (parts[parts.length - 1] === '' ? 'U' : ',U') : ':U';
        if (parts.length >= 2 && !raw.includes('\n')) edit = replaceSpan({ ...m.span, offset: c.offset, endOffset: c.end }, raw + suffix);
      }
      ctx.report({ span: m.span, message: `${what}: ${why}`, ...(edit ? { fix: fix('Add :U so Podman chowns the directory to the container user', edit) } : {}) });
    }
  },
  cases: {
    valid: [
      { name: ':U, named volume, not a database', code: 'services:\n  db:\n    image: docker.io/library/postgres:16\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data:U\n  db2:\n    image: docker.io/library/mariadb:11\n    volumes:\n      - dbdata:/var/lib/mysql\n  web:\n    image: docker.io/library/nginx:1.27\n    volumes:\n      - ./html:/data\nvolumes:\n  dbdata: {}\n' },
      { name: 'a configuration file below the data directory', code: 'services:\n  redis:\n    image: docker.io/library/redis:7\n    volumes:\n      - ./redis/users.acl:/data/users.acl:ro\n' },
      { name: 'runs as container root', code: 'services:\n  cache:\n    image: docker.io/library/redis:7\n    user: "0:0"\n    volumes:\n      - ./redis:/data\n' },
      {
        name: 'on a network root: never :U',
        code: 'services:\n  db:\n    image: docker.io/library/postgres:16\n    volumes:\n      - ${MEDIA_ROOT}/pg:/var/lib/postgresql/data\n',
        files: { '.env': 'MEDIA_ROOT=/mnt/data\n' },
        settings: { roots: { MEDIA_ROOT: '/mnt/data' }, networkRoots: ['MEDIA_ROOT'] },
      },
      { name: 'unset variable: cannot tell', code: 'services:\n  db:\n    image: docker.io/library/mysql:8\n    volumes:\n      - ${DATA_ROOT}/mysql:/var/lib/mysql\n' },
    ],
    invalid: [
      {
        name: 'postgres, immich postgres with a mode, redis quoted (comments kept)',
        code:
          'services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data # the cluster\n  database:\n    image: ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0\n    volumes:\n      - ${DATA_ROOT:-/srv}/immich/pg:/var/lib/postgresql/data:z\n  cache:\n    image: docker.io/valkey/valkey:8\n    volumes:\n      - "./valkey:/data"\n',
        errors: [
          { line: 5, column: 9, message: /service "db" bind-mounts .*\/pgdata as its data directory \/var\/lib\/postgresql\/data without :U/ },
          { line: 9, column: 9, message: /service "database"/ },
          { line: 13, column: 9, message: /service "cache"/ },
        ],
        output:
          'services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data:U # the cluster\n  database:\n    image: ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0\n    volumes:\n      - ${DATA_ROOT:-/srv}/immich/pg:/var/lib/postgresql/data:z,U\n  cache:\n    image: docker.io/valkey/valkey:8\n    volumes:\n      - "./valkey:/data:U"\n',
      },
      {
        name: 'long syntax: reported without a fix; bitnami',
        code: 'services:\n  db:\n    image: docker.io/bitnami/mariadb:11.4\n    volumes:\n      - type: bind\n        source: ./mariadb\n        target: /bitnami/mariadb\n',
        errors: [{ line: 5, column: 9, message: /long syntax has no U option/ }],
      },
    ],
  },
};
