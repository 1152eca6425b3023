import { desiredStack, readStackInputs } from './desired.js';
import type { Engine } from './engine.js';
import { imageIds, inspectContainers, observeProject, type Observed } from './observe.js';
import { startOrder, type DesiredService } from './plan.js';
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
  /** How what runs differs from the repository; absent when it matches. */
  drift?: 'missing' | 'config changed' | 'image updated' | 'not in the repository';
}

export interface StackStatus {
  stack: string;
  host: string;
  project: string;
  /** The stack's systemd unit, when berth's units are installed. */
  unit?: { name: string; active: string };
  services: ServiceStatus[];
}

/** Each service of the repository beside its container, and containers of the project no service accounts for. Pure. */
export function serviceStatuses(project: string, desired: readonly DesiredService[], observed: readonly Observed[], images: Readonly<Record<string, string>>, now: number): ServiceStatus[] {
  const out: ServiceStatus[] = [];
  for (const name of startOrder(desired)) {
    const d = desired.find((s) => s.service === name)!;
    const o = observed.find((c) => c.name === d.name);
    if (!o) {
      out.push({ service: name, container: d.name, state: 'missing', ports: [], drift: 'missing' });
      continue;
    }
    const s = fromObserved(name, o, now);
    if (o.project !== project || o.configHash !== d.configHash) s.drift = 'config changed';
    else if (images[d.image] && o.imageId && images[d.image] !== o.imageId) s.drift = 'image updated';
    out.push(s);
  }
  const known = new Set(desired.map((d) => d.name));
  for (const o of observed) if (o.project === project && !known.has(o.name)) out.push({ ...fromObserved(o.service ?? o.name, o, now), drift: 'not in the repository' });
  return out;
}

function fromObserved(service: string, o: Observed, now: number): ServiceStatus {
  const s: ServiceStatus = { service, container: o.name, id: o.id.slice(0, 12), state: o.state, ports: o.ports, image: o.image };
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
  let observed = await observeProject(engine, desired.project, desired.services.map((s) => s.name));
  if (engine.kind === 'podman') {
    const stale = observed.filter((o) => o.running && o.healthcheck && isStale(o, now));
    for (const o of stale) await engine.run(['healthcheck', 'run', o.name]);
    if (stale.length) observed = [...observed.filter((o) => !stale.includes(o)), ...(await inspectContainers(engine, stale.map((o) => o.id)))];
  }
  const images = await imageIds(engine, desired.services.map((s) => s.image));
  return { stack: target.stack.name, host: target.host.name, project: desired.project, services: serviceStatuses(desired.project, desired.services, observed, images, now) };
}

function isStale(o: Observed, now: number): boolean {
  const last = o.healthLog.at(-1);
  if (!last) return true;
  return now - Date.parse(last.end) > 2 * (o.healthcheck?.intervalMs ?? 30_000);
}
