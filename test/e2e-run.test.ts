import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './helpers.js';
import { asUser, berthAs, chownTree, ensureBusyboxImage, freePort, inspect, podmanAs, rootlessUser, type InspectedContainer, type RootlessUser } from './e2e-helpers.js';

/**
 * berth runs the e2e fixture (test/fixtures/e2e) on real rootless Podman: up, status, second up,
 * down and up again, a changed service, a stuck unhealthy container, a dependency that never turns
 * healthy, and down with and without --volumes. Everything is read back from the engine itself.
 */
const user = rootlessUser();
const skip = typeof user === 'string' ? user : false;
if (skip) console.log(`# notice: skipping the rootless e2e tests: ${skip}`);

describe('berth runs stacks on rootless Podman', { skip, concurrency: false }, () => {
  const u = user as RootlessUser;
  let work: string;
  let repo: string;
  let data: string;
  let port: number;
  const secret = `pw-${Math.random().toString(36).slice(2)}-$HOME"x`;
  const berth = (...args: string[]) => berthAs(u, [...args, '--repo', repo], repo);
  const ids = () => Object.fromEntries(['init', 'db', 'app', 'sidecar'].map((s) => [s, inspect(u, `demo-${s}`)?.Id]));
  /** Runs `fn` with a scratch stack (named fz...) added to the repository and host, then takes it out again. */
  const withScratchStack = <T>(name: string, compose: string, stackYml: string | undefined, fn: () => T): T => {
    const hosts = join(repo, 'hosts.yml');
    const original = readFileSync(hosts, 'utf8');
    const dir = join(repo, 'stacks', name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'compose.yml'), compose);
    if (stackYml !== undefined) writeFileSync(join(dir, 'stack.yml'), stackYml);
    writeFileSync(hosts, original.replace('[demo, broken, edge]', `[demo, broken, edge, ${name}]`));
    chownTree(dir, u.uid, u.gid);
    try {
      return fn();
    } finally {
      writeFileSync(hosts, original);
      rmSync(dir, { recursive: true, force: true });
    }
  };

  before(() => {
    ensureBusyboxImage(u);
    cleanupProjects(u);
    work = mkdtempSync('/tmp/berth-e2e-');
    repo = join(work, 'repo');
    data = join(work, 'data');
    cpSync(join(ROOT, 'test/fixtures/e2e'), repo, { recursive: true });
    const key = join(work, 'age.key');
    spawnSync('age-keygen', ['-o', key], { encoding: 'utf8' });
    const recipient = spawnSync('age-keygen', ['-y', key], { encoding: 'utf8' }).stdout.trim();
    // The fixture holds no encrypted file (its key is made here), so git keeps no secrets/ folder for it.
    mkdirSync(join(repo, 'secrets'), { recursive: true });
    const enc = spawnSync('age', ['-r', recipient, '-o', join(repo, 'secrets/demo.env.age')], { input: `DB_PASSWORD='${secret}'\n`, encoding: 'utf8' });
    assert.equal(enc.status, 0, `age could not encrypt the test secret: ${enc.stderr}`);
    const berthYml = readFileSync(join(repo, 'berth.yml'), 'utf8').replace('__USER__', u.name).replace('__UID__', String(u.uid)).replace('__DATA_ROOT__', data).replace('__IDENTITY__', key);
    writeFileSync(join(repo, 'berth.yml'), berthYml);
    return freePort().then((p) => {
      port = p;
      writeFileSync(join(repo, 'stacks/demo/.env'), `APP_PORT=${port}\n`);
      chownTree(work, u.uid, u.gid);
    });
  });

  after(() => {
    if (!work) return;
    berth('down', 'demo', '--volumes');
    berth('down', 'broken', '--volumes');
    berth('down', 'edge', '--volumes');
    podmanAs(u, ['rm', '-f', 'edge-foreign']);
    podmanAs(u, ['network', 'rm', 'berth-e2e-shared']);
    for (const c of ['fuold-side', 'fuold-web']) podmanAs(u, ['rm', '-f', '-t', '0', c]);
    podmanAs(u, ['network', 'rm', 'fuold_default']);
    podmanAs(u, ['volume', 'rm', 'fuold_data']);
    // Scratch stacks of a test that failed half-way.
    cleanupProjects(u);
    // The data dir belongs to subuids now: remove it from inside the user namespace.
    asUser(u, 'podman', ['unshare', 'rm', '-rf', data]);
    rmSync(work, { recursive: true, force: true });
  });

  it('starts each service only once what it waits for is healthy or completed, from the engine\'s timestamps', () => {
    const r = berth('up', 'demo');
    assert.equal(r.code, 0, `up failed:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(escape(secret)), 'the secret is printed');
    const init = inspect(u, 'demo-init')!;
    const db = inspect(u, 'demo-db')!;
    const app = inspect(u, 'demo-app')!;
    const sidecar = inspect(u, 'demo-sidecar')!;
    assert.equal(init.State.Status, 'exited');
    assert.equal(init.State.ExitCode, 0);
    assert.ok(Date.parse(init.State.FinishedAt) <= Date.parse(db.State.StartedAt), `db started (${db.State.StartedAt}) before init completed (${init.State.FinishedAt})`);
    const healthyAt = firstHealthy(db);
    assert.ok(healthyAt !== undefined, `db never reported healthy: ${JSON.stringify(db.State.Health)}`);
    assert.ok(Date.parse(app.State.StartedAt) >= healthyAt, `app started at ${app.State.StartedAt}, before db turned healthy at ${new Date(healthyAt).toISOString()}`);
    // db needs about 2 s to be ready: had berth not waited, app would have started within that time.
    assert.ok(Date.parse(app.State.StartedAt) - Date.parse(db.State.StartedAt) >= 1500, 'app started too soon after db to have waited');
    assert.equal(sidecar.State.Running, true);
    assert.match(r.stdout, /db: healthy/);
    assert.equal(readFileSync(join(repo, 'stacks/demo/.prepared'), 'utf8').split('\n').filter(Boolean).length, 1, 'the preStart step did not run once');
  });

  it('publishes the port on 127.0.0.1 and shares app\'s network with the sidecar', async () => {
    assert.equal(await httpGet(port), 'hello from berth e2e\n');
    const viaSidecar = podmanAs(u, ['exec', 'demo-sidecar', 'wget', '-q', '-O-', 'http://127.0.0.1/']);
    assert.equal(viaSidecar.stdout, 'hello from berth e2e\n', viaSidecar.stderr);
  });

  it('prepares the data dir for container uid 999 through the subuid range, and passes the secret as environment', () => {
    const st = statSync(join(data, 'demo/db'));
    assert.equal(st.uid, u.subuidStart + 999 - 1);
    assert.equal(st.mode & 0o777, 0o700);
    assert.ok(existsSync(join(data, 'demo/db/seed')) || podmanAs(u, ['unshare', 'test', '-f', join(data, 'demo/db/seed')]).code === 0, 'init did not seed the data dir');
    assert.equal(podmanAs(u, ['exec', 'demo-db', 'sh', '-c', 'echo "$DB_PASSWORD"']).stdout, `${secret}\n`);
    const args = podmanAs(u, ['container', 'inspect', '--format', '{{json .Config.CreateCommand}}', 'demo-db']).stdout;
    assert.doesNotMatch(args, new RegExp(escape(secret)), 'the secret is in the create command');
  });

  it('status --json reports every service running, healthy where checked, and in sync', () => {
    const r = berth('status', 'demo', '--json');
    assert.equal(r.code, 0, r.stderr);
    const [s] = JSON.parse(r.stdout) as { services: { service: string; state: string; health?: string; drift?: string; ports: string[]; image: string; uptimeSeconds?: number }[] }[];
    const by = Object.fromEntries(s!.services.map((x) => [x.service, x]));
    assert.deepEqual(Object.keys(by).sort(), ['app', 'db', 'init', 'sidecar']);
    assert.equal(by.db!.health, 'healthy');
    assert.equal(by.app!.health, 'healthy');
    assert.equal(by.init!.state, 'exited');
    for (const x of ['db', 'app', 'sidecar']) assert.equal(by[x]!.state, 'running');
    for (const x of s!.services) assert.equal(x.drift, undefined, `${x.service} drifted: ${x.drift}`);
    assert.deepEqual(by.app!.ports, [`127.0.0.1:${port}->80/tcp`]);
    assert.equal(by.app!.image, 'localhost/busybox:latest');
    assert.ok((by.app!.uptimeSeconds ?? -1) >= 0);
  });

  it('doctor sees the data dir owned by container uid 999 and the containers healthy, names a wrong owner, and a no-op up leaves the running database\'s data alone', () => {
    type Result = { check: string; verdict: string; message: string; fix?: string };
    const check = (name: string) => (JSON.parse(berth('doctor', '--json').stdout) as Result[]).find((x) => x.check === name)!;
    assert.equal(check('demo: dirs').verdict, 'pass');
    assert.equal(check('demo: containers').verdict, 'pass');
    assert.match(check('demo: containers').message, /^3 containers running, 1 completed/);
    assert.equal(check('subuid').verdict, 'pass');
    assert.equal(podmanAs(u, ['unshare', 'chown', '0:0', join(data, 'demo/db')]).code, 0);
    const wrong = check('demo: dirs');
    assert.equal(wrong.verdict, 'fail');
    assert.match(wrong.message, new RegExp(`is owned by uid ${u.uid}, but container:999 is uid ${u.subuidStart + 998}`));
    assert.match(wrong.fix!, /^podman unshare chown 999:999 /);
    // The directory is mounted with :U: its owner is Podman's business at each start, never a no-op up's.
    assert.equal(berth('up', 'demo').code, 0);
    assert.equal(statSync(join(data, 'demo/db')).uid, u.uid);
    assert.equal(podmanAs(u, ['unshare', 'chown', '999:999', join(data, 'demo/db')]).code, 0);
  });

  it('a second up recreates nothing', () => {
    const before = ids();
    const r = berth('up', 'demo');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(), before);
    assert.match(r.stdout, /demo: nothing changed, 4 up to date/);
    assert.equal(readFileSync(join(repo, 'stacks/demo/.prepared'), 'utf8').split('\n').filter(Boolean).length, 1, 'an unchanged up ran the preStart step');
  });

  it('restart stops and starts every service in dependency order, keeping the containers', () => {
    const before = ids();
    const startedBefore = inspect(u, 'demo-app')!.State.StartedAt;
    const r = berth('restart', 'demo');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(), before);
    const db = inspect(u, 'demo-db')!;
    const app = inspect(u, 'demo-app')!;
    assert.ok(Date.parse(app.State.StartedAt) > Date.parse(startedBefore), 'app was not restarted');
    // The container keeps its /tmp across a restart, so db may pass its first check at once: compare with that check.
    const healthyAgain = (db.State.Health?.Log ?? []).find((l) => l.ExitCode === 0 && Date.parse(l.Start) >= Date.parse(db.State.StartedAt));
    assert.ok(healthyAgain, `db did not report healthy after its restart: ${JSON.stringify(db.State.Health)}`);
    assert.ok(Date.parse(app.State.StartedAt) >= Date.parse(healthyAgain.End), 'app started before db was healthy again');
    assert.equal(db.State.Health?.Status, 'healthy');
  });

  it('logs and ps show the stack\'s containers', () => {
    const logs = berth('logs', 'demo', 'init');
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /init done/);
    const ps = berthAs(u, ['ps', 'demo', '--json'], repo);
    assert.deepEqual((JSON.parse(ps.stdout) as { name: string }[]).map((c) => c.name).sort(), ['demo-app', 'demo-db', 'demo-init', 'demo-sidecar']);
  });

  it('down removes containers and the network but keeps the data and the named volume; up finds the data again', () => {
    assert.equal(podmanAs(u, ['exec', 'demo-db', 'sh', '-c', 'echo kept > /data/marker']).code, 0);
    assert.equal(podmanAs(u, ['exec', 'demo-app', 'sh', '-c', 'echo cached > /cache/marker']).code, 0);
    const seed = podmanAs(u, ['exec', 'demo-db', 'cat', '/data/seed']).stdout;
    const down = berth('down', 'demo');
    assert.equal(down.code, 0, down.stderr);
    for (const s of ['init', 'db', 'app', 'sidecar']) assert.equal(inspect(u, `demo-${s}`), undefined, `demo-${s} is still there`);
    assert.notEqual(podmanAs(u, ['network', 'exists', 'demo_default']).code, 0, 'the network is still there');
    assert.equal(podmanAs(u, ['volume', 'exists', 'demo_cache']).code, 0, 'down removed the named volume');
    const up = berth('up', 'demo');
    assert.equal(up.code, 0, up.stderr);
    assert.equal(podmanAs(u, ['exec', 'demo-db', 'cat', '/data/marker']).stdout, 'kept\n');
    assert.equal(podmanAs(u, ['exec', 'demo-db', 'cat', '/data/seed']).stdout, seed);
    assert.equal(podmanAs(u, ['exec', 'demo-app', 'cat', '/cache/marker']).stdout, 'cached\n');
  });

  it('recreates a changed service alone, and what shares its network with it', () => {
    let before = ids();
    writeFileSync(join(repo, 'stacks/demo/.env'), `APP_PORT=${port}\nGREETING=bonjour\n`);
    chownTree(join(repo, 'stacks/demo/.env'), u.uid, u.gid);
    const status = JSON.parse(berth('status', 'demo', '--json').stdout) as { services: { service: string; drift?: string }[] }[];
    assert.deepEqual(status[0]!.services.filter((s) => s.drift).map((s) => [s.service, s.drift]), [['db', 'config changed']]);
    let r = berth('up', 'demo');
    assert.equal(r.code, 0, r.stderr);
    let now = ids();
    assert.notEqual(now.db, before.db, 'db was not recreated');
    assert.deepEqual({ ...now, db: undefined }, { ...before, db: undefined });
    assert.equal(podmanAs(u, ['exec', 'demo-db', 'sh', '-c', 'echo "$GREETING"']).stdout, 'bonjour\n');

    before = now;
    writeFileSync(join(repo, 'stacks/demo/.env'), `APP_PORT=${port}\nGREETING=bonjour\nAPP_VERSION=2\n`);
    chownTree(join(repo, 'stacks/demo/.env'), u.uid, u.gid);
    r = berth('up', 'demo');
    assert.equal(r.code, 0, r.stderr);
    now = ids();
    assert.notEqual(now.app, before.app, 'app was not recreated');
    assert.notEqual(now.sidecar, before.sidecar, 'the sidecar kept the namespace of the removed app');
    assert.equal(now.db, before.db);
    assert.equal(now.init, before.init);
    assert.match(r.stdout, /sidecar: recreating \(shares the network of app/);
  });

  it('replaces a stuck unhealthy container on up, checking a stale verdict itself', () => {
    const before = ids();
    assert.equal(podmanAs(u, ['exec', 'demo-db', 'rm', '/tmp/ready']).code, 0);
    // No timer runs the checks here, so Podman still says healthy: up must find out by itself.
    // Failures count only after the start period (5 s), and a verdict is stale after 2 intervals.
    const startedAt = Date.parse(inspect(u, 'demo-db')!.State.StartedAt);
    sleep(Math.max(0, startedAt + 5000 - Date.now()) + 2500);
    assert.equal(inspect(u, 'demo-db')!.State.Health?.Status, 'healthy');
    const r = berth('up', 'demo');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /db: recreating \(unhealthy\)/);
    const db = inspect(u, 'demo-db')!;
    assert.notEqual(db.Id, before.db);
    assert.equal(db.State.Health?.Status, 'healthy');
    assert.equal(ids().app, before.app);
    assert.equal(inspect(u, 'demo-db-berth-old'), undefined, 'the replaced container was left behind');
  });

  it('an optional one-shot that fails does not hold back its dependent, and a foreign container of the project is left alone', () => {
    assert.equal(podmanAs(u, ['create', '--name', 'edge-foreign', '--label', 'com.docker.compose.project=edge', 'localhost/busybox:latest', 'true']).code, 0);
    const r = berth('up', 'edge');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /edge\/worker: optional dependency flaky failed \(service flaky exited with code 3 instead of completing successfully\); starting anyway/);
    assert.equal(inspect(u, 'edge-worker')!.State.Running, true);
    assert.ok(inspect(u, 'edge-foreign'), 'up removed a container berth did not make');
    assert.match(r.stderr, /edge-foreign belongs to compose project edge but was not made by berth/);
  });

  it('a no-op up never changes the owner of data a :U mount gave to the container', () => {
    const owner = () => podmanAs(u, ['unshare', 'stat', '-c', '%u', join(data, 'edge/pg'), join(data, 'edge/pg/file')]).stdout.split('\n').filter(Boolean);
    assert.deepEqual(owner(), ['999', '999']);
    const r = berth('up', 'edge');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(owner(), ['999', '999']);
    assert.equal(podmanAs(u, ['exec', 'edge-pg', 'sh', '-c', 'echo y > /data/file']).code, 0, 'pg can no longer write its data');
  });

  it('starting a service again restarts what shares its network namespace', () => {
    assert.equal(podmanAs(u, ['stop', 'edge-web']).code, 0);
    const r = berth('up', 'edge');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /side: restarting \(shares the network of web/);
    const viaSide = podmanAs(u, ['exec', 'edge-side', 'wget', '-q', '-O-', 'http://127.0.0.1/']);
    assert.equal(viaSide.stdout, 'hello from berth e2e\n', viaSide.stderr);
  });

  it('a replacement that cannot start gives the old container back, running, with its namespace sharers', () => {
    const compose = join(repo, 'stacks/edge/compose.yml');
    const original = readFileSync(compose, 'utf8');
    const webId = inspect(u, 'edge-web')!.Id;
    const sideId = inspect(u, 'edge-side')!.Id;
    writeFileSync(compose, original.replace('["httpd", "-f", "-p", "80", "-h", "/www"]', '["/no/such/program"]'));
    try {
      const r = berth('up', 'edge');
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /could not start service web: `podman start edge-web` exited with \d+: .*no\/such\/program/);
      const web = inspect(u, 'edge-web')!;
      assert.equal(web.Id, webId);
      assert.equal(web.State.Running, true);
      assert.equal(inspect(u, 'edge-web-berth-old'), undefined);
      assert.equal(inspect(u, 'edge-side')!.Id, sideId);
      assert.equal(podmanAs(u, ['exec', 'edge-side', 'wget', '-q', '-O-', 'http://127.0.0.1/']).stdout, 'hello from berth e2e\n');
    } finally {
      writeFileSync(compose, original);
    }
  });

  it('replacements that start but never turn healthy, or exit, are removed and the previous containers run again, with their namespace sharers', () => {
    const compose = join(repo, 'stacks/edge/compose.yml');
    const original = readFileSync(compose, 'utf8');
    const before = Object.fromEntries(['web', 'side', 'worker'].map((s) => [s, inspect(u, `edge-${s}`)!.Id]));
    const unhealthyWeb = original.replace('networks: [default, shared]', 'networks: [default, shared]\n    healthcheck:\n      test: ["CMD-SHELL", "echo replacement not ready; exit 1"]\n      interval: 1s\n      timeout: 2s\n      retries: 1');
    const crashingWorker = unhealthyWeb.replace(`command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]\n    depends_on:`, 'command: ["sh", "-c", "echo bad config line 3; exit 4"]\n    depends_on:');
    assert.notEqual(crashingWorker, unhealthyWeb, 'the fixture changed: worker\'s command was not replaced');
    writeFileSync(compose, crashingWorker);
    try {
      const r = berth('up', 'edge');
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /kept the previous web running: its replacement failed: service web is not healthy: .*last health output: "replacement not ready"/);
      assert.match(r.stderr, /kept the previous worker running: its replacement failed: service worker exited with code 4 right after it started; its last output: "bad config line 3"/);
      assert.match(r.stderr, /not started: side/);
      for (const s of ['web', 'side', 'worker']) {
        const c = inspect(u, `edge-${s}`)!;
        assert.equal(c.Id, before[s], `the previous ${s} was not given its name back`);
        assert.equal(c.State.Running, true, `the previous ${s} is not running`);
        assert.equal(inspect(u, `edge-${s}-berth-old`), undefined);
      }
      assert.equal(podmanAs(u, ['exec', 'edge-side', 'wget', '-q', '-O-', 'http://127.0.0.1/']).stdout, 'hello from berth e2e\n', 'the sharer was left in a dead namespace');
    } finally {
      writeFileSync(compose, original);
    }
  });

  it('a dependency that never turns healthy fails up with one clear line, nothing is left half-started, and the next stack still comes up', () => {
    const r = berth('up', 'broken', 'demo');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /demo: nothing changed/);
    assert.match(r.stdout, /up: 1 of 2 stacks done; failed: broken/);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /service db is not healthy/);
    assert.match(errors[0]!, /database refuses connections: no such file \/tmp\/never/);
    assert.match(errors[0]!, /not started: app/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace was printed');
    assert.equal(inspect(u, 'broken-app'), undefined, 'the dependent was created');
    const db = inspect(u, 'broken-db')!;
    assert.equal(db.State.Running, false, 'the unhealthy dependency was left running');
    // The failure took nothing down that worked before.
    assert.equal(inspect(u, 'demo-app')!.State.Running, true);
  });

  it('down keeps a network another stack still uses, and says so', () => {
    const r = berth('down', 'edge');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /edge: kept network berth-e2e-shared \(still used by broken-db\)/);
    assert.equal(podmanAs(u, ['network', 'exists', 'berth-e2e-shared']).code, 0);
    assert.ok(inspect(u, 'edge-foreign'), 'down removed a container berth did not make');
  });

  it('down --volumes removes the named volumes too, and never the bind-mounted data', () => {
    const r = berth('down', 'demo', '--volumes');
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(podmanAs(u, ['volume', 'exists', 'demo_cache']).code, 0, 'the named volume is still there');
    assert.equal(podmanAs(u, ['unshare', 'cat', join(data, 'demo/db/marker')]).stdout, 'kept\n');
  });

  it('a variable missing from a secret fails up before anything is created', () => {
    const r = withScratchStack('fzsec', FZSEC_COMPOSE, FZSEC_STACK, () => berth('up', 'fzsec'));
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /^error: fzsec: service second: secret demo does not define API_KEY: add API_KEY=\.\.\. to its dotenv file/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace was printed');
    assert.equal(inspect(u, 'fzsec-first'), undefined, 'a service was created before the secret was checked');
    assert.notEqual(podmanAs(u, ['network', 'exists', 'fzsec_default']).code, 0, 'the network was created before the secret was checked');
  });

  it('status, ps and down recognise the containers a compose-mode unit\'s podman-compose made', { skip: spawnSync('podman-compose', ['version']).status !== 0 && 'podman-compose is not installed' }, () => {
    withScratchStack('fzpc', FZPC_COMPOSE, undefined, () => {
      const pc = asUser(u, 'podman-compose', ['-p', 'fzpc', '-f', join(repo, 'stacks/fzpc/compose.yml'), 'up', '-d'], { cwd: join(repo, 'stacks/fzpc') });
      assert.equal(pc.code, 0, `${pc.stdout}\n${pc.stderr}`);
      const status = berth('status', 'fzpc', '--json');
      assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
      const [s] = JSON.parse(status.stdout) as { services: { service: string; container: string; state: string; drift?: string; note?: string }[] }[];
      assert.deepEqual(s!.services.map((x) => [x.service, x.container, x.state, x.drift, x.note]), [['web', 'fzpc_web_1', 'running', undefined, 'started by podman-compose: config not compared']]);
      const ps = berthAs(u, ['ps', 'fzpc'], repo);
      assert.match(ps.stdout, /fzpc_web_1\s+fzpc\s+web\s+up /, ps.stderr);
      const second = berth('up', 'fzpc');
      assert.equal(second.code, 1, 'up does not start a second copy beside podman-compose\'s');
      assert.match(second.stderr, /stack fzpc is running under podman-compose \(fzpc_web_1\); stop it first/);
      assert.equal(inspect(u, 'fzpc-web'), undefined);
      const down = berth('down', 'fzpc');
      assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
      assert.match(down.stdout, /fzpc: removed fzpc_web_1, network fzpc_default/);
      assert.equal(inspect(u, 'fzpc_web_1'), undefined, 'down left the compose-mode container');
    });
  });

  it('a stack removed from the repository is listed by status and removed by down by its old name, volumes kept', () => {
    const hosts = join(repo, 'hosts.yml');
    const original = readFileSync(hosts, 'utf8');
    const dir = join(repo, 'stacks/fuold');
    mkdirSync(dir);
    writeFileSync(join(dir, 'compose.yml'), FUOLD_COMPOSE);
    writeFileSync(hosts, original.replace('[demo, broken, edge]', '[demo, broken, edge, fuold]'));
    chownTree(dir, u.uid, u.gid);
    const up = berth('up', 'fuold');
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    // The stack goes from the repository: its containers stay.
    writeFileSync(hosts, original);
    rmSync(dir, { recursive: true, force: true });

    const status = berth('status');
    assert.match(status.stdout, /\nnot in the repository: (.*, )?fuold \(2 containers\)(, .*)?; berth down (.* )?fuold( .*)? removes them\n$/);
    const one = berth('status', 'fuold', '--json');
    assert.equal(one.code, 1, one.stderr);
    const [s] = JSON.parse(one.stdout) as { stack: string; leftover?: boolean; services: { container: string; drift?: string }[] }[];
    assert.equal(s!.leftover, true);
    assert.deepEqual(s!.services.map((x) => [x.container, x.drift]).sort(), [['fuold-side', 'not in the repository'], ['fuold-web', 'not in the repository']]);

    const down = berth('down', 'fuold');
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
    assert.match(down.stdout, /fuold: a stack no longer in the repository; removing its 2 containers/);
    assert.match(down.stdout, /fuold: removed fuold-side, fuold-web, network fuold_default \(named volumes and data kept/);
    for (const c of ['fuold-web', 'fuold-side']) assert.equal(inspect(u, c), undefined, `${c} is still there`);
    assert.notEqual(podmanAs(u, ['network', 'exists', 'fuold_default']).code, 0, 'the network is still there');
    assert.equal(podmanAs(u, ['volume', 'exists', 'fuold_data']).code, 0, 'down removed the named volume without --volumes');
    const again = berth('down', 'fuold');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no stack "fuold"/);
    podmanAs(u, ['volume', 'rm', 'fuold_data']);
  });
});

/** A scratch stack that is added, run, then removed from the repository: web, a sharer of its namespace, a named volume. */
const FUOLD_COMPOSE = `services:
  web:
    image: localhost/busybox:latest
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    volumes: [data:/data]
    stop_grace_period: 1s
  side:
    image: localhost/busybox:latest
    network_mode: service:web
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    stop_grace_period: 1s
volumes:
  data:
`;

/** A stack podman-compose runs, as its compose-mode unit would. */
const FZPC_COMPOSE = `services:
  web:
    image: localhost/busybox:latest
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`;

/** A stack whose secret lacks a variable a later service reads (the e2e secret file holds DB_PASSWORD only). */
const FZSEC_COMPOSE = `services:
  first:
    image: localhost/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
  second:
    image: localhost/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    environment:
      KEY: \${API_KEY}
    depends_on: [first]
`;
const FZSEC_STACK = `secrets:
  - name: demo
    vars: [DB_PASSWORD, API_KEY]
`;

/** When the dependency's health log first said healthy (the end of its first passing check). */
function firstHealthy(c: InspectedContainer): number | undefined {
  const pass = (c.State.Health?.Log ?? []).find((l) => l.ExitCode === 0);
  return pass ? Date.parse(pass.End) : undefined;
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Leftovers of an interrupted earlier run would make the first up a second one. */
function cleanupProjects(u: RootlessUser): void {
  podmanAs(u, ['rm', '-f', '-t', '0', 'edge-foreign']);
  for (const project of ['demo', 'broken', 'edge', 'fuold', 'fzsec', 'fzpc']) {
    const ids = podmanAs(u, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).stdout.split('\n').filter(Boolean);
    for (const id of ids.reverse()) podmanAs(u, ['rm', '-f', '-t', '0', id]);
    podmanAs(u, ['network', 'rm', `${project}_default`]);
    podmanAs(u, ['volume', 'rm', `${project}_cache`]);
    podmanAs(u, ['volume', 'rm', `${project}_data`]);
  }
  podmanAs(u, ['network', 'rm', 'berth-e2e-shared']);
}
