import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptedSecretFile } from '../src/render/compose-mode.js';
import { socketUnitFor } from '../src/render/host/index.js';
import { hostLayout } from '../src/render/layout.js';
import { parseDotenv } from '../src/source/dotenv.js';
import { EXAMPLE, load, renderOwn, values, verifyUnavailable, verifyUserUnits, writeArtifacts } from './render-host-kit.js';
import { baseRepo, has, removeTree, skipWithNotice, tempTree } from './helpers.js';

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
  // Every compose command gets the decrypted secrets in its environment (a stop does without, if it must).
  const secrets = `${BIN}/berth-with-secrets /run/user/1000/berth/secrets/immich/immich.env --`;
  assert.deepEqual(values(unit, 'ExecStart'), [`${secrets} ${compose} up -d --force-recreate --remove-orphans`]);
  assert.deepEqual(values(unit, 'ExecStop'), [`${BIN}/berth-with-secrets --if-present /run/user/1000/berth/secrets/immich/immich.env -- ${compose} stop`]);
  assert.deepEqual(values(unit, 'ExecReload'), [`${secrets} ${BIN}/berth-compose-update immich ${compose}`]);

  // What render interpolated with, the unit hands to podman-compose.
  assert.deepEqual(values(unit, 'Environment'), ['DATA_ROOT=/mnt/docker', 'HOME=/home/homelab', 'MEDIA_ROOT=/mnt/data', 'UID=1000', 'USER=homelab', 'XDG_RUNTIME_DIR=/run/user/1000']);
  // Not EnvironmentFile=: systemd's parser has rules of its own (quotes, backslashes, line continuation).
  assert.deepEqual(values(unit, 'EnvironmentFile'), []);
  // podman-compose echoes `-e NAME=value`: the journal must not get the secrets.
  assert.deepEqual(values(unit, 'StandardOutput'), ['null']);

  // No inline shell anywhere, in any unit of any host.
  for (const host of ['doc1', 'media1']) {
    for (const a of renderOwn(repo, host, 'compose').artifacts.filter((x) => x.path.endsWith('.service'))) {
      assert.doesNotMatch(Buffer.from(a.content).toString(), /^Exec\w+=.*\bsh -c\b/m, a.path);
    }
  }
});

test('the env file the compose commands read is the one the secrets step writes', () => {
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
    const unit = r.file(`${UNITS}/berth-${stack}.service`);
    for (const key of ['ExecStart', 'ExecReload', 'ExecStop']) {
      for (const line of values(unit, key)) assert.match(line, new RegExp(`^${BIN}/berth-with-secrets (--if-present )?${file.replace(/[.]/g, '\\.')} -- /`), `${stack} ${key}`);
    }
  }
});

/** Runs the rendered berth-with-secrets on `files` and returns the environment COMMAND sees. */
function envThrough(script: string, args: string[]): { code: number; env: Map<string, string>; stderr: string } {
  const r = spawnSync('sh', [script, ...args, '--', '/usr/bin/env', '-0'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  const env = new Map(r.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { code: r.status ?? -1, env, stderr: r.stderr };
}

test('berth-with-secrets hands every byte after the first = to the command, as it is; refuses a missing file unless --if-present', () => {
  const r = renderOwn(load(EXAMPLE), 'doc1', 'compose');
  const cases = {
    QUOTES: `"double" and 'single'`,
    BACKSLASH: 'a\\b\\n\\',
    DOLLAR: '$HOME ${USER} $(id) `id`',
    HASH: 'x # not a comment',
    BLANKS: '  padded  ',
    EQUALS: '=a=b=',
    EMPTY: '',
  };
  const dir = tempTree({
    'berth-with-secrets': r.file(`home/homelab/.local/share/berth/bin/berth-with-secrets`),
    'a.env': Object.entries(cases).map(([k, v]) => `${k}=${v}\n`).join(''),
    'b.env': 'my.key=1\nLAST=no newline at the end',
  });
  try {
    const script = join(dir, 'berth-with-secrets');
    for (const shell of ['sh', 'dash', 'bash']) {
      if (!has(shell)) continue;
      const run = spawnSync(shell, [script, join(dir, 'a.env'), join(dir, 'b.env'), '--', '/usr/bin/env', '-0'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      assert.equal(run.status, 0, `${shell}: ${run.stderr}`);
      const env = new Map(run.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      for (const [k, v] of Object.entries(cases)) assert.equal(env.get(k), v, `${shell}: ${k}`);
      assert.equal(env.get('LAST'), 'no newline at the end');
      assert.match(run.stderr, /line 1: 'my\.key' is not a name compose can use; left out/);
    }
    const missing = envThrough(script, [join(dir, 'a.env'), join(dir, 'gone.env')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /gone\.env is missing: the stack's secrets step has not written it/);
    const optional = envThrough(script, ['--if-present', join(dir, 'gone.env'), join(dir, 'a.env')]);
    assert.equal(optional.code, 0, optional.stderr);
    assert.equal(optional.env.get('QUOTES'), cases.QUOTES);
    writeFileSync(join(dir, 'bad.env'), 'supersecretvalue\n');
    const bad = envThrough(script, [join(dir, 'bad.env')]);
    assert.equal(bad.code, 1);
    assert.doesNotMatch(bad.stderr, /supersecret/, 'a message never shows a value');
  } finally {
    removeTree(dir);
  }
});

test('secret values reach the compose command exactly as the dotenv file defines them: the real secrets step, age and berth-with-secrets', (t) => {
  if (process.getuid?.() !== 0 || !has('unshare')) return skipWithNotice(t, 'needs root and unshare: the rendered home and runtime dir are mounted at their real places in a private mount namespace (CI runs the tests as root)');
  if (!has('age') || !has('age-keygen')) return skipWithNotice(t, 'age is missing (.ci/testbed installs it)');
  // Each line in one of the forms berth's dotenv reader knows, with what systemd's EnvironmentFile= would have changed.
  const dotenv = [
    '# a comment',
    `export PW="p@ss \\"quoted\\" \\\\ back$slash #not-a-comment"`,
    `TOKEN='single $HOME \\n # kept'`,
    'PLAIN=value with  spaces # dropped',
    'TRAILING=ends with a backslash\\',
    'NEXT=after the backslash',
    'EMPTY=',
    'EQUALS=a=b==c',
    'SPACES="  padded  "',
    '',
  ].join('\n');
  const expected = parseDotenv(dotenv, 'web.env').vars;
  assert.equal(expected.get('TRAILING'), 'ends with a backslash\\');
  const repoDir = tempTree(
    baseRepo({
      'berth.yml': 'user: homelab\nuid: 1000\nroots:\n  DATA_ROOT: /srv/data\n',
      'stacks/web/stack.yml': `secrets: [{ name: web, vars: [${[...expected.keys()].join(', ')}] }]\n`,
      'stacks/web/compose.yml': 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    environment: { PW: "${PW}" }\n',
      'secrets/web.env.age': 'replaced by a real one below',
    }),
  );
  const tree = tempTree({});
  try {
    const r = renderOwn(load(repoDir), 'doc1', 'compose');
    writeArtifacts(tree, r.artifacts);
    const key = join(tree, 'home/homelab/.config/berth/age.key');
    mkdirSync(dirname(key), { recursive: true });
    assert.equal(spawnSync('age-keygen', ['-o', key]).status, 0);
    const recipient = spawnSync('age-keygen', ['-y', key], { encoding: 'utf8' }).stdout.trim();
    const encrypted = spawnSync('age', ['-r', recipient, '-o', join(tree, 'home/homelab/.local/share/berth/secrets/web.env.age')], { input: dotenv });
    assert.equal(encrypted.status, 0, String(encrypted.stderr));

    const unit = r.file(`${UNITS}/berth-web.service`);
    const prepare = values(unit, 'ExecStartPre').find((l) => l.endsWith('/berth-secrets-web'))!;
    const start = values(unit, 'ExecStart')[0]!.split(' ');
    const asCompose = [...start.slice(0, start.indexOf('--') + 1), '/usr/bin/env', '-0'];
    // The unit's own steps, where the unit would run them: the rendered home at /home/homelab, a fresh tmpfs for /run/user.
    const script = 'mount -t tmpfs berth-home /home && mkdir -p /home/homelab && mount --bind "$TREE_HOME" /home/homelab && mount -t tmpfs berth-run /run && mkdir -p -m 0700 /run/user/1000 && "$PREPARE" && exec "$@"';
    const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...asCompose], {
      env: { PATH: '/usr/bin:/bin', TREE_HOME: join(tree, 'home/homelab'), PREPARE: prepare },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const env = new Map(run.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    for (const [name, value] of expected) assert.equal(env.get(name), value, name);
  } finally {
    removeTree(tree);
    removeTree(repoDir);
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
  // The unit's own environment points HOME at the host user's home, which only root may create here.
  if (process.getuid?.() !== 0) return skipWithNotice(t, 'running the unit command line needs root (CI runs the tests as root)');
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
      // The unit's own command, with the compose file where this test wrote the tree; the
      // secrets, which berth-with-secrets would read from the runtime dir, are in env already.
      const line = values(unit, 'ExecStart')[0]!.split(' ');
      const argv = line.slice(line.indexOf('--') + 1).map((w) => (w.startsWith('/home/') ? join(dir, host, w) : w));
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
  // Rootless, as on a host: the test runs Podman as .ci/testbed's user, which needs root.
  const testUser = 'berthtest';
  if (process.getuid?.() !== 0) return skipWithNotice(t, `needs root, to run Podman as ${testUser} (CI runs the tests as root)`);
  const uid = spawnSync('id', ['-u', testUser], { encoding: 'utf8' });
  if (uid.status !== 0) return skipWithNotice(t, `user ${testUser} is missing (.ci/testbed creates it)`);
  const as = (argv: string[], input?: Buffer) =>
    spawnSync('runuser', ['-u', testUser, '--', 'env', `XDG_RUNTIME_DIR=/run/user/${uid.stdout.trim()}`, `HOME=/home/${testUser}`, 'PATH=/usr/bin:/bin', ...argv], { input, encoding: 'utf8', timeout: 120_000 });

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
    spawnSync('chown', ['-R', testUser, dir]);
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
