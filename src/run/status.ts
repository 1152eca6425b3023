import { desiredStack, readStackInputs } from './desired.js';
import type { Engine } from './engine.js';
import { refreshStaleHealth } from './health.js';
import { imageIds, observeProject, serviceContainer, startedByPodmanCompose, type Observed } from './observe.js';
import { oneShotServices, startOrder, type DesiredService } from './plan.js';
import type { Leftover } from './leftovers.js';
import type { StackTarget } from './target.js';

export interface ServiceStatus {
  service: string;
  container: string;
  id?: string;
  /** The engine's state (running, exited, created, ...), or "missing". */
  state: string;
  health?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  ports: string[];
  image?: string;
  /** Times the engine restarted it (restart policy): a crash loop shows here. */
  restarts: number;
  /** Failed health checks in a row (Podman's FailingStreak). */
  failingStreak?: number;
  /** How what runs differs from the repository; absent when it matches. */
  drift?: 'missing' | 'config changed' | 'image updated' | 'not in the repository' | 'not made by berth';
  /** Why drift could not be judged: podman-compose (compose mode) started it, without berth's config label. */
  note?: typeof PODMAN_COMPOSE_NOTE;
  /** Whether this service is as it should be: running (healthy where checked) or a completed one-shot, and in sync. */
  ok: boolean;
}

export interface StackStatus {
  stack: string;
  host: string;
  project: string;
  /** The stack's systemd unit, when berth's units are installed. */
  unit?: { name: string; active: string };
  services: ServiceStatus[];
  /** A stack the repository no longer has, found by its containers' io.berth.stack label. */
  leftover?: true;
}

/** Each service of the repository beside its container, and containers of the project no service accounts for. Pure. */
export function serviceStatuses(project: string, desired: readonly DesiredService[], observed: readonly Observed[], images: Readonly<Record<string, string>>, now: number): ServiceStatus[] {
  const out: ServiceStatus[] = [];
  const oneShots = oneShotServices(desired);
  for (const name of startOrder(desired)) {
    const d = desired.find((s) => s.service === name)!;
    const o = serviceContainer(observed, project, d);
    if (!o) {
      out.push({ service: name, container: d.name, state: 'missing', ports: [], restarts: 0, drift: 'missing', ok: false });
      continue;
    }
    const s = fromObserved(name, o, now);
    if (startedByPodmanCompose(o, project)) s.note = PODMAN_COMPOSE_NOTE;
    else if (o.project !== project) s.drift = 'not made by berth';
    else if (o.configHash !== d.configHash) s.drift = 'config changed';
    else if (images[d.image] && o.imageId && images[d.image] !== o.imageId) s.drift = 'image updated';
    const completed = oneShots.has(name) && o.state === 'exited' && o.exitCode === 0;
    s.ok = s.drift === undefined && (completed || (o.running && o.health !== 'unhealthy'));
    out.push(s);
  }
  const known = new Set(out.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  for (const o of observed) if (!known.has(o.id.slice(0, 12))) out.push({ ...fromObserved(o.service ?? o.name, o, now), drift: 'not in the repository', ok: false });
  return out;
}

export const PODMAN_COMPOSE_NOTE = 'started by podman-compose: config not compared';

function fromObserved(service: string, o: Observed, now: number): ServiceStatus {
  const s: ServiceStatus = { service, container: o.name, id: o.id.slice(0, 12), state: o.state, ports: o.ports, image: o.image, restarts: o.restartCount, ok: true };
  if (o.failingStreak) s.failingStreak = o.failingStreak;
  if (o.health) s.health = o.health;
  if (o.startedAt) s.startedAt = o.startedAt;
  if (o.running && o.startedAt) s.uptimeSeconds = Math.max(0, Math.floor((now - Date.parse(o.startedAt)) / 1000));
  return s;
}

/**
 * The status of one stack on this engine. Without systemd Podman runs no periodic health checks,
 * so a verdict can be stale: a running container whose last check is older than two intervals is
 * checked once now, and the fresh verdict is reported.
 */
export async function stackStatus(target: StackTarget, engine: Engine, runtimeDir: string, now = Date.now()): Promise<StackStatus> {
  const desired = desiredStack(target, readStackInputs(target), engine.kind, runtimeDir);
  const observed = await refreshStaleHealth(engine, await observeProject(engine, desired.project, desired.services.map((s) => s.name), target.stack.name), { now });
  const images = await imageIds(engine, desired.services.map((s) => s.image));
  return { stack: target.stack.name, host: target.host.name, project: desired.project, services: serviceStatuses(desired.project, desired.services, observed, images, now) };
}

/** A leftover stack as status shows it: each container, none in sync, as nothing in the repository wants it. */
export function leftoverStatus(left: Leftover, now: number): StackStatus {
  const project = left.containers.find((o) => o.project)?.project ?? left.stack;
  return { stack: left.stack, host: '-', project, services: serviceStatuses(project, [], left.containers, {}, now), leftover: true };
}
