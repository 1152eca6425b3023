import type { Engine } from './engine.js';
import { must } from './engine.js';
import { commandFailed } from './command.js';
import { LABEL } from './naming.js';

export interface HealthLogEntry {
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

/** The healthcheck as the engine holds it (compose's, or the image's own), in milliseconds. */
export interface HealthConfig {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

/** One container as the engine reports it, reduced to what berth decides and reports on. */
export interface Observed {
  id: string;
  name: string;
  project?: string;
  service?: string;
  stack?: string;
  configHash?: string;
  /** The project podman-compose started it for (a compose-mode unit's container); berth's own carry `stack` instead. */
  podmanComposeProject?: string;
  /** created, running, exited, paused, ... */
  state: string;
  running: boolean;
  exitCode: number;
  /** When the container was made: one joining another's namespace or volumes was made after it. */
  created?: string;
  startedAt?: string;
  finishedAt?: string;
  /** starting, healthy, unhealthy; undefined without a healthcheck. */
  health?: string;
  healthLog: HealthLogEntry[];
  /** Failed checks in a row: the verdict turns unhealthy when it reaches the healthcheck's retries. */
  failingStreak: number;
  healthcheck?: HealthConfig;
  image: string;
  imageId: string;
  /** "127.0.0.1:8080->80/tcp" */
  ports: string[];
  restartCount: number;
}

const ZERO_TIME = /^0001-01-01/;

/** Reads `inspect` output (Podman's or Docker's) into Observed records. */
export function parseInspect(json: string): Observed[] {
  const list = JSON.parse(json) as RawInspect[];
  return list.map((c) => {
    const labels = c.Config?.Labels ?? {};
    const state = c.State ?? {};
    const health = state.Health ?? state.Healthcheck;
    const hc = c.Config?.Healthcheck;
    const o: Observed = {
      id: c.Id,
      name: (c.Name ?? '').replace(/^\//, ''),
      state: state.Status ?? 'unknown',
      running: state.Running === true,
      exitCode: state.ExitCode ?? 0,
      healthLog: (health?.Log ?? []).map((l) => ({ start: l.Start, end: l.End, exitCode: l.ExitCode, output: (l.Output ?? '').trim() })),
      failingStreak: health?.FailingStreak ?? 0,
      image: c.ImageName ?? c.Config?.Image ?? '',
      imageId: (c.Image ?? '').replace(/^sha256:/, ''),
      ports: ports(c.NetworkSettings?.Ports ?? c.HostConfig?.PortBindings ?? {}),
      restartCount: c.RestartCount ?? 0,
    };
    if (labels[LABEL.project]) o.project = labels[LABEL.project];
    if (labels[LABEL.service]) o.service = labels[LABEL.service];
    if (labels[LABEL.stack]) o.stack = labels[LABEL.stack];
    if (labels[LABEL.config]) o.configHash = labels[LABEL.config];
    if (labels[LABEL.podmanCompose]) o.podmanComposeProject = labels[LABEL.podmanCompose];
    if (c.Created) o.created = c.Created;
    if (state.StartedAt && !ZERO_TIME.test(state.StartedAt)) o.startedAt = state.StartedAt;
    if (state.FinishedAt && !ZERO_TIME.test(state.FinishedAt)) o.finishedAt = state.FinishedAt;
    if (health?.Status) o.health = health.Status;
    if (hc?.Test?.length && hc.Test[0] !== 'NONE') {
      o.healthcheck = {
        test: hc.Test,
        intervalMs: nsToMs(hc.Interval, 30_000),
        timeoutMs: nsToMs(hc.Timeout, 30_000),
        startPeriodMs: nsToMs(hc.StartPeriod, 0),
        retries: hc.Retries || 3,
      };
    }
    return o;
  });
}

function nsToMs(ns: number | undefined, fallback: number): number {
  return ns ? ns / 1e6 : fallback;
}

function ports(map: Record<string, { HostIp?: string; HostPort?: string }[] | null>): string[] {
  const out: string[] = [];
  for (const [target, bindings] of Object.entries(map)) {
    for (const b of bindings ?? []) {
      if (!b.HostPort) continue;
      out.push(`${b.HostIp && b.HostIp !== '0.0.0.0' ? `${b.HostIp}:` : ''}${b.HostPort}->${target}`);
    }
  }
  return out.sort();
}

/** A container podman-compose started for the project (a compose-mode unit's), not one berth made. */
export function startedByPodmanCompose(o: Observed, project: string): boolean {
  return o.stack === undefined && o.podmanComposeProject === project && o.project === project;
}

/**
 * The container of one service: the one with its name, else the one podman-compose started for it
 * (named `<project>_<service>_1`, found by the compose labels).
 */
export function serviceContainer(observed: readonly Observed[], project: string, service: { service: string; name: string }): Observed | undefined {
  return observed.find((o) => o.name === service.name) ?? observed.find((o) => startedByPodmanCompose(o, project) && o.service === service.service);
}

/** Every container of a compose project (by its label) or of the berth stack, plus those holding the given names without either. */
export async function observeProject(engine: Engine, project: string, names: readonly string[] = [], stack?: string): Promise<Observed[]> {
  const ids = await listIds(engine, ['--filter', `label=${LABEL.project}=${project}`]);
  if (stack !== undefined) ids.push(...(await listIds(engine, ['--filter', `label=${LABEL.stack}=${stack}`])));
  const byName = names.length ? await listIds(engine, names.flatMap((n) => ['--filter', `name=^${escapeRegex(n)}$`])) : [];
  return inspectContainers(engine, [...new Set([...ids, ...byName])]);
}

/** Every container berth (or a rendered unit) made, on this engine: podman-compose's (compose mode) too, when asked. */
export async function observeAll(engine: Engine, opts: { podmanCompose?: boolean } = {}): Promise<Observed[]> {
  const ids = await listIds(engine, ['--filter', `label=${LABEL.stack}`]);
  if (opts.podmanCompose) ids.push(...(await listIds(engine, ['--filter', `label=${LABEL.podmanCompose}`])));
  return inspectContainers(engine, [...new Set(ids)]);
}

/** The containers berth (or a rendered unit) made for a stack, by its label: those of a stack no longer in the repository too. */
export async function observeStack(engine: Engine, stack: string): Promise<Observed[]> {
  return inspectContainers(engine, await listIds(engine, ['--filter', `label=${LABEL.stack}=${stack}`]));
}

export async function inspectContainers(engine: Engine, ids: readonly string[]): Promise<Observed[]> {
  if (ids.length === 0) return [];
  const r = await engine.run(['container', 'inspect', ...ids]);
  // A container removed between listing and inspecting is simply gone; inspect the rest one by one.
  if (r.code !== 0) {
    const found: Observed[] = [];
    for (const id of ids) {
      const one = await engine.run(['container', 'inspect', id]);
      if (one.code === 0) found.push(...parseInspect(one.stdout));
    }
    return found;
  }
  return parseInspect(r.stdout);
}

export async function inspectOne(engine: Engine, name: string): Promise<Observed | undefined> {
  const r = await engine.run(['container', 'inspect', name]);
  return r.code === 0 ? parseInspect(r.stdout)[0] : undefined;
}

async function listIds(engine: Engine, filters: string[]): Promise<string[]> {
  const out = await must(engine, ['ps', '-a', '-q', '--no-trunc', ...filters], 'could not list containers');
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface RawInspect {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  ImageName?: string;
  RestartCount?: number;
  Config?: {
    Labels?: Record<string, string> | null;
    Image?: string;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  };
  State?: {
    Status?: string;
    Running?: boolean;
    ExitCode?: number;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: RawHealth;
    Healthcheck?: RawHealth;
  };
  NetworkSettings?: { Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> };
  HostConfig?: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> };
}

interface RawHealth {
  Status?: string;
  FailingStreak?: number;
  Log?: { Start: string; End: string; ExitCode: number; Output?: string }[] | null;
}

/** The local image ID of each image, to notice a container running an older image than its tag now names. */
export async function imageIds(engine: Engine, images: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const image of new Set(images)) {
    if (!image) continue;
    const r = await engine.run(['image', 'inspect', '--format', '{{.Id}}', image]);
    if (r.code === 0) out[image] = r.stdout.trim().replace(/^sha256:/, '');
  }
  return out;
}

/**
 * Stops and removes a container. Podman 4 can race with a container that exits by itself while
 * being stopped ("container state improper"), so a failed removal is tried once more before it is
 * an error; a container already gone is fine.
 */
export async function removeContainer(engine: Engine, name: string, opts: { volumes?: boolean } = {}): Promise<void> {
  const args = ['rm', '-f', ...(opts.volumes ? ['-v'] : []), name];
  await engine.run(['stop', name]);
  let r = await engine.run(args);
  if (r.code === 0) return;
  await new Promise((res) => setTimeout(res, 500));
  if ((await engine.run(['container', 'exists', name])).code === 1) return;
  r = await engine.run(args);
  if (r.code !== 0 && (await inspectOne(engine, name))) throw commandFailed(engine.binary, args, `could not remove ${name}`, r);
}
