import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptedSecretFile } from '../src/render/compose-mode.js';
import { socketUnitFor } from '../src/render/host/index.js';
import { hostLayout } from '../src/render/layout.js';
import { EXAMPLE, has, load, renderOwn, skipWithNotice, values, verifyUnavailable, verifyUserUnits, writeArtifacts } from './render-host-kit.js';
import { baseRepo, removeTree, tempTree } from './helpers.js';

const UNITS = 'home/homelab/.config/systemd/user';
const BIN = '/home/homelab/.local/share/berth/bin';
const STACKS = '/home/homelab/.local/share/berth/stacks';

test('a compose-mode stack unit: oneshot, socket first, then the prepare steps in order, up, stop, restart on changed inputs', () => {
  const repo = load(EXAMPLE);
  const r = renderOwn(repo, 'doc1', 'compose');
  const unit = r.file(`${UNITS}/berth-immich.service`);
  const immich = r.contexts.find((c) => c.stack.name === 'immich')!;

  assert.deepEqual(values(unit, 'Type'), ['oneshot']);
  assert.deepEqual(values(unit, 'RemainAfterExit'), ['yes']);
  assert.deepEqual(values(unit, 'TimeoutStartSec'), ['900']);
  assert.deepEqual(values(unit, 'Restart'), ['on-failure']);
  assert.deepEqual(values(unit, 'StartLimitBurst'), ['5']);
  assert.deepEqual(values(unit, 'Requires'), ['podman.socket']);
  assert.ok(values(unit, 'After').includes('podman.socket'));
  assert.deepEqual(values(unit, 'RequiresMountsFor'), ['/mnt/data']);
  assert.deepEqual(values(unit, 'WantedBy'), ['default.target']);
  assert.deepEqual(values(unit, 'X-Berth-Inputs'), [immich.common.inputsHash]);

  // Order: wait for the socket, then stack-common's steps as it gives them (secrets, then dirs).
  const pre = values(unit, 'ExecStartPre');
  assert.equal(pre[0], `${BIN}/berth-wait-socket /run/user/1000/podman/podman.sock 120`);
  assert.deepEqual(pre.slice(1), [`${BIN}/berth-secrets-immich`, `${BIN}/berth-dirs-immich`]);
  assert.deepEqual(
    pre.slice(1),
    immich.common.preStart.map((argv) => argv.join(' ')),
  );
  const compose = `/usr/bin/podman-compose -p immich -f ${STACKS}/immich/compose.yml`;
  assert.deepEqual(values(unit, 'ExecStart'), [`${compose} up -d --force-recreate --remove-orphans`]);
  assert.deepEqual(values(unit, 'ExecStop'), [`${compose} stop`]);
  assert.deepEqual(values(unit, 'ExecReload'), [`${BIN}/berth-compose-update immich ${compose}`]);

  // What render interpolated with, the unit hands to podman-compose.
  assert.deepEqual(values(unit, 'Environment'), ['DATA_ROOT=/mnt/docker', 'HOME=/home/homelab', 'MEDIA_ROOT=/mnt/data', 'UID=1000', 'USER=homelab', 'XDG_RUNTIME_DIR=/run/user/1000']);
  assert.deepEqual(values(unit, 'EnvironmentFile'), ['-/run/user/1000/berth/secrets/immich/immich.env']);
  // podman-compose echoes `-e NAME=value`: the journal must not get the secrets.
  assert.deepEqual(values(unit, 'StandardOutput'), ['null']);

  // No inline shell anywhere, in any unit of any host.
  for (const host of ['doc1', 'media1']) {
    for (const a of renderOwn(repo, host, 'compose').artifacts.filter((x) => x.path.endsWith('.service'))) {
      assert.doesNotMatch(Buffer.from(a.content).toString(), /^Exec\w+=.*\bsh -c\b/m, a.path);
    }
  }
});

test('the env file the unit reads is the one the secrets step writes', () => {
  const repo = load(EXAMPLE);
  const r = renderOwn(repo, 'doc1', 'compose');
  for (const stack of ['immich', 'paperless']) {
    const script = r.file(`home/homelab/.local/share/berth/bin/berth-secrets-${stack}`);
    const file = decryptedSecretFile(hostLayout(r.host), stack, stack);
    // The script writes "$dir/<name>.env" with dir set to the stack's runtime secrets folder.
    const dir = /^dir=(.*)$/m.exec(script)?.[1];
    assert.ok(dir, 'the secrets script sets dir=');
    assert.match(script, new RegExp(`mv "\\$dir/\\.${stack}\\.env\\.tmp" "\\$dir/${stack}\\.env"`));
    assert.equal(`${dir}/${stack}.env`, file);
    assert.deepEqual(values(r.file(`${UNITS}/berth-${stack}.service`), 'EnvironmentFile'), [`-${file}`]);
  }
});

test('each host gets its own roots; stacks without secrets keep podman-compose output', () => {
  const r = renderOwn(load(EXAMPLE), 'media1', 'compose');
  const unit = r.file(`${UNITS}/berth-jellyfin.service`);
  assert.ok(values(unit, 'Environment').includes('DATA_ROOT=/srv/docker'));
  assert.ok(values(unit, 'Environment').includes('MUM_ROOT=/mnt/mum'));
  assert.deepEqual(values(unit, 'EnvironmentFile'), []);
  assert.deepEqual(values(unit, 'StandardOutput'), []);
  // Optional mounts: only Wants=/After= on the automount (seed 004 scenario 5), from stack-common.
  assert.ok(values(unit, 'Wants').includes('mnt-mum.automount'));
  assert.deepEqual(values(unit, 'RequiresMountsFor'), ['/mnt/data']);
});

test('what podman-compose 1.0.3 does not do is noted, not hidden', () => {
  const repo = load(EXAMPLE);
  const doc1 = renderOwn(repo, 'doc1', 'compose').notes;
  const healthy = doc1.filter((n) => n.key.startsWith('depends_on.')).map((n) => `${n.stack}/${n.service}/${n.key}/${n.fidelity}`).sort();
  assert.deepEqual(healthy, [
    'immich/immich-server/depends_on.database/approximated',
    'immich/immich-server/depends_on.redis/approximated',
    'management/ui/depends_on.agent/approximated',
    'paperless/webserver/depends_on.broker/approximated',
    'paperless/webserver/depends_on.db/approximated',
  ]);
  for (const n of doc1.filter((x) => x.key.startsWith('depends_on.'))) assert.match(n.message, /without waiting.*healthy.*Quadlet mode/);
  // The UI's profile is off on media1, but podman-compose 1.0.3 has no profiles.
  const media1 = renderOwn(repo, 'media1', 'compose').notes.filter((n) => n.key === 'profiles');
  assert.deepEqual(media1.map((n) => `${n.stack}/${n.service}`), ['management/ui']);
});

test('compose settings: stop or down, start timeout, per host over berth.yml', () => {
  const dir = tempTree(
    baseRepo({
      'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: /srv/data\ncompose:\n  startTimeout: 1200\n',
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web]\n    compose: { stop: down }\n  doc2:\n    stacks: [web]\n',
    }),
  );
  try {
    const repo = load(dir);
    const doc1 = renderOwn(repo, 'doc1', 'compose').file(`${UNITS}/berth-web.service`);
    assert.match(values(doc1, 'ExecStop')[0]!, / down$/);
    assert.deepEqual(values(doc1, 'TimeoutStartSec'), ['1200']);
    const doc2 = renderOwn(repo, 'doc2', 'compose').file(`${UNITS}/berth-web.service`);
    assert.match(values(doc2, 'ExecStop')[0]!, / stop$/);
    // One service, the default 10 s grace period, 30 s to spare.
    assert.deepEqual(values(doc2, 'TimeoutStopSec'), ['40']);
  } finally {
    removeTree(dir);
  }
});

test('docker engine: docker compose with the host profiles, the rootless daemon, pull then up on reload, no podman-compose caveats', () => {
  const dir = tempTree(
    baseRepo({
      'berth.yml': 'engine: docker\nuser: homelab\nroots:\n  DATA_ROOT: /srv/data\n',
      'hosts.yml': 'hosts:\n  doc1:\n    stacks: [web]\n    profiles: [extra, debug]\n',
      'stacks/web/compose.yml':
        'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    depends_on: { db: { condition: service_healthy } }\n  db:\n    image: docker.io/library/postgres:16\n    healthcheck: { test: [CMD, pg_isready] }\n  dbg:\n    image: docker.io/library/busybox:1\n    profiles: [debug]\n',
    }),
  );
  try {
    const r = renderOwn(load(dir), 'doc1', 'compose');
    const unit = r.file(`${UNITS}/berth-web.service`);
    const compose = `/usr/bin/docker compose -p web -f ${STACKS}/web/compose.yml --profile debug --profile extra`;
    assert.deepEqual(values(unit, 'ExecStart'), [`${compose} up -d --remove-orphans`]);
    assert.deepEqual(values(unit, 'ExecReload'), [`${compose} pull`, `${compose} up -d --remove-orphans`]);
    assert.deepEqual(values(unit, 'Requires'), ['docker.service']);
    assert.ok(values(unit, 'Environment').includes('DOCKER_HOST=unix:///run/user/1000/docker.sock'));
    assert.equal(values(unit, 'ExecStartPre')[0], `${BIN}/berth-wait-socket /run/user/1000/docker.sock 120`);
    assert.deepEqual(r.notes.filter((n) => n.stack === 'web'), [], 'docker compose waits for healthy dependencies and knows profiles');
    assert.ok(!r.artifacts.some((a) => a.path.endsWith('/berth-compose-update')));
  } finally {
    removeTree(dir);
  }
});

test('values with %, $, quotes and blanks reach the unit escaped', () => {
  const dir = tempTree(
    baseRepo({
      'berth.yml': 'user: homelab\nroots:\n  DATA_ROOT: "/srv/my data/100%"\n',
      'stacks/web/stack.yml': 'description: "50% of \\"the\\" $HOME web"\n',
    }),
  );
  try {
    const unit = renderOwn(load(dir), 'doc1', 'compose').file(`${UNITS}/berth-web.service`);
    assert.ok(values(unit, 'Environment').includes('"DATA_ROOT=/srv/my data/100%%"'));
    assert.deepEqual(values(unit, 'Description'), ['berth stack web (compose mode): 50%% of "the" $HOME web']);
  } finally {
    removeTree(dir);
  }
});

test('the engine socket unit for stacks that mount it: the user socket, or a rootful path that stands for it', () => {
  const repo = load(EXAMPLE);
  const doc1 = renderOwn(repo, 'doc1', 'compose');
  const by = (stack: string) => socketUnitFor(doc1.contexts.find((c) => c.stack.name === stack)!);
  assert.equal(by('management'), 'podman.socket');
  assert.equal(by('immich'), undefined);
  const dir = tempTree(baseRepo({ 'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]\n' }));
  try {
    const r = renderOwn(load(dir), 'doc1', 'compose');
    assert.equal(socketUnitFor(r.contexts.find((c) => c.stack.name === 'web')!), 'podman.socket');
    assert.equal(socketUnitFor(r.contexts.find((c) => c.stack.name === 'db')!), undefined);
  } finally {
    removeTree(dir);
  }
});

test('the socket wait ends: at once when the socket is there, with a clear error when it never comes', async () => {
  const r = renderOwn(load(EXAMPLE), 'doc1', 'compose');
  const dir = tempTree({});
  try {
    writeArtifacts(dir, r.artifacts);
    const script = join(dir, BIN, 'berth-wait-socket');
    const sock = join(dir, 'engine.sock');
    const started = Date.now();
    const waiting = run(script, [sock, '10']);
    // The socket appears a second later, as podman.socket's does at boot.
    const server = createServer();
    await new Promise((res) => setTimeout(res, 1000));
    await new Promise<void>((res) => server.listen(sock, res));
    const ok = await waiting;
    server.close();
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(Date.now() - started < 6000);
    const missing = await run(script, [join(dir, 'never.sock'), '1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /never\.sock did not appear within 1s/);
  } finally {
    removeTree(dir);
  }
});

test('every script compose mode renders is valid sh', () => {
  for (const host of ['doc1', 'media1']) {
    const r = renderOwn(load(EXAMPLE), host, 'compose');
    for (const a of r.artifacts.filter((x) => x.mode === 0o755)) {
      const check = spawnSync('sh', ['-n'], { input: Buffer.from(a.content), encoding: 'utf8' });
      assert.equal(check.status, 0, `${a.path}: ${check.stderr}`);
    }
  }
});

test('podman-compose accepts the unit command line and interpolates the roots the unit sets', (t) => {
  if (!has('podman-compose') || !has('podman')) return skipWithNotice(t, 'podman-compose or podman is missing (.ci/testbed installs them)');
  const repo = load(EXAMPLE);
  const dir = tempTree({});
  try {
    for (const [host, stack, expected] of [
      ['doc1', 'immich', '-v /mnt/docker/immich/pgdata:/var/lib/postgresql/data:U'],
      ['media1', 'jellyfin', '-v /srv/docker/jellyfin:/config'],
    ] as const) {
      const r = renderOwn(repo, host, 'compose');
      writeArtifacts(join(dir, host), r.artifacts);
      const unit = r.file(`${UNITS}/berth-${stack}.service`);
      const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
      for (const v of values(unit, 'Environment')) env[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
      // What the secrets step would have decrypted.
      for (const s of repo.stacks[stack]!.manifest.secrets) for (const name of s.vars ?? []) env[name] = 'not-a-real-secret';
      // The unit's own command, with the compose file where this test wrote the tree.
      const argv = values(unit, 'ExecStart')[0]!.split(' ').map((w) => (w.startsWith('/home/') ? join(dir, host, w) : w));
      const dry = spawnSync(argv[0]!, ['--dry-run', ...argv.slice(1)], { env, encoding: 'utf8', timeout: 60_000 });
      assert.equal(dry.status, 0, `${host}/${stack}: ${dry.stderr}`);
      assert.ok(dry.stdout.includes(expected), `${host}/${stack}: podman-compose did not get the roots:\n${dry.stdout}`);
      assert.doesNotMatch(dry.stdout + dry.stderr, /WARN.*not set|Traceback/);
    }
  } finally {
    removeTree(dir);
  }
});

test('every compose-mode unit of the example passes systemd-analyze verify as it will be on the host', (t) => {
  const why = verifyUnavailable();
  if (why) return skipWithNotice(t, why);
  const dir = tempTree({});
  try {
    for (const host of ['doc1', 'media1']) {
      const r = renderOwn(load(EXAMPLE), host, 'compose');
      writeArtifacts(join(dir, host), r.artifacts);
      const units = r.artifacts.filter((a) => a.path.startsWith(`${UNITS}/berth-`) && a.path.endsWith('.service')).map((a) => a.path.slice(UNITS.length + 1));
      assert.ok(units.length >= 3, `${host}: ${units.join(', ')}`);
      const v = verifyUserUnits(join(dir, host), 'homelab', units);
      assert.equal(v.output, '', `${host}: systemd-analyze verify:\n${v.output}`);
      assert.equal(v.status, 0);
    }
  } finally {
    removeTree(dir);
  }
});

test('the reload of a podman-compose stack recreates it only when a pull brought a new image', (t) => {
  if (!has('podman-compose') || !has('podman')) return skipWithNotice(t, 'podman-compose or podman is missing (.ci/testbed installs them)');
  // Rootless, as on a host: as root the test runs as .ci/testbed's user.
  const testUser = 'berthtest';
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? spawnSync('id', ['-u', testUser], { encoding: 'utf8' }) : undefined;
  if (asRoot && uid?.status !== 0) return skipWithNotice(t, `user ${testUser} is missing (.ci/testbed creates it)`);
  const as = (argv: string[], input?: Buffer) =>
    spawnSync(asRoot ? 'runuser' : argv[0]!, asRoot ? ['-u', testUser, '--', 'env', `XDG_RUNTIME_DIR=/run/user/${uid!.stdout.trim()}`, `HOME=/home/${testUser}`, 'PATH=/usr/bin:/bin', ...argv] : argv.slice(1), { input, encoding: 'utf8', timeout: 120_000 });

  const script = renderOwn(load(EXAMPLE), 'doc1', 'compose').file('home/homelab/.local/share/berth/bin/berth-compose-update');
  const project = `berthupd${process.pid}`;
  const image = `localhost/berth-compose-update-test:${process.pid}`;
  const dir = tempTree({
    'berth-compose-update': script,
    'compose.yml': `services:\n  app:\n    image: ${image}\n    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]\n`,
  });
  const imageWith = (version: string) => {
    const rootfs = join(dir, `rootfs-${version}`);
    spawnSync('mkdir', ['-p', join(rootfs, 'bin')]);
    spawnSync('cp', ['/bin/busybox', join(rootfs, 'bin/busybox')]);
    for (const l of ['sh', 'sleep']) spawnSync('ln', ['-s', 'busybox', join(rootfs, 'bin', l)]);
    spawnSync('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', version, join(rootfs, 'version')]);
    const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 << 20 });
    const imported = as(['podman', 'import', '-', image], tar.stdout);
    assert.equal(imported.status, 0, imported.stderr);
  };
  const compose = ['/usr/bin/podman-compose', '-p', project, '-f', join(dir, 'compose.yml')];
  const running = () => as(['podman', 'ps', '--filter', `label=io.podman.compose.project=${project}`, '--format', '{{.ID}} {{.ImageID}}']).stdout.trim();
  try {
    if (!existsSync('/bin/busybox')) return skipWithNotice(t, 'busybox-static is missing (.ci/testbed installs it)');
    if (asRoot) spawnSync('chown', ['-R', testUser, dir]);
    imageWith('v1');
    assert.equal(as([...compose, 'up', '-d']).status, 0);
    const before = running();
    assert.match(before, /^\w+ \w+$/, 'one container runs');

    const current = as(['sh', join(dir, 'berth-compose-update'), project, ...compose]);
    assert.equal(current.status, 0, current.stderr);
    assert.match(current.stdout, new RegExp(`berth: ${project}: images are current`));
    assert.equal(running(), before, 'nothing recreated');

    imageWith('v2');
    const updated = as(['sh', join(dir, 'berth-compose-update'), project, ...compose]);
    assert.equal(updated.status, 0, updated.stderr);
    assert.match(updated.stdout, new RegExp(`berth: ${project}: ${image.replace(/[.:]/g, '\\$&')} has a new image`));
    const after = running();
    assert.match(after, /^\w+ \w+$/);
    assert.notEqual(after.split(' ')[0], before.split(' ')[0], 'the container was recreated');
    assert.notEqual(after.split(' ')[1], before.split(' ')[1], 'on the new image');
  } finally {
    as([...compose, 'down']);
    as(['podman', 'rmi', '--force', image]);
    removeTree(dir);
  }
});

function run(program: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
