import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Repo } from '../src/model/repo.js';
import type { Artifact, FidelityNote } from '../src/render/artifact.js';
import { collectStackFiles } from '../src/render/collect.js';
import type { StackRenderContext } from '../src/render/context.js';
import { hostLayout } from '../src/render/layout.js';
import { podmanArgsValue, quadletWordLoss } from '../src/render/quadlet/command.js';
import { KNOWN_SERVICE_KEYS, renderQuadletStack } from '../src/render/quadlet/index.js';
import { stackCommon } from '../src/render/stack-common.js';
import { execWord, unitFile } from '../src/render/unit-file.js';
import { loadRepo } from '../src/config/load-repo.js';
import { renderHost } from '../src/render/render-host.js';
import { desiredStack, readStackInputs } from '../src/run/desired.js';
import { selectTargets } from '../src/run/target.js';
import { FileSource } from '../src/source/files.js';
import { ROOT, removeTree, tempTree } from './helpers.js';
import { generate, optionValues, podmanRun, quadletOrSkip, unitLines, type Generated } from './quadlet-kit.js';
import { EXAMPLE, load, renderOwn, writeArtifacts } from './render-host-kit.js';

interface HostQuadlet {
  host: string;
  artifacts: Artifact[];
  notes: FidelityNote[];
  contexts: StackRenderContext[];
}

/** renderQuadletStack for every stack of every host, with the real stack-common. */
function renderRepo(repo: Repo): HostQuadlet[] {
  return repo.hosts.map((host) => {
    const layout = hostLayout(host);
    const files = collectStackFiles(repo, host.stacks.map((s) => s.name));
    const out: HostQuadlet = { host: host.name, artifacts: [], notes: [], contexts: [] };
    for (const deployment of repo.deployments.filter((d) => d.host === host.name)) {
      const stack = repo.stacks[deployment.stack]!;
      const stackFiles = new Map([...files].filter(([p]) => p.startsWith(`${stack.dir}/`) || stack.manifest.secrets.some((s) => s.file === p)));
      const input = { repo, host, stack, deployment, layout, files: stackFiles };
      const ctx: StackRenderContext = { ...input, common: stackCommon(input) };
      const r = renderQuadletStack(ctx);
      out.artifacts.push(...r.artifacts);
      out.notes.push(...r.notes);
      out.contexts.push(ctx);
    }
    return out;
  });
}

/** Writes a host's Quadlet files to a temp dir and runs the generator on them. */
function generateHost(h: HostQuadlet): Generated & { dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'berth-quadlet-'));
  writeArtifacts(root, h.artifacts);
  const dir = join(root, 'home', 'homelab', '.config', 'containers', 'systemd');
  return { ...generate(dir), dir: root };
}

function text(artifacts: Artifact[], suffix: string): string {
  const a = artifacts.find((x) => x.path.endsWith(suffix));
  assert.ok(a, `no rendered file ending in ${suffix}`);
  return Buffer.from(a.content).toString('utf8');
}

/** Every key a service of the host uses has at least one note: nothing is dropped silently. */
function assertEveryKeyNoted(h: HostQuadlet): void {
  for (const ctx of h.contexts) {
    for (const svc of Object.values(ctx.deployment.project.services)) {
      for (const { key } of svc.node.entries) {
        const noted = h.notes.some((n) => n.stack === ctx.stack.name && n.service === svc.name && (n.key === key || n.key.startsWith(`${key}.`)));
        assert.ok(noted, `${h.host}/${ctx.stack.name}/${svc.name}: key ${key} has no fidelity note`);
      }
    }
  }
}

describe('Quadlet rendering of examples/homelab', () => {
  const repo = load(EXAMPLE);
  const hosts = renderRepo(repo);

  test('every host renders, every key used gets a note, no secret value or placeholder is written', () => {
    assert.deepEqual(
      hosts.map((h) => h.host),
      ['doc1', 'media1'],
    );
    for (const h of hosts) {
      assert.ok(h.artifacts.some((a) => a.path.endsWith('.container')));
      assertEveryKeyNoted(h);
      for (const a of h.artifacts) assert.ok(!Buffer.from(a.content).toString('utf8').includes('<secret '), `${a.path} holds a secret placeholder`);
    }
  });

  test('two renders are byte-identical', () => {
    const again = renderRepo(load(EXAMPLE));
    assert.deepEqual(
      again.map((h) => h.artifacts),
      hosts.map((h) => h.artifacts),
    );
  });

  test('the real Quadlet generator accepts every file, and the podman run lines carry the expected flags', (t) => {
    if (!quadletOrSkip(t)) return;
    const doc1 = hosts.find((h) => h.host === 'doc1')!;
    const media1 = hosts.find((h) => h.host === 'media1')!;
    const g1 = generateHost(doc1);
    const g2 = generateHost(media1);
    try {
      for (const g of [g1, g2]) {
        assert.equal(g.status, 0, g.errors.join('\n'));
        assert.deepEqual(g.errors, []);
      }
      // Immich: the database and Valkey report started only once healthy; the server requires both.
      for (const dep of ['immich-database', 'immich-redis']) assert.ok(podmanRun(g1.units, `${dep}.service`).includes('--sdnotify=healthy'), `${dep} lacks --sdnotify=healthy`);
      const server = g1.units.get('immich-immich-server.service')!;
      for (const dep of ['immich-database.service', 'immich-redis.service']) {
        assert.ok(unitLines(server, 'Requires').includes(dep), `server does not require ${dep}`);
        assert.ok(unitLines(server, 'After').includes(dep), `server is not ordered after ${dep}`);
      }
      const serverRun = podmanRun(g1.units, 'immich-immich-server.service');
      assert.ok(!serverRun.includes('--sdnotify=healthy'), 'nothing waits for the server to be healthy');
      assert.deepEqual(optionValues(serverRun, '--publish'), ['127.0.0.1:2283:2283']);
      assert.ok(optionValues(podmanRun(g1.units, 'immich-database.service'), '-v').includes('/mnt/docker/immich/pgdata:/var/lib/postgresql/data:U'));
      // The database runs as its own uid and gets its password from the runtime dir only.
      const db = podmanRun(g1.units, 'immich-database.service');
      assert.deepEqual(optionValues(db, '--user'), ['999:999']);
      const immich = doc1.contexts.find((c) => c.stack.name === 'immich')!;
      assert.deepEqual(optionValues(db, '--env-file'), [immich.common.secretEnv.database!.file]);
      assert.ok(immich.common.secretEnv.database!.file.startsWith('/run/user/1000/'), 'secrets are read from the runtime dir');
      assert.ok(!optionValues(db, '--env').some((e) => e.startsWith('POSTGRES_PASSWORD=')));
      // Resources of the machine-learning container.
      const ml = podmanRun(g1.units, 'immich-immich-machine-learning.service');
      assert.ok(ml.includes('--memory=4G') && ml.includes('--cpus=2.0'), ml.join(' '));
      assert.deepEqual(optionValues(ml, '--pids-limit'), ['512']);
      // The management agent reads the rootless Podman socket, read-only.
      assert.ok(optionValues(podmanRun(g1.units, 'management-agent.service'), '-v').includes('/run/user/1000/podman/podman.sock:/var/run/docker.sock:ro'));
      // Containers keep compose's names and labels, and join the project network under their service name.
      assert.deepEqual(optionValues(db, '--name'), ['immich-database']);
      assert.deepEqual(optionValues(db, '--network'), ['immich_default:alias=database']);
      assert.ok(optionValues(db, '--label').includes('com.docker.compose.project=immich'));
      assert.ok(optionValues(db, '--label').includes('io.containers.autoupdate=registry'));
      // Downloads: the apps join the holder's network namespace and start after it.
      const qb = podmanRun(g2.units, 'downloads-qbittorrent.service');
      assert.deepEqual(optionValues(qb, '--network'), ['container:downloads-holder']);
      assert.ok(unitLines(g2.units.get('downloads-qbittorrent.service')!, 'Requires').includes('downloads-holder.service'));
      assert.deepEqual(optionValues(podmanRun(g2.units, 'downloads-holder.service'), '--publish'), ['8080:8080', '6881:6881', '6881:6881/udp', '9696:9696']);
      // Jellyfin: mum's NAS is an optional mount, so the container must not require it.
      const jf = g2.units.get('jellyfin-jellyfin.service')!;
      assert.ok(optionValues(podmanRun(g2.units, 'jellyfin-jellyfin.service'), '-v').includes('/mnt/mum/media:/media-mum:ro'));
      assert.ok(!unitLines(jf, 'RequiresMountsFor').some((p) => p.startsWith('/mnt/mum')), 'jellyfin requires the optional mount /mnt/mum');
      assert.ok(unitLines(jf, 'RequiresMountsFor').includes('/mnt/data'));
      // The proxy's network mode, and every container in its stack's target.
      assert.deepEqual(optionValues(podmanRun(g1.units, 'proxy-caddy.service'), '--network'), ['slirp4netns:allow_host_loopback=true,port_handler=slirp4netns']);
      assert.ok(optionValues(podmanRun(g1.units, 'proxy-caddy.service'), '-v').includes('/home/homelab/.local/share/berth/proxy/Caddyfile:/etc/caddy/Caddyfile:ro'));
      assert.ok(unitLines(server, 'PartOf').includes('berth-immich.target'));
    } finally {
      removeTree(g1.dir);
      removeTree(g2.dir);
    }
  });

  test('the database is started only through the prepare unit, which decrypts the secrets', () => {
    const doc1 = hosts.find((h) => h.host === 'doc1')!;
    const db = text(doc1.artifacts, '/immich-database.container');
    assert.match(db, /^Requires=berth-immich-prepare\.service$/m);
    assert.match(db, /^After=berth-immich-prepare\.service$/m);
    assert.match(db, /^WantedBy=berth-immich\.target$/m);
    assert.match(db, /^TimeoutStartSec=900$/m);
    assert.match(db, /^Notify=healthy$/m);
    assert.match(db, /^Restart=always$/m);
  });
});

/** A stack with the keys whose mapping is easiest to get wrong. */
const TRICKY = `
services:
  holder:
    image: registry.k8s.io/pause:3.10
    ports: ["127.0.0.1:8080:8080", "9000-9002:9000-9002/udp", "[::1]:53:53/udp"]
  app:
    image: nginx:1.27
    network_mode: service:holder
    depends_on:
      migrate:
        condition: service_completed_successfully
      holder:
        condition: service_started
        restart: true
      web:
        condition: service_healthy
        required: false
  migrate:
    image: docker.io/library/busybox:1.36
    command: ["sh", "-c", "echo migrating\\nexit 0"]
    restart: on-failure:3
    volumes:
      - data:/data
      - type: volume
        source: data
        target: /sub
        read_only: true
        volume: { subpath: app }
  web:
    build:
      context: ./web
      args: { VERSION: "1.0" }
    environment:
      SPACES: "a b  c"
      QUOTES: 'say "hi" it''s'
      PERCENT: "100% %n"
      DOLLAR: "$$HOME and $$\{X}"
      BACKSLASH: 'C:\\path\\n'
      NEWLINE: "line1\\nline2"
    command: echo "a b" 'c d' 100% $$HOME back\\\\slash
    labels:
      note: "spaces, % and $$ and \\"quotes\\""
      io.containers.autoupdate: local
    tmpfs: ["/run:size=64m"]
    volumes:
      - type: tmpfs
        target: /cache
        tmpfs: { size: 1048576, mode: 0o1777 }
      - ./conf:/etc/app:ro,z
      - cache:/var/cache:U
      - /anon
    secrets: [token]
    configs: [{ source: app_conf, target: /etc/app.conf }]
    healthcheck:
      test: ["CMD-SHELL", "test -n \\"$$HOME\\" && wget -q -O- 'http://localhost/100%' || exit 1"]
      interval: 10s
      start_interval: 2s
    stop_grace_period: 1m30s
    networks:
      front: { aliases: [www], ipv4_address: 10.89.0.10 }
      default: {}
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    read_only: true
    sysctls: { net.ipv4.ping_group_range: "0 2147483647" }
    ulimits: { nofile: { soft: 1024, hard: 4096 } }
    x-note: ignored
  sidecar:
    image: busybox
    entrypoint: /bin/sh -c
    command: ["sleep 1"]
    env_file:
      - ./app.env
      - path: ./missing.env
        required: false
      - ./quoted.env
    healthcheck:
      disable: true
networks:
  front:
    ipam: { config: [{ subnet: 10.89.0.0/24 }] }
volumes:
  data: {}
  cache: { name: shared-cache }
secrets:
  token: { file: ./token.txt }
configs:
  app_conf:
    content: "key=value"
`;

describe('Quadlet rendering of tricky keys', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nuid: 1000\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  h1:\n    stacks: [tricky]\n',
    'stacks/tricky/compose.yml': TRICKY,
    'stacks/tricky/web/Dockerfile': 'FROM docker.io/library/nginx:1.27\n',
    'stacks/tricky/conf/app.conf': 'x=1\n',
    'stacks/tricky/token.txt': 'not-a-real-token\n',
    'stacks/tricky/app.env': 'A=1\n',
    'stacks/tricky/quoted.env': 'B="x y"\n',
  });
  const [h] = renderRepo(load(dir));
  const files = h!.artifacts;

  test('every key used gets a note; x- fields are ignored with one', () => {
    assertEveryKeyNoted(h!);
    assert.ok(h!.notes.some((n) => n.service === 'web' && n.key === 'x-note' && n.fidelity === 'ignored'));
  });

  test('the generator accepts the files, and values with blanks, quotes, %, $ and \\ reach podman unchanged', (t) => {
    if (!quadletOrSkip(t)) return;
    const g = generateHost(h!);
    try {
      assert.equal(g.status, 0, g.errors.join('\n'));
      assert.deepEqual(g.errors, []);
      const web = podmanRun(g.units, 'tricky-web.service');
      const env = optionValues(web, '--env');
      for (const expected of ['SPACES=a b  c', `QUOTES=say "hi" it's`, 'PERCENT=100% %n', 'DOLLAR=$HOME and ${X}', 'BACKSLASH=C:\\path\\n', 'NEWLINE=line1\nline2']) {
        assert.ok(env.includes(expected), `--env ${JSON.stringify(expected)} missing from ${JSON.stringify(env)}`);
      }
      assert.ok(optionValues(web, '--label').includes('note=spaces, % and $ and "quotes"'));
      assert.ok(optionValues(web, '--label').includes('io.containers.autoupdate=local'));
      // The image comes from the .build unit; the command follows it, split as compose splits it.
      const image = web.indexOf('localhost/tricky-web:latest');
      assert.ok(image > 0, web.join(' '));
      assert.deepEqual(web.slice(image + 1), ['echo', 'a b', 'c d', '100%', '$HOME', 'back\\slash']);
      assert.ok(unitLines(g.units.get('tricky-web.service')!, 'Requires').includes('tricky-web-build.service'));
      assert.match(g.units.get('tricky-web-build.service')!, /^ExecStart=.* --build-arg VERSION=1\.0 .*\/home\/homelab\/\.local\/share\/berth\/stacks\/tricky\/web$/m);
      // Mounts: tmpfs, bind with options, a named volume with its compose name, an anonymous one.
      assert.deepEqual(optionValues(web, '--tmpfs').sort(), ['/cache:size=1048576,mode=1777', '/run:size=64m']);
      const vols = optionValues(web, '-v');
      assert.ok(vols.includes('/home/homelab/.local/share/berth/stacks/tricky/conf:/etc/app:ro,z'), vols.join(' '));
      assert.ok(vols.includes('shared-cache:/var/cache:U'));
      assert.ok(vols.includes('/anon'));
      // A secret file in the stack folder is the secret in clear: refused, never shipped or mounted.
      assert.ok(!vols.some((v) => v.includes('token.txt')), vols.join(' '));
      assert.equal(h!.notes.find((n) => n.service === 'web' && n.key === 'secrets')?.fidelity, 'refused');
      assert.ok(vols.includes('/home/homelab/.local/share/berth/configs/tricky/app_conf:/etc/app.conf:ro'));
      assert.equal(text(files, 'configs/tricky/app_conf'), 'key=value');
      // Networks: the service name and compose aliases on each network, the static address on its own.
      assert.deepEqual(optionValues(web, '--network'), ['tricky_front:alias=web,alias=www,ip=10.89.0.10', 'tricky_default:alias=web']);
      assert.match(g.units.get('tricky-front-network.service')!, /--subnet 10\.89\.0\.0\/24 /);
      // Health: the exact shell test, its timings, the start interval as a startup check.
      assert.deepEqual(optionValues(web, '--health-cmd'), [JSON.stringify(['CMD-SHELL', `test -n "$HOME" && wget -q -O- 'http://localhost/100%' || exit 1`])]);
      assert.deepEqual(optionValues(web, '--health-interval'), ['10s']);
      assert.deepEqual(optionValues(web, '--health-startup-interval'), ['2s']);
      assert.deepEqual(optionValues(web, '--stop-timeout'), ['90']);
      assert.match(g.units.get('tricky-web.service')!, /^TimeoutStopSec=120$/m);
      assert.ok(web.includes('--read-only'));
      assert.deepEqual(optionValues(web, '--cap-drop'), ['all']);
      assert.deepEqual(optionValues(web, '--cap-add'), ['net_bind_service']);
      assert.deepEqual(optionValues(web, '--sysctl'), ['net.ipv4.ping_group_range=0 2147483647']);
      assert.deepEqual(optionValues(web, '--ulimit'), ['nofile=1024:4096']);
      // app waits for web's health (Notify=healthy) without requiring it (required: false).
      assert.ok(web.includes('--sdnotify=healthy'));
      const app = g.units.get('tricky-app.service')!;
      assert.ok(unitLines(app, 'Wants').includes('tricky-web.service'));
      assert.ok(!unitLines(app, 'Requires').includes('tricky-web.service'));
      // network_mode: service:holder → the holder's namespace, and ordering on it.
      assert.deepEqual(optionValues(podmanRun(g.units, 'tricky-app.service'), '--network'), ['container:tricky-holder']);
      assert.ok(unitLines(app, 'Requires').includes('tricky-holder.service'));
      // service_completed_successfully → migrate is a oneshot unit that app requires and follows.
      const migrate = g.units.get('tricky-migrate.service')!;
      assert.match(migrate, /^Type=oneshot$/m);
      assert.match(migrate, /^RemainAfterExit=yes$/m);
      assert.match(migrate, /^Restart=on-failure$/m);
      assert.match(migrate, /^StartLimitBurst=4$/m);
      assert.ok(unitLines(app, 'Requires').includes('tricky-migrate.service') && unitLines(app, 'After').includes('tricky-migrate.service'));
      const migrateRun = podmanRun(g.units, 'tricky-migrate.service');
      assert.ok(!migrateRun.includes('-d'), 'a oneshot container runs in the foreground');
      assert.deepEqual(migrateRun.slice(-3), ['sh', '-c', 'echo migrating\nexit 0']);
      assert.deepEqual(optionValues(migrateRun, '-v'), ['tricky_data:/data']);
      assert.deepEqual(optionValues(migrateRun, '--mount'), ['type=volume,source=tricky_data,destination=/sub,ro,subpath=app']);
      // Ports: ranges folded back, IPv6 host addresses in brackets.
      assert.deepEqual(optionValues(podmanRun(g.units, 'tricky-holder.service'), '--publish'), ['127.0.0.1:8080:8080', '9000-9002:9000-9002/udp', '[::1]:53:53/udp']);
      // A short image name is Docker Hub's; an entrypoint of several words is a JSON array; a disabled check is none.
      const sidecar = podmanRun(g.units, 'tricky-sidecar.service');
      assert.ok(sidecar.includes('docker.io/library/busybox'));
      assert.deepEqual(optionValues(sidecar, '--entrypoint'), ['["/bin/sh","-c"]']);
      assert.deepEqual(optionValues(sidecar, '--health-cmd'), ['none']);
      assert.deepEqual(sidecar.slice(-1), ['sleep 1']);
      // Env files are shipped with the stack; an optional one that does not exist is left out.
      assert.deepEqual(optionValues(sidecar, '--env-file'), ['/home/homelab/.local/share/berth/stacks/tricky/app.env', '/home/homelab/.local/share/berth/stacks/tricky/quoted.env']);
    } finally {
      removeTree(g.dir);
    }
  });

  test('the notes say what was approximated and why', () => {
    const notes = h!.notes;
    const find = (service: string, key: string, fidelity: FidelityNote['fidelity']) => notes.find((n) => n.service === service && n.key === key && n.fidelity === fidelity);
    assert.match(find('web', 'healthcheck.start_interval', 'approximated')!.message, /HealthStartupCmd/);
    assert.match(find('app', 'network_mode', 'mapped')!.message, /Network=tricky-holder\.container/);
    assert.match(find('migrate', 'restart', 'approximated')!.message, /StartLimitBurst=4/);
    const deps = notes.filter((n) => n.service === 'app' && n.key === 'depends_on');
    const dep = (name: string) => deps.find((n) => n.message.startsWith(`${name}: `))!;
    assert.equal(dep('migrate').fidelity, 'approximated');
    assert.match(dep('migrate').message, /Requires=\+After=tricky-migrate\.service, migrate runs as a oneshot unit .*stops and restarts this service with migrate/);
    assert.equal(dep('holder').fidelity, 'mapped');
    assert.match(dep('holder').message, /restart: true/);
    assert.equal(dep('web').fidelity, 'mapped');
    assert.match(dep('web').message, /^web: Wants=\+After=tricky-web\.service, web reports started only once healthy/);
    assert.match(find('sidecar', 'image', 'mapped')!.message, /Docker Hub/);
    assert.match(find('sidecar', 'env_file', 'ignored')!.message, /missing\.env is optional .* does not exist/);
    assert.match(find('sidecar', 'env_file', 'approximated')!.message, /quoted\.env .* it quotes values: Podman reads env files literally/);
    assert.match(find('sidecar', 'env_file', 'mapped')!.message, /app\.env$/);
  });

  test.after(() => removeTree(dir));
});

/** Words around which Quadlet's splitting and re-quoting, then systemd's parsing, could go wrong. */
const WORDS = ['', ';', 'a;b', ';;', ' ;', '\\;', '"', "'", '""', "''", ' ', 'a  b', '%n', '%%', '$X', '${X}', '\\', 'x\\', '\x01', '\x07', '\b', '\v', '\f', '\t', '\r', 'line1\nline2', '\x7f', '\u0080', 'x\u0080y', '\u0081', '\u0085', '\u00a0', 'é', '😀', '-', '#', 'a=b', '\0'];

test("Quadlet 5.4 passes a word through Exec= and PodmanArgs= exactly when quadletWordLoss says it does", (t) => {
  if (!quadletOrSkip(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'berth-quadlet-words-'));
  const image = 'docker.io/library/busybox:1';
  try {
    WORDS.forEach((word, i) => {
      const file = (entry: [string, string]) => unitFile([{ name: 'Container', entries: [['Image', image], entry] }]);
      writeFileSync(join(dir, `exec${i}.container`), file(['Exec', ['first', word, 'last'].map(execWord).join(' ')]));
      writeFileSync(join(dir, `args${i}.container`), file(['PodmanArgs', podmanArgsValue(['--label', word])]));
    });
    const g = generate(dir);
    const argv = (unit: string): string[] | string => {
      try {
        return podmanRun(g.units, unit);
      } catch (e) {
        return (e as Error).message;
      }
    };
    WORDS.forEach((word, i) => {
      const loss = quadletWordLoss(word);
      const exec = argv(`exec${i}.service`);
      const after = typeof exec === 'string' ? exec : exec.slice(exec.indexOf(image) + 1);
      assert.equal(JSON.stringify(after) === JSON.stringify(['first', word, 'last']), loss === undefined, `${JSON.stringify(word)} through Exec= gives ${JSON.stringify(after)}; quadletWordLoss: ${loss ?? 'passes'}`);
      // An option whose value is empty or ";" is written --option=value, which gets through.
      const args = argv(`args${i}.service`);
      const labels = typeof args === 'string' ? args : optionValues(args, '--label');
      const expected = loss === undefined || word === '' || word === ';';
      assert.equal(JSON.stringify(labels) === JSON.stringify([word]), expected, `${JSON.stringify(word)} through PodmanArgs= gives ${JSON.stringify(labels)}`);
    });
  } finally {
    removeTree(dir);
  }
});

describe('Quadlet rendering of commands Exec= cannot carry', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nuid: 1000\n',
    'hosts.yml': 'hosts:\n  h1:\n    stacks: [cmd]\n',
    'stacks/cmd/compose.yml': [
      'services:',
      '  emptyword:',
      '    image: docker.io/library/redis:7',
      '    command: ["redis-server", "--save", "", "--appendonly", "no"]',
      '  quotedempty:',
      `    command: redis-server --save '' --appendonly no`,
      '    image: docker.io/library/redis:7',
      '  semicolon:',
      '    image: docker.io/library/busybox:1',
      '    command: ["sh", "-c", "echo a", ";", "echo b"]',
      '  folded:',
      '    image: docker.io/library/redis:7',
      '    entrypoint: ["redis-server"]',
      '    command: ["--save", "", "--appendonly", "no", ";"]',
      '  cleared:',
      '    image: docker.io/library/busybox:1',
      '    entrypoint: []',
      '    command: ["echo", ""]',
      '  lonesemi:',
      '    image: docker.io/library/busybox:1',
      '    entrypoint: ";"',
      '    working_dir: ";"',
      '    cap_add: [";"]',
      '    security_opt: [";", ""]',
      '',
    ].join('\n'),
  });
  const [h] = renderRepo(load(dir));
  const notes = (service: string, key: string) => h!.notes.filter((n) => n.service === service && n.key === key);

  test('a command with an empty word or a lone ";" is refused with the reason, not cut short or split in two', (t) => {
    for (const [service, reason] of [
      ['emptyword', /^word 3 \(""\): it is empty, and Quadlet stops reading the line at an empty word/],
      ['quotedempty', /^word 3 \(""\): it is empty/],
      ['semicolon', /^word 4 \(";"\): it is a lone ";", which Quadlet writes unquoted into ExecStart=, where systemd reads it as the end of the command/],
    ] as const) {
      assert.deepEqual(
        notes(service, 'command').map((n) => n.fidelity),
        ['refused'],
      );
      assert.match(notes(service, 'command')[0]!.message, reason);
      assert.match(notes(service, 'command')[0]!.message, /the image's default command runs; with entrypoint: given too/);
      assert.doesNotMatch(text(h!.artifacts, `/cmd-${service}.container`), /^Exec=/m);
    }
    assert.match(notes('lonesemi', 'working_dir')[0]!.message, /^";": it is a lone ";"/);
    assert.equal(notes('lonesemi', 'working_dir')[0]!.fidelity, 'refused');
    if (!quadletOrSkip(t)) return;
    const g = generateHost(h!);
    try {
      assert.equal(g.status, 0, g.errors.join('\n'));
      assert.deepEqual(g.errors, []);
      for (const service of ['emptyword', 'quotedempty', 'semicolon']) {
        const run = podmanRun(g.units, `cmd-${service}.service`);
        assert.match(run[run.length - 1]!, /^docker\.io\/library\/(redis|busybox):\d$/, `${service}: nothing follows the image: ${run.join(' ')}`);
      }
      // With an entrypoint, entrypoint and command become one Entrypoint= array, which carries them whole.
      const folded = podmanRun(g.units, 'cmd-folded.service');
      assert.equal(folded[folded.length - 1], 'docker.io/library/redis:7');
      assert.deepEqual(optionValues(folded, '--entrypoint').map((v) => JSON.parse(v) as unknown), [['redis-server', '--save', '', '--appendonly', 'no', ';']]);
      assert.deepEqual(
        notes('folded', 'command').map((n) => [n.fidelity, n.message.slice(0, 30)]),
        [['mapped', 'appended to Entrypoint= (5 wor']],
      );
      // An empty entrypoint clears the image's: the command runs alone, as the entrypoint.
      const cleared = podmanRun(g.units, 'cmd-cleared.service');
      assert.deepEqual(optionValues(cleared, '--entrypoint').map((v) => JSON.parse(v) as unknown), [['echo', '']]);
      assert.equal(cleared[cleared.length - 1], 'docker.io/library/busybox:1');
      // A lone ";" entrypoint is written as a JSON array, which Quadlet quotes; the working dir is
      // refused; option values reach podman as they are (podman judges them), written --option=value.
      const lonesemi = podmanRun(g.units, 'cmd-lonesemi.service');
      assert.deepEqual(optionValues(lonesemi, '--entrypoint'), ['[";"]']);
      assert.deepEqual(optionValues(lonesemi, '--workdir'), []);
      assert.deepEqual(optionValues(lonesemi, '--cap-add'), [';']);
      assert.deepEqual(optionValues(lonesemi, '--security-opt'), [';', '']);
      assert.equal(lonesemi[lonesemi.length - 1], 'docker.io/library/busybox:1');
    } finally {
      removeTree(g.dir);
    }
  });

  test.after(() => removeTree(dir));
});

describe('Quadlet rendering of depends_on service_healthy on a healthcheck that is not rendered', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nuid: 1000\n',
    'hosts.yml': 'hosts:\n  h1:\n    stacks: [hc]\n',
    'secrets/hc.env.age': 'age-encryption.org/v1\n-> X25519 placeholder\nplaceholder\n--- placeholder\n',
    'stacks/hc/stack.yml': 'secrets:\n  - name: hc\n    vars: [PW]\n',
    'stacks/hc/compose.yml': [
      'services:',
      '  sechc:',
      '    image: docker.io/library/postgres:16',
      '    environment: { PGPASSWORD: "${PW}" }',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "pg_isready --password ${PW}"]',
      '  badhc:',
      '    image: docker.io/library/busybox:1',
      '    healthcheck:',
      '      test: ["CMD"]',
      '  imagehc:',
      '    image: docker.io/library/busybox:1',
      '  testhc:',
      '    image: docker.io/library/busybox:1',
      '    healthcheck: { test: ["CMD", "true"] }',
      '  web:',
      '    image: docker.io/library/nginx:1.27',
      '    depends_on:',
      '      sechc: { condition: service_healthy }',
      '      badhc: { condition: service_healthy }',
      '      imagehc: { condition: service_healthy }',
      '      testhc: { condition: service_healthy }',
      '',
    ].join('\n'),
  });
  const [h] = renderRepo(load(dir));

  test('a refused check is not waited for: no Notify=healthy that nothing could satisfy, and the dependent says so', (t) => {
    const dep = (name: string) => h!.notes.find((n) => n.service === 'web' && n.key === 'depends_on' && n.message.startsWith(`${name}: `))!;
    assert.equal(h!.notes.find((n) => n.service === 'sechc' && n.key === 'healthcheck')?.fidelity, 'refused');
    assert.equal(h!.notes.find((n) => n.service === 'badhc' && n.key === 'healthcheck.test')?.fidelity, 'refused');
    for (const [name, key] of [
      ['sechc', 'healthcheck is refused: it reads a secret variable'],
      ['badhc', 'healthcheck.test is refused: ["CMD"] is not'],
    ] as const) {
      assert.equal(dep(name).fidelity, 'approximated');
      assert.ok(dep(name).message.includes(`${name}'s healthcheck is not rendered (${key}`), dep(name).message);
      assert.match(dep(name).message, /nothing would report it healthy: this waits for it to start only/);
    }
    assert.match(dep('imagehc').message, /relies on its image's own HEALTHCHECK/);
    assert.equal(dep('testhc').fidelity, 'approximated', 'Requires= also propagates stops');
    assert.match(dep('testhc').message, /^testhc: Requires=\+After=hc-testhc\.service, testhc reports started only once healthy \(Notify=healthy\);/);
    for (const [service, notify] of [['sechc', false], ['badhc', false], ['imagehc', true], ['testhc', true]] as const) {
      assert.equal(/^Notify=healthy$/m.test(text(h!.artifacts, `/hc-${service}.container`)), notify, `${service}: Notify=healthy should be ${notify ? 'set' : 'absent'}`);
    }
    if (!quadletOrSkip(t)) return;
    const g = generateHost(h!);
    try {
      assert.equal(g.status, 0, g.errors.join('\n'));
      for (const [service, mode] of [['sechc', 'conmon'], ['badhc', 'conmon'], ['imagehc', 'healthy'], ['testhc', 'healthy']]) {
        assert.ok(podmanRun(g.units, `hc-${service}.service`).includes(`--sdnotify=${mode}`), `${service} lacks --sdnotify=${mode}`);
      }
      assert.deepEqual(optionValues(podmanRun(g.units, 'hc-sechc.service'), '--health-cmd'), []);
    } finally {
      removeTree(g.dir);
    }
  });

  test.after(() => removeTree(dir));
});

test('ports of a service without a network namespace of its own are refused, and the firewall check does not count them as published', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nuid: 1000\n',
    'hosts.yml': 'hosts:\n  h1:\n    stacks: [net]\n',
    'stacks/net/compose.yml': [
      'services:',
      '  holder:',
      '    image: docker.io/library/busybox:1',
      '    ports: ["8080:8080"]',
      '  guest:',
      '    image: docker.io/library/busybox:1',
      '    network_mode: service:holder',
      '    ports: ["9090:80"]',
      '  hostnet:',
      '    image: docker.io/library/busybox:1',
      '    network_mode: host',
      '    ports: ["7070:7070"]',
      '',
    ].join('\n'),
  });
  try {
    for (const repo of [load(dir), load(EXAMPLE)]) {
      const quadletNotes = renderRepo(repo).flatMap((h) => h.notes);
      for (const host of repo.hosts) {
        const hostNotes = renderOwn(repo, host.name, 'quadlet').notes.filter((n) => n.key === 'ports');
        for (const refused of quadletNotes.filter((n) => n.key === 'ports' && n.fidelity === 'refused')) {
          const firewall = hostNotes.find((n) => n.stack === refused.stack && n.service === refused.service);
          assert.equal(firewall, undefined, `${refused.stack}/${refused.service}: its ports are refused (${refused.message}), yet the firewall check says: ${firewall?.message}`);
        }
      }
    }
    const [h] = renderRepo(load(dir));
    assert.deepEqual(
      h!.notes.filter((n) => n.key === 'ports' && n.fidelity === 'refused').map((n) => n.service),
      ['guest', 'hostnet'],
    );
    // The holder publishes on all addresses, and the check still says the firewall lacks it.
    const firewall = renderOwn(load(dir), 'h1', 'quadlet').notes.filter((n) => n.key === 'ports');
    assert.deepEqual(
      firewall.map((n) => [n.service, n.message.slice(0, 32)]),
      [['holder', 'publishes 0.0.0.0:8080/tcp on al']],
    );
  } finally {
    removeTree(dir);
  }
});

test('every service key of the compose schema has a rule, so none can be dropped silently', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'compose-spec.json'), 'utf8')) as { definitions: { service: { properties: Record<string, unknown> } } };
  const missing = Object.keys(schema.definitions.service.properties).filter((k) => !KNOWN_SERVICE_KEYS.has(k));
  assert.deepEqual(missing, []);
});

test('refused and unknown keys: a service key the renderer does not know is refused by name', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nuid: 1000\n',
    'hosts.yml': 'hosts:\n  h1:\n    stacks: [s]\n',
    'stacks/s/compose.yml': 'services:\n  a:\n    image: docker.io/library/busybox:1\n    deploy: { replicas: 3 }\n    cgroup_parent: custom.slice\n',
  });
  try {
    const [h] = renderRepo(load(dir));
    const notes = h!.notes.filter((n) => n.service === 'a');
    assert.equal(notes.find((n) => n.key === 'deploy.replicas')?.fidelity, 'refused');
    assert.equal(notes.find((n) => n.key === 'cgroup_parent')?.fidelity, 'refused');
    // The loader only lets schema keys through; an unknown one (from a newer schema) is refused by name.
    const ctx = h!.contexts[0]!;
    const svc = ctx.deployment.project.services.a!;
    const node = { ...svc.node, entries: [...svc.node.entries, { key: 'brand_new', keySpan: svc.span, value: { kind: 'scalar' as const, value: 'x', span: svc.span } }] };
    const project = { ...ctx.deployment.project, services: { a: { ...svc, node, config: { ...svc.config, brand_new: 'x' } } } };
    const r = renderQuadletStack({ ...ctx, deployment: { ...ctx.deployment, project } });
    assert.deepEqual(
      r.notes.filter((n) => n.key === 'brand_new').map((n) => [n.fidelity, n.message]),
      [['refused', 'berth does not know the compose key brand_new, so it is not rendered']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each rendered container carries the config hash `berth up` computes, so status sees a unit-run container as in sync', () => {
  const { repo } = loadRepo(join(ROOT, 'examples', 'homelab'), new FileSource());
  const rendered = renderHost(repo!, repo!.hosts.find((h) => h.name === 'doc1')!, collectStackFiles(repo!, Object.keys(repo!.stacks)));
  let checked = 0;
  for (const target of selectTargets(repo!, [], 'doc1', 'nowhere')) {
    const desired = desiredStack(target, readStackInputs(target), 'podman', '/run/user/1000');
    for (const d of desired.services) {
      const file = rendered.artifacts.find((a) => a.path.endsWith(`/${target.stack.name}-${d.service}.container`));
      assert.ok(file, `${target.stack.name}/${d.service} rendered`);
      assert.match(String(file.content), new RegExp(`^Label=io\\.berth\\.config=${d.configHash}$`, 'm'), `${target.stack.name}/${d.service}`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} services compared`);
});

test('external networks and volumes are joined by their own names, as compose and berth up name them', () => {
  const dir = tempTree({
    'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
    'hosts.yml': 'hosts:\n  doc1:\n    stacks: [whoami]\n',
    'stacks/whoami/compose.yml': 'services:\n  web:\n    image: docker.io/traefik/whoami:v1.10\n    networks: [proxy]\n    volumes: [shared:/data]\nnetworks:\n  proxy:\n    external: true\nvolumes:\n  shared:\n    external: true\n',
  });
  try {
    const { repo } = loadRepo(dir, new FileSource());
    const r = renderHost(repo!, repo!.hosts[0]!, collectStackFiles(repo!, ['whoami']));
    const container = String(r.artifacts.find((a) => a.path.endsWith('/whoami-web.container'))!.content);
    assert.match(container, /^Network=proxy:alias=web$/m);
    assert.match(container, /^Volume=shared:\/data$/m);
    assert.ok(!r.artifacts.some((a) => /\.(network|volume)$/.test(a.path)), 'external resources are not created');
  } finally {
    removeTree(dir);
  }
});
