import type { Dependency } from '../model/compose.js';
import { RunError } from './errors.js';
import type { Observed } from './observe.js';

/** A service as the repository wants it. */
export interface DesiredService {
  service: string;
  /** Its container's name. */
  name: string;
  configHash: string;
  image: string;
  dependsOn: Record<string, Dependency>;
  /** `network_mode: service:X`: X. */
  sharesNetworkOf?: string;
  /** `volumes_from: [X]` naming services. */
  volumesFrom: string[];
}

export type ActionKind = 'create' | 'recreate' | 'start' | 'restart' | 'keep';

export interface Action {
  service: string;
  kind: ActionKind;
  /** Why, in a few words ("config changed", "unhealthy"). */
  reason: string;
  existing?: Observed;
}

export interface UpPlan {
  /** Services in an order where every dependency comes first. */
  order: string[];
  actions: Record<string, Action>;
  /** Containers berth made for this stack (io.berth.stack) that no service of the repository accounts for: removed. */
  orphans: Observed[];
  /** Other containers of the compose project (podman-compose's, say) no service accounts for: reported, left alone. */
  foreign: Observed[];
}

/** What a service must wait for before it starts: its depends_on, the service whose network it joins, those it takes volumes from. */
export function prerequisites(s: DesiredService): Record<string, Dependency['condition']> {
  const out: Record<string, Dependency['condition']> = {};
  for (const [dep, d] of Object.entries(s.dependsOn)) out[dep] = d.condition;
  for (const dep of [s.sharesNetworkOf, ...s.volumesFrom]) if (dep && !out[dep]) out[dep] = 'service_started';
  return out;
}

/** Services that others wait on to complete (service_completed_successfully): they exit by design. */
export function oneShotServices(desired: readonly DesiredService[]): Set<string> {
  return new Set(desired.flatMap((s) => Object.entries(s.dependsOn).filter(([, d]) => d.condition === 'service_completed_successfully').map(([dep]) => dep)));
}

/** Services ordered so that each comes after everything it waits for; a cycle is an error naming it. */
export function startOrder(services: readonly DesiredService[]): string[] {
  const byName = new Map(services.map((s) => [s.service, s]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new RunError(`services wait for each other in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
    state.set(name, 'visiting');
    const s = byName.get(name);
    if (s) for (const dep of Object.keys(prerequisites(s)).sort()) if (byName.has(dep)) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const s of [...services].sort((a, b) => (a.service < b.service ? -1 : 1))) visit(s.service, []);
  return order;
}

/**
 * What `up` must do to each service, given what runs: nothing for a container that matches the
 * repository and is running (healthy or without a verdict), start one that is stopped, recreate
 * one whose config or image changed or that is stuck unhealthy, create what is missing. A one-shot
 * service that completed successfully stays completed. Recreating a service recreates those that
 * share its network namespace (theirs dies with it) and restarts those that asked for it
 * (`depends_on: {X: {restart: true}}`); starting or restarting a service restarts those that share
 * its network namespace, which would otherwise be left in the dead one (only `lo`).
 */
export function planUp(project: string, desired: readonly DesiredService[], observed: readonly Observed[], imageIds: Readonly<Record<string, string>> = {}, stack = project): UpPlan {
  const order = startOrder(desired);
  const byService = new Map(desired.map((s) => [s.service, s]));
  const oneShots = oneShotServices(desired);
  const actions: Record<string, Action> = {};
  for (const name of order) {
    const s = byService.get(name)!;
    const existing = observed.find((o) => o.name === s.name);
    const act = (kind: ActionKind, reason: string): Action => (existing ? { service: name, kind, reason, existing } : { service: name, kind, reason });
    if (!existing) actions[name] = act('create', 'not created yet');
    else if (existing.project !== project) throw new RunError(`a container named ${s.name} exists and does not belong to stack ${project}: remove or rename it (podman rm ${s.name}), or set another container_name`);
    else if (existing.configHash !== s.configHash) actions[name] = act('recreate', 'config changed');
    else if (imageIds[s.image] && existing.imageId && imageIds[s.image] !== existing.imageId) actions[name] = act('recreate', 'image updated');
    else if (existing.running && existing.health === 'unhealthy') actions[name] = act('recreate', 'unhealthy');
    else if (existing.running) actions[name] = act('keep', 'up to date');
    else if (existing.state === 'exited' && existing.exitCode === 0 && oneShots.has(name)) actions[name] = act('keep', 'completed');
    else actions[name] = act('start', existing.state === 'exited' ? `exited with code ${existing.exitCode}` : existing.state);

    const replaced = (dep: string | undefined) => dep !== undefined && ['create', 'recreate'].includes(actions[dep]?.kind ?? '');
    const restarted = (dep: string | undefined) => dep !== undefined && ['start', 'restart'].includes(actions[dep]?.kind ?? '');
    const current = actions[name]!;
    if (current.kind === 'create' || current.kind === 'recreate') continue;
    if (replaced(s.sharesNetworkOf)) actions[name] = act('recreate', `shares the network of ${s.sharesNetworkOf}, which is recreated`);
    else if (current.kind === 'keep' && existing?.running && restarted(s.sharesNetworkOf)) actions[name] = act('restart', `shares the network of ${s.sharesNetworkOf}, which is started again`);
    else if (current.kind === 'keep' && Object.entries(s.dependsOn).some(([dep, d]) => d.restart && replaced(dep))) actions[name] = act('restart', 'a dependency was recreated');
  }
  const wanted = new Set(desired.map((s) => s.name));
  const unknown = observed.filter((o) => o.project === project && !wanted.has(o.name));
  return { order, actions, orphans: unknown.filter((o) => o.stack === stack), foreign: unknown.filter((o) => o.stack !== stack) };
}
