import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { join } from 'node:path';
import { loadCompose } from '../src/compose/load.js';
import type { ComposeProject } from '../src/model/compose.js';
import { FileSource } from '../src/source/files.js';
import { serviceConfigHash } from '../src/run/config-hash.js';
import { createCommand, portArg } from '../src/run/container-args.js';
import { waitsFor } from '../src/compose/waits.js';
import { commandText } from '../src/run/command.js';
import { durationMs } from '../src/run/duration.js';
import { LABEL, containerName, networkName, volumeName } from '../src/run/naming.js';
import { removeTree, tempTree } from './helpers.js';

/** The engine arguments berth derives from compose files read by the real loader. */
const dirs: string[] = [];
after(() => dirs.forEach(removeTree));

function load(compose: string, files: Record<string, string> = {}, env: Record<string, string> = {}): ComposeProject {
  const dir = tempTree({ 'stacks/shop/compose.yml': compose, ...files });
  dirs.push(dir);
  const r = loadCompose(join(dir, 'stacks/shop/compose.yml'), new FileSource(), { projectName: 'shop', env, strictVariables: true });
  assert.ok(r.project, JSON.stringify(r.diagnostics));
  return r.project;
}

const spec = (project: ComposeProject, service: string, envFiles: Record<string, string | undefined> = {}) =>
  createCommand({ engine: 'podman', project, stack: 'shop', service, configHash: 'h1', envFiles, secretEnvFile: '/run/user/1000/berth/secrets/shop/services/x.env' });

/** The value after each occurrence of a flag. */
function flag(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (a === name ? [args[i + 1]!] : []));
}

describe('createCommand', () => {
  it('takes volumes from a service by its container name, keeping :ro, and from a container as named', () => {
    const p = load(`
services:
  data:
    image: docker.io/library/busybox:1.36
  app:
    image: docker.io/library/busybox:1.36
    volumes_from: ["data:ro", "container:legacy-store"]
`);
    assert.deepEqual(flag(spec(p, 'app').args, '--volumes-from'), ['shop-data:ro', 'legacy-store']);
    assert.deepEqual(waitsFor(p, 'app'), ['data'], 'and it starts after the service it takes volumes from');
  });

  it('names, labels and networks a service the way compose does', () => {
    const p = load(`
services:
  web:
    image: docker.io/library/nginx:1.27
    ports: ["127.0.0.1:8080:80", "443:443/udp", "9000"]
    networks:
      front: { aliases: [www] }
      back: {}
    labels: { app: shop }
  db:
    image: docker.io/library/postgres:16
    container_name: shop-database
networks:
  front: {}
  back: { name: shared-back }
`);
    const web = spec(p, 'web');
    assert.equal(web.name, 'shop-web');
    assert.deepEqual(flag(web.args, '--label').sort(), ['app=shop', `${LABEL.config}=h1`, `${LABEL.project}=shop`, `${LABEL.service}=web`, `${LABEL.stack}=shop`].sort());
    assert.deepEqual(flag(web.args, '--network'), ['shop_front:alias=web,alias=www', 'shared-back:alias=web']);
    assert.deepEqual(flag(web.args, '-p'), ['127.0.0.1:8080:80/tcp', '443:443/udp', '9000/tcp']);
    assert.equal(web.args.at(-1), 'docker.io/library/nginx:1.27');
    const db = spec(p, 'db');
    assert.equal(db.name, 'shop-database');
    assert.equal(containerName(p, 'db'), 'shop-database');
    assert.deepEqual(flag(db.args, '--network'), ['shop_default:alias=db']);
    assert.equal(networkName(p, 'back'), 'shared-back');
  });

  it('mounts binds with Podman options, named volumes under the project, and shares a namespace by container name', () => {
    const p = load(`
services:
  db:
    image: docker.io/library/postgres:16
    volumes: ["./pgdata:/var/lib/postgresql/data:U,Z", "cache:/cache:ro", "/anon"]
    healthcheck: { test: ["CMD", "pg_isready", "-U", "app"], interval: 10s, retries: 5, start_period: 30s }
  vpn:
    image: docker.io/library/alpine:3
    network_mode: service:db
    healthcheck: { test: "wget -q -O- http://localhost || exit 1" }
    command: sh -c 'sleep 10'
volumes:
  cache: {}
  ext: { external: true }
`);
    const db = spec(p, 'db');
    const dir = p.file.replace(/compose\.yml$/, '');
    assert.deepEqual(flag(db.args, '-v'), [`${dir}pgdata:/var/lib/postgresql/data:Z,U`, 'shop_cache:/cache:ro', '/anon']);
    assert.deepEqual(flag(db.args, '--health-cmd'), ['["pg_isready","-U","app"]']);
    assert.deepEqual([flag(db.args, '--health-interval'), flag(db.args, '--health-retries'), flag(db.args, '--health-start-period')], [['10s'], ['5'], ['30s']]);
    const vpn = spec(p, 'vpn');
    assert.deepEqual(flag(vpn.args, '--network'), ['container:shop-db']);
    assert.deepEqual(flag(vpn.args, '--health-cmd'), ['["CMD-SHELL","wget -q -O- http://localhost || exit 1"]']);
    assert.deepEqual(vpn.args.slice(-4), ['docker.io/library/alpine:3', 'sh', '-c', 'sleep 10']);
    assert.equal(volumeName(p, 'ext'), 'ext');
  });

  it('keeps secret values out of the arguments and refuses a secret anywhere but the environment', () => {
    const p = load(
      `
services:
  app:
    image: docker.io/library/alpine:3
    env_file: [app.env]
    environment:
      DATABASE_URL: postgres://app:\${DB_PASSWORD}@db/app
      PLAIN: "yes"
      UNSET:
  bad:
    image: docker.io/library/alpine:3
    command: ["echo", "\${DB_PASSWORD}"]
`,
      { 'stacks/shop/app.env': 'FROM_FILE="quoted value"\nPLAIN=overridden\n' },
      { DB_PASSWORD: '<secret shop.DB_PASSWORD>' },
    );
    const envFile = p.services.app!.config.env_file[0]!.path;
    const app = spec(p, 'app', { [envFile]: 'FROM_FILE="quoted value"\nPLAIN=overridden\n' });
    assert.deepEqual(flag(app.args, '-e'), ['FROM_FILE=quoted value', 'PLAIN=yes']);
    assert.deepEqual(app.secretEnv, { DATABASE_URL: 'postgres://app:<secret shop.DB_PASSWORD>@db/app' });
    assert.deepEqual(flag(app.args, '--env-file'), ['/run/user/1000/berth/secrets/shop/services/x.env']);
    assert.ok(app.notes.some((n) => n.startsWith('environment.UNSET')));
    assert.deepEqual(app.errors, []);
    assert.match(spec(p, 'bad').errors.join(), /command reads a secret/);
    assert.match(spec(p, 'app', {}).errors.join(), /env_file .*app\.env does not exist/);
  });

  it('maps the plain flags and says which keys it leaves out', () => {
    const p = load(`
services:
  app:
    image: docker.io/library/alpine:3
    user: "1000:1000"
    restart: unless-stopped
    stop_grace_period: 1m30s
    cap_drop: [ALL]
    read_only: true
    entrypoint: ["/init"]
    extra_hosts: ["host.docker.internal:host-gateway"]
    ulimits: { nofile: 1024 }
    build: .
    storage_opt: { size: 1G }
`);
    const app = spec(p, 'app');
    assert.deepEqual([flag(app.args, '--user'), flag(app.args, '--restart'), flag(app.args, '--stop-timeout'), flag(app.args, '--cap-drop')], [['1000:1000'], ['unless-stopped'], ['90'], ['ALL']]);
    assert.ok(app.args.includes('--read-only'));
    assert.deepEqual(flag(app.args, '--entrypoint'), ['["/init"]']);
    assert.deepEqual(flag(app.args, '--add-host'), ['host.docker.internal:host-gateway']);
    assert.deepEqual(flag(app.args, '--ulimit'), ['nofile=1024:1024']);
    assert.deepEqual(app.notes, [
      'build: not run (berth up does not build images); it runs docker.io/library/alpine:3 as it is on this machine: build it first (podman build -t docker.io/library/alpine:3 CONTEXT)',
      'storage_opt: not applied when berth runs the stack directly',
    ]);
  });

  it('mounts file-backed secrets under /run/secrets and configs under /, as compose does', () => {
    const p = load(
      `
services:
  app:
    image: localhost/app:1
    secrets: [token, { source: token, target: tok }, { source: token, target: /etc/tok }]
    configs: [conf, { source: conf, target: app.ini }, { source: conf, target: /etc/app.ini }]
secrets:
  token: { file: ./token }
configs:
  conf: { file: ./app.ini }
`,
      { 'stacks/shop/token': 't\n', 'stacks/shop/app.ini': 'x=1\n' },
    );
    const targets = flag(spec(p, 'app').args, '-v').map((v) => v.split(':')[1]);
    assert.deepEqual(targets, ['/run/secrets/token', '/run/secrets/tok', '/etc/tok', '/conf', '/app.ini', '/etc/app.ini']);
  });

  it('runs the image the rendered unit names: short names qualified, registries and localhost as written', () => {
    const p = load(`
services:
  a: { image: "postgres:16" }
  b: { image: "grafana/grafana" }
  c: { image: "localhost/busybox:latest" }
  d: { image: "ghcr.io/x/y:1" }
  e: { image: "registry:5000/y" }
`);
    const images = ['a', 'b', 'c', 'd', 'e'].map((s) => [spec(p, s).image, spec(p, s).args.at(-1)]);
    assert.deepEqual(images, [
      ['docker.io/library/postgres:16', 'docker.io/library/postgres:16'],
      ['docker.io/grafana/grafana', 'docker.io/grafana/grafana'],
      ['localhost/busybox:latest', 'localhost/busybox:latest'],
      ['ghcr.io/x/y:1', 'ghcr.io/x/y:1'],
      ['registry:5000/y', 'registry:5000/y'],
    ]);
  });

  it('refuses more than one replica and says links are not applied, as render does', () => {
    const p = load(`
services:
  a: { image: "localhost/a", scale: 3 }
  b: { image: "localhost/b", deploy: { replicas: 2 } }
  c: { image: "localhost/c", deploy: { replicas: 1 }, scale: 1, links: ["a:alpha"], external_links: ["other"] }
`);
    assert.deepEqual(spec(p, 'a').errors, ['scale 3: berth runs one container per service; declare one service per replica']);
    assert.deepEqual(spec(p, 'b').errors, ['deploy.replicas 2: berth runs one container per service; declare one service per replica']);
    const c = spec(p, 'c');
    assert.deepEqual(c.errors, []);
    assert.deepEqual(c.notes, ['links: a:alpha, other not applied; services reach each other by service name on their shared networks (link aliases are not set)']);
  });

  it('writes IPv6 host addresses in brackets and leaves a random host port empty', () => {
    assert.equal(portArg({ target: 80, published: 8080, host_ip: '::1', protocol: 'tcp' }), '[::1]:8080:80/tcp');
    assert.equal(portArg({ target: 53, host_ip: '127.0.0.1', protocol: 'udp' }), '127.0.0.1::53/udp');
  });
});

describe('serviceConfigHash', () => {
  const compose = (cmd: string, extra = '') => `
services:
  app:
    image: docker.io/library/alpine:3
    command: ${cmd}
    environment: { A: "1", B: "2" }
${extra}`;

  it('is stable, ignores key order and start order, and changes with the config or the files it reads', () => {
    const a = load(compose('["sleep", "1"]'));
    const b = load(compose('["sleep", "1"]').replace('{ A: "1", B: "2" }', '{ B: "2", A: "1" }'));
    const c = load(compose('["sleep", "2"]'));
    const d = load(compose('["sleep", "1"]', '    depends_on: [other]\n  other:\n    image: docker.io/library/alpine:3\n'));
    const h = (p: ComposeProject, inputs = {}) => serviceConfigHash('shop', 'app', p.services.app!.config, inputs);
    assert.equal(h(a), h(load(compose('["sleep", "1"]'))), 'a fresh load of the same file hashes the same');
    assert.match(h(a), /^[0-9a-f]{64}$/);
    assert.equal(h(a), h(b));
    assert.notEqual(h(a), h(c));
    assert.equal(h(a), h(d));
    assert.notEqual(h(a, { '/x.env': 'A=1' }), h(a, { '/x.env': 'A=2' }));
    assert.notEqual(serviceConfigHash('other', 'app', a.services.app!.config), h(a));
  });
});

describe('durationMs', () => {
  it('reads compose durations', () => {
    assert.deepEqual(['1m30s', '500ms', '2h', '10', '1.5s', 'soon', ''].map((d) => durationMs(d)), [90_000, 500, 7_200_000, 10_000, 1500, undefined, undefined]);
  });
});

describe('commandText', () => {
  it('leaves out labels and keeps the subcommand, the name and the image of a long create in the one line', () => {
    const labels: Record<string, string> = {};
    for (let i = 0; i < 20; i++) labels[`org.example.label${i}`] = 'x'.repeat(30);
    const p = load(`
services:
  web:
    image: docker.io/library/nginx:1.27
    command: ["nginx", "-g", "daemon off;"]
    labels: ${JSON.stringify(labels)}
    environment: { A: "${'a'.repeat(200)}", B: "${'b'.repeat(200)}" }
`);
    const c = spec(p, 'web');
    const text = commandText('podman', c.args);
    assert.ok(text.length <= 340, `${text.length} chars`);
    assert.match(text, /^podman create --name shop-web /);
    assert.match(text, / docker\.io\/library\/nginx:1\.27 nginx -g 'daemon off;'$/);
    assert.doesNotMatch(text, /--label|io\.berth\.config|org\.example/);
    assert.equal(commandText('podman', ['start', 'shop-web']), 'podman start shop-web');
  });
});
