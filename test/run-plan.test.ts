import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dependency } from '../src/model/compose.js';
import { RunError, stderrGist } from '../src/run/errors.js';
import { parseInspect, type Observed } from '../src/run/observe.js';
import { planUp, startOrder, type DesiredService } from '../src/run/plan.js';
import { serviceStatuses } from '../src/run/status.js';

/** What `up` decides from what runs, and what `status` reports: pure functions of the two. */
const dep = (condition: Dependency['condition'], restart = false): Dependency => ({ condition, required: true, restart });

function svc(service: string, over: Partial<DesiredService> = {}): DesiredService {
  return { service, name: `shop-${service}`, configHash: `hash-${service}`, image: 'img', dependsOn: {}, volumesFrom: [], ...over };
}

function running(s: DesiredService, over: Partial<Observed> = {}): Observed {
  return { id: `id-${s.service}`, name: s.name, project: 'shop', service: s.service, configHash: s.configHash, state: 'running', running: true, exitCode: 0, healthLog: [], failingStreak: 0, image: 'img', imageId: 'i1', ports: [], restartCount: 0, ...over };
}

const stack = [
  svc('init'),
  svc('db', { dependsOn: { init: dep('service_completed_successfully') } }),
  svc('app', { dependsOn: { db: dep('service_healthy') } }),
  svc('sidecar', { sharesNetworkOf: 'app' }),
  svc('worker', { dependsOn: { db: dep('service_started', true) } }),
];
const [init, db, app, sidecar, worker] = stack as [DesiredService, DesiredService, DesiredService, DesiredService, DesiredService];
const steady = () => [running(init, { state: 'exited', running: false, exitCode: 0 }), running(db, { health: 'healthy' }), running(app), running(sidecar), running(worker)];
const kinds = (p: ReturnType<typeof planUp>) => Object.fromEntries(p.order.map((s) => [s, p.actions[s]!.kind]));

describe('planUp', () => {
  it('orders every service after what it waits for, and names a cycle', () => {
    const order = startOrder(stack);
    assert.deepEqual([...order].sort(), stack.map((s) => s.service).sort(), 'every service, once');
    for (const s of stack) for (const d of [...Object.keys(s.dependsOn), s.sharesNetworkOf ?? '']) if (d) assert.ok(order.indexOf(d) < order.indexOf(s.service), `${d} before ${s.service}`);
    assert.throws(() => startOrder([svc('a', { dependsOn: { b: dep('service_started') } }), svc('b', { sharesNetworkOf: 'a' })]), (e: Error) => e instanceof RunError && /cycle: a → b → a/.test(e.message));
  });

  it('creates a new stack and leaves a running one alone, a completed one-shot included', () => {
    assert.deepEqual(Object.values(kinds(planUp('shop', stack, []))), ['create', 'create', 'create', 'create', 'create']);
    assert.deepEqual(kinds(planUp('shop', stack, steady(), { img: 'i1' })), { init: 'keep', db: 'keep', app: 'keep', sidecar: 'keep', worker: 'keep' });
  });

  it('recreates a changed service alone, restarts who asked for it, and recreates who shares its namespace', () => {
    const observed = steady().map((o) => (o.service === 'db' ? { ...o, configHash: 'old' } : o));
    const p = planUp('shop', stack, observed);
    assert.deepEqual(kinds(p), { init: 'keep', db: 'recreate', app: 'keep', sidecar: 'keep', worker: 'restart' });
    assert.equal(p.actions.db!.reason, 'config changed');
    const q = planUp('shop', stack, steady().map((o) => (o.service === 'app' ? { ...o, imageId: 'i0' } : o)), { img: 'i1' });
    assert.deepEqual(kinds(q), { init: 'keep', db: 'keep', app: 'recreate', sidecar: 'recreate', worker: 'keep' });
    assert.equal(q.actions.app!.reason, 'image updated');
  });

  it('replaces a stuck unhealthy container, starts a stopped one, and removes what the repository dropped', () => {
    const observed = [...steady().map((o) => (o.service === 'db' ? { ...o, health: 'unhealthy' } : o.service === 'app' ? { ...o, running: false, state: 'exited', exitCode: 137 } : o)), running(svc('old'), { stack: 'shop' })];
    const p = planUp('shop', stack, observed);
    assert.deepEqual([p.actions.db!.kind, p.actions.db!.reason], ['recreate', 'unhealthy']);
    assert.deepEqual([p.actions.app!.kind, p.actions.app!.reason], ['start', 'exited with code 137']);
    assert.deepEqual(p.orphans.map((o) => o.name), ['shop-old']);
  });

  it('removes only what berth made for the stack: another tool\'s container of the same compose project is foreign', () => {
    const p = planUp('shop', stack, [...steady(), running(svc('mine'), { stack: 'shop' }), running(svc('compose')), running(svc('elsewhere'), { stack: 'other' })]);
    assert.deepEqual(p.orphans.map((o) => o.name), ['shop-mine']);
    assert.deepEqual(p.foreign.map((o) => o.name).sort(), ['shop-compose', 'shop-elsewhere']);
  });

  it('restarts what shares the network of a service that is started or restarted again, and leaves a stopped sharer to its own start', () => {
    const p = planUp('shop', stack, steady().map((o) => (o.service === 'app' ? { ...o, running: false, state: 'exited', exitCode: 137 } : o)), { img: 'i1' });
    assert.deepEqual([p.actions.sidecar!.kind, p.actions.sidecar!.reason], ['restart', 'shares the network of app, which is started again']);
    const q = planUp('shop', stack, steady().map((o) => (o.service === 'app' || o.service === 'sidecar' ? { ...o, running: false, state: 'exited', exitCode: 0 } : o)), { img: 'i1' });
    assert.equal(q.actions.sidecar!.kind, 'start');
    assert.equal(planUp('shop', stack, steady(), { img: 'i1' }).actions.sidecar!.kind, 'keep');
  });

  it('refuses to take over a container of the same name that is not the stack\'s', () => {
    assert.throws(() => planUp('shop', [db], [running(db, { project: undefined })]), /a container named shop-db exists and does not belong to stack shop/);
  });
});

describe('status', () => {
  it('reports drift: missing, config changed, image updated, not in the repository', () => {
    const observed = [running(db, { configHash: 'old', startedAt: '2026-01-01T00:00:00Z', health: 'healthy' }), running(app, { imageId: 'i0' }), running(svc('old'))];
    const rows = serviceStatuses('shop', [init, db, app], observed, { img: 'i1' }, Date.parse('2026-01-01T00:01:00Z'));
    assert.deepEqual(rows.map((r) => [r.service, r.state, r.drift]), [
      ['init', 'missing', 'missing'],
      ['db', 'running', 'config changed'],
      ['app', 'running', 'image updated'],
      ['old', 'running', 'not in the repository'],
    ]);
    assert.equal(rows[1]!.uptimeSeconds, 60);
    assert.equal(rows[1]!.health, 'healthy');
    assert.deepEqual(rows.map((r) => r.ok), [false, false, false, false]);
  });

  it('calls a container of the same name that berth did not make foreign, not changed; shows restarts; ok only when running and in sync', () => {
    const rows = serviceStatuses('shop', [init, db, app], [running(init, { state: 'exited', running: false }), running(db, { project: 'other' }), running(app, { restartCount: 4, health: 'unhealthy', failingStreak: 3 })], {}, 0);
    assert.deepEqual(rows.map((r) => [r.service, r.drift, r.ok]), [['init', undefined, true], ['db', 'not made by berth', false], ['app', undefined, false]]);
    assert.deepEqual([rows[2]!.restarts, rows[2]!.failingStreak], [4, 3]);
    assert.equal(serviceStatuses('shop', [app], [running(app)], {}, 0)[0]!.ok, true);
  });

  it('finds a compose-mode stack\'s containers by podman-compose\'s labels and says their config is not compared', () => {
    const pc = (s: DesiredService, over: Partial<Observed> = {}) => running(s, { name: `shop_${s.service}_1`, configHash: undefined, podmanComposeProject: 'shop', ...over });
    const rows = serviceStatuses('shop', [init, db, app], [pc(init, { state: 'exited', running: false }), pc(db, { health: 'unhealthy' }), pc(app), pc(svc('old'))], { img: 'i9' }, 0);
    assert.deepEqual(rows.map((r) => [r.service, r.container, r.drift, r.note, r.ok]), [
      ['init', 'shop_init_1', undefined, 'started by podman-compose: config not compared', true],
      ['db', 'shop_db_1', undefined, 'started by podman-compose: config not compared', false],
      ['app', 'shop_app_1', undefined, 'started by podman-compose: config not compared', true],
      ['old', 'shop_old_1', 'not in the repository', undefined, false],
    ]);
    // Another project's podman-compose container of the same service is not this stack's.
    assert.deepEqual(serviceStatuses('shop', [app], [pc(app, { project: 'other', podmanComposeProject: 'other' })], {}, 0).map((r) => [r.container, r.drift]), [['shop-app', 'missing'], ['shop_app_1', 'not in the repository']]);
  });
});

describe('reading the engine', () => {
  it('parses Podman\'s inspect output: labels, health, its log and the healthcheck timings', () => {
    const [o] = parseInspect(
      JSON.stringify([
        {
          Id: 'abc',
          Name: 'shop-db',
          ImageName: 'localhost/busybox:latest',
          Image: 'sha256:i1',
          Config: { Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db', 'io.berth.config': 'h' }, Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 2e9, StartPeriod: 5e9, Retries: 3 } },
          State: { Status: 'running', Running: true, ExitCode: 0, StartedAt: '2026-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z', Health: { Status: 'healthy', Log: [{ Start: 's', End: 'e', ExitCode: 0, Output: ' ok\n' }] } },
          NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '81/tcp': null } },
        },
      ]),
    );
    assert.deepEqual(
      { name: o!.name, project: o!.project, service: o!.service, hash: o!.configHash, health: o!.health, finished: o!.finishedAt, ports: o!.ports, hc: o!.healthcheck, log: o!.healthLog[0]!.output, imageId: o!.imageId },
      { name: 'shop-db', project: 'shop', service: 'db', hash: 'h', health: 'healthy', finished: undefined, ports: ['127.0.0.1:8080->80/tcp'], hc: { test: ['CMD-SHELL', 'true'], intervalMs: 1000, timeoutMs: 2000, startPeriodMs: 5000, retries: 3 }, log: 'ok', imageId: 'i1' },
    );
  });

  it('keeps the engine\'s own error lines and drops rootless log noise', () => {
    const stderr = 'time="x" level=error msg="unable to get systemd connection to add healthchecks"\nError: creating container storage: the container name "x" is already in use\n';
    assert.equal(stderrGist(stderr), 'Error: creating container storage: the container name "x" is already in use');
    assert.equal(stderrGist('a\nb\nc\n'), 'b | c');
  });
});
