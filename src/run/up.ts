import type { Dependency } from '../model/compose.js';
import { identityFile, decryptSecrets, maskSecrets, opaqueSecretProblem, secretEnvText, secretsRead, withSecretEnvFile, type SecretValues } from './secrets.js';
import { bindSources, dirSteps, makeBindSources, prepareDirs } from './dirs.js';
import type { CreateCommand } from './container-args.js';
import { desiredStack, readStackInputs, type DesiredStack } from './desired.js';
import type { Engine } from './engine.js';
import { must } from './engine.js';
import { RunError } from './errors.js';
import { refreshStaleHealth, waitCompleted, waitHealthy, waitSettled } from './health.js';
import { ensureImages } from './images.js';
import { activity } from './interrupt.js';
import { missingMounts } from './mounts.js';
import { imageIds, inspectOne, observeProject, removeContainer, startedByPodmanCompose } from './observe.js';
import { runPreStart } from './pre-start.js';
import { oneShotServices, planUp, prerequisites, type Action, type UpPlan } from './plan.js';
import type { Progress } from './progress.js';
import { ensureResources } from './resources.js';
import type { StackTarget } from './target.js';

export interface RunContext {
  engine: Engine;
  progress: Progress;
  /** The uid berth runs as (0: rootful). */
  uid: number;
  home: string;
  /** This user's runtime dir (XDG_RUNTIME_DIR): the only place secrets are written. */
  runtimeDir: string;
  /** Longest wait for one stack to come up, in milliseconds. */
  timeoutMs: number;
  warn: (message: string) => void;
  mountinfo?: string;
}

export interface UpResult {
  stack: string;
  actions: Action[];
  removed: string[];
  /** Containers of the compose project that berth did not make, left alone. */
  foreign: string[];
}

/**
 * Brings one stack to what the repository says, directly on the engine: required mounts checked,
 * directories prepared, networks and volumes created, then every service handled in dependency
 * order (independent ones side by side), each started only once what it waits for is started,
 * healthy or completed. If anything fails, the containers this run started are stopped (and left
 * in place, so their logs explain the failure), services that waited on the failure are never
 * created, and containers that were already running untouched stay as they were: a failed `up`
 * leaves no half-started stack behind and takes down nothing that worked before.
 */
export async function upStack(target: StackTarget, ctx: RunContext): Promise<UpResult> {
  const { engine, progress } = ctx;
  const stack = target.stack.name;
  const missing = missingMounts(target.stack.manifest.mounts.required, ctx.mountinfo);
  if (missing.length) throw new RunError(`needs ${missing.join(', ')} mounted (stack.yml mounts.required), and ${missing.length === 1 ? 'it is' : 'they are'} not: mount ${missing.length === 1 ? 'it' : 'them'} first`);
  const opaque = opaqueSecretProblem(target.stack, target.deployment);
  if (opaque) throw new RunError(opaque);

  const desired = desiredStack(target, readStackInputs(target), engine.kind, ctx.runtimeDir);
  for (const [service, cmd] of Object.entries(desired.commands)) {
    if (cmd.errors.length) throw new RunError(`service ${service} cannot run: ${cmd.errors.join('; ')}`);
    for (const note of cmd.notes) ctx.warn(`${stack}/${service}: ${note}`);
  }

  // A verdict no check has renewed since (no systemd timer) would hide a stuck container.
  const observed = await refreshStaleHealth(engine, await observeProject(engine, desired.project, desired.services.map((s) => s.name), stack), { confirm: true });
  const images = await imageIds(engine, desired.services.map((s) => s.image));
  const plan = planUp(desired.project, desired.services, observed, images, stack);
  const changing = plan.order.filter((s) => plan.actions[s]!.kind !== 'keep');
  const creating = changing.filter((s) => ['create', 'recreate'].includes(plan.actions[s]!.kind));
  // The stack already runs under podman-compose (compose mode without its unit, say): a second copy
  // beside it would fight it for names and ports, so stop rather than start one.
  const composeRun = plan.foreign.filter((f) => f.running && startedByPodmanCompose(f, desired.project));
  if (composeRun.length) {
    throw new RunError(`stack ${stack} is running under podman-compose (${composeRun.map((f) => f.name).join(', ')}); stop it first (podman-compose -p ${desired.project} down, or berth down ${stack}), then berth up runs it itself`);
  }
  for (const f of plan.foreign) ctx.warn(`${f.name} belongs to compose project ${desired.project} but was not made by berth for stack ${stack}: left alone (remove it yourself if it is a leftover)`);

  // Everything that can fail without touching a container comes first: secrets (every service's
  // environment filled in now, so a variable missing from a secret stops the run before any
  // service starts), images; then directories, networks and volumes.
  const needed = desired.secrets.filter((ref) => creating.some((s) => secretNames(desired, s).has(ref.name)));
  const secrets = await decryptSecrets(needed, identityFile(target.repo.config.secrets.identity, target.repo.dir, ctx.home));
  for (const s of creating) {
    try {
      secretEnvText(desired.commands[s]!.secretEnv, secrets);
    } catch (e) {
      if (e instanceof RunError) throw new RunError(`service ${s}: ${e.message}`);
      throw e;
    }
  }
  await ensureImages(engine, target.deployment.project, creating.map((s) => ({ service: s, image: desired.commands[s]!.image })), images, (l) => progress.line(`${stack}: ${l}`));
  await prepareDirs(dirSteps(target.repo, target.host, target.stack), { engine, uid: ctx.uid, warn: ctx.warn, project: target.deployment.project, creating: new Set(creating) });
  makeBindSources(bindSources(target.deployment.project));
  for (const r of await ensureResources(engine, target.deployment.project, stack)) progress.line(`created ${r}`);
  // Like the rendered units, but only when something is to start: an unchanged stack is left untouched.
  if (changing.length) await runPreStart(target.stack, (l) => progress.line(l));

  const removed: string[] = [];
  for (const o of plan.orphans) {
    progress.step(o.service ?? o.name, `removing (no longer in stack ${stack})`);
    await removeContainer(engine, o.name);
    removed.push(o.name);
    progress.step(o.service ?? o.name, 'removed', true);
  }

  const parked: string[] = [];
  try {
    await runPlan(target, desired, plan, secrets, ctx, parked);
  } catch (e) {
    if (e instanceof RunError) throw new RunError(maskSecrets(e.message, secrets));
    throw e;
  } finally {
    // Replaced containers go once their successors run; dependents first, as the engine refuses
    // to remove a container whose namespace another one joined.
    for (const name of parked.reverse()) {
      await removeContainer(engine, name).catch((e: unknown) => ctx.warn(`could not remove the replaced container ${name}: ${(e as Error).message}`));
    }
    activity.clear();
  }
  return { stack, actions: plan.order.map((s) => plan.actions[s]!), removed, foreign: plan.foreign.map((f) => f.name) };
}

function secretNames(desired: DesiredStack, service: string): Set<string> {
  return secretsRead(Object.values(desired.commands[service]!.secretEnv));
}

/** A service not started because something it waits for failed; `cause` is that failure, when it is one. */
class Blocked extends Error {
  constructor(readonly service: string, readonly by: string, override readonly cause?: unknown) {
    super(`${service} waits for ${by}`);
  }
}

async function runPlan(target: StackTarget, desired: DesiredStack, plan: UpPlan, secrets: SecretValues, ctx: RunContext, parked: string[]): Promise<void> {
  const { engine, progress } = ctx;
  const deadline = Date.now() + ctx.timeoutMs;
  const byService = new Map(desired.services.map((s) => [s.service, s]));
  const started: string[] = [];
  const oneShots = oneShotServices(desired.services);
  const tasks = new Map<string, Promise<void>>();
  const conditions = new Map<string, Promise<void>>();
  let failed = false;

  const condition = (dep: string, cond: Dependency['condition'], waiter: string): Promise<void> => {
    const key = `${dep}\0${cond}`;
    let p = conditions.get(key);
    if (!p) {
      const name = byService.get(dep)!.name;
      p = task(dep).then(async () => {
        if (cond === 'service_healthy') {
          progress.step(dep, 'waiting for health');
          await waitHealthy(engine, name, dep, waiter, { deadline, onCheck: (h) => progress.step(dep, h === 'starting' ? 'waiting for health' : h) });
          progress.step(dep, 'healthy', true);
        } else if (cond === 'service_completed_successfully') {
          // A one-shot kept from an earlier run has said so already.
          const kept = plan.actions[dep]?.kind === 'keep';
          if (!kept) progress.step(dep, 'running to completion');
          await waitCompleted(engine, name, dep, { deadline });
          if (!kept) progress.step(dep, 'completed', true);
        }
      });
      // Whether a failed condition fails the run is for each waiter to say (required: false).
      p.catch(() => {});
      conditions.set(key, p);
    }
    return p;
  };

  const task = (service: string): Promise<void> => {
    let p = tasks.get(service);
    if (p) return p;
    p = (async () => {
      const s = byService.get(service)!;
      const waits = Object.entries(prerequisites(s)).filter(([dep]) => byService.has(dep));
      if (waits.length) progress.step(service, `waiting for ${waits.map(([d]) => d).join(', ')}`);
      await Promise.all(
        waits.map(async ([dep, cond]) => {
          try {
            await condition(dep, cond, service);
          } catch (e) {
            if (s.dependsOn[dep]?.required === false) {
              const why = e instanceof Blocked ? `it was not started` : maskSecrets((e as Error).message, secrets);
              progress.line(`${target.stack.name}/${service}: optional dependency ${dep} failed (${why}); starting anyway`);
              return;
            }
            if (e instanceof Blocked) throw new Blocked(service, dep, e.cause);
            throw e instanceof RunError ? new Blocked(service, dep, e) : e;
          }
        }),
      );
      if (failed) throw new Blocked(service, 'a failure elsewhere');
      await perform(plan.actions[service]!, desired, secrets, ctx, { started, parked, deadline, oneShots });
    })();
    p.catch(() => {
      failed = true;
    });
    tasks.set(service, p);
    return p;
  };

  const results = await Promise.allSettled(plan.order.map(task));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  // A failed health wait or one-shot is the root cause of the services blocked by it.
  const roots = [...new Set(errors.flatMap((e) => (e instanceof Blocked ? (e.cause === undefined ? [] : [e.cause]) : [e])))];
  if (roots.length === 0) {
    progress.end();
    return;
  }
  // Anything but a RunError is a bug; several RunErrors (services failing side by side) are all said.
  const bug = roots.find((e) => !(e instanceof RunError));
  if (bug !== undefined) throw bug;
  const blocked = plan.order.filter((s) => errors.some((e) => e instanceof Blocked && e.service === s));
  for (const s of blocked) progress.step(s, 'not started', true);
  const stopped: string[] = [];
  for (const name of [...started].reverse()) {
    const o = await inspectOne(engine, name);
    if (!o?.running) continue;
    const r = await engine.run(['stop', name]);
    if (r.code === 0) stopped.push(name);
  }
  progress.end();
  const parts = roots.map((e) => (e as RunError).message);
  if (blocked.length) parts.push(`not started: ${blocked.join(', ')}`);
  if (stopped.length) parts.push(`stopped what this run started, left for inspection: ${stopped.join(', ')} (berth logs ${target.stack.name} SERVICE)`);
  throw new RunError(parts.join('; '));
}

/** What one run keeps track of across services: containers it started, replaced ones to remove at the end. */
interface RunState {
  started: string[];
  parked: string[];
  deadline: number;
  /** Services others wait on to complete: they exit by design. */
  oneShots: ReadonlySet<string>;
}

async function perform(action: Action, desired: DesiredStack, secrets: SecretValues, ctx: RunContext, run: RunState): Promise<void> {
  const { started } = run;
  const { engine, progress } = ctx;
  const service = action.service;
  const cmd = desired.commands[service]!;
  switch (action.kind) {
    case 'keep':
      progress.step(service, action.reason === 'completed' ? 'completed earlier, kept' : 'up to date', true);
      return;
    case 'start':
      progress.step(service, `starting (${action.reason})`);
      activity.set(cmd.name, 'starting');
      await must(engine, ['start', cmd.name], `could not start service ${service}`);
      started.push(cmd.name);
      break;
    case 'restart':
      progress.step(service, `restarting (${action.reason})`);
      activity.set(cmd.name, 'restarting');
      await restartContainer(engine, cmd.name, `could not restart service ${service}`);
      started.push(cmd.name);
      break;
    case 'create':
      progress.step(service, 'creating');
      await createAndStart(cmd, secrets, ctx, service);
      started.push(cmd.name);
      break;
    case 'recreate':
      progress.step(service, `recreating (${action.reason})`);
      await replace(action, cmd, secrets, ctx, run, desired.services.filter((d) => d.sharesNetworkOf === service).map((d) => d.name));
      started.push(cmd.name);
      break;
  }
  activity.set(cmd.name, 'started');
  progress.step(service, 'started', true);
}

async function createAndStart(cmd: CreateCommand, secrets: SecretValues, ctx: RunContext, service: string): Promise<void> {
  const { engine, progress } = ctx;
  activity.set(cmd.name, 'creating');
  const create = () => must(engine, cmd.args, `could not create service ${service}`);
  if (Object.keys(cmd.secretEnv).length) await withSecretEnvFile(cmd.secretEnvFile, secretEnvText(cmd.secretEnv, secrets), create);
  else await create();
  progress.step(service, 'starting');
  activity.set(cmd.name, 'starting');
  await must(engine, ['start', cmd.name], `could not start service ${service}`);
}

/**
 * Replaces a container without losing the one that works: the old one is renamed aside and
 * stopped, the new one created, started and given its chance to prove itself (healthy, if it has
 * a healthcheck; still running a moment later, if not). If any of that fails, the new one is
 * removed and the old one takes its name back, runs again if it ran, and so do the containers in
 * its network namespace. The old one is removed once the run is over.
 */
async function replace(action: Action, cmd: CreateCommand, secrets: SecretValues, ctx: RunContext, run: RunState, sharers: readonly string[]): Promise<void> {
  const { engine, progress } = ctx;
  const service = action.service;
  const old = action.existing!;
  const aside = `${cmd.name}-berth-old`;
  await engine.run(['rm', '-f', aside]);
  await must(engine, ['rename', old.name, aside], `could not rename ${old.name} aside to replace it`);
  if (old.running) await engine.run(['stop', aside]);
  try {
    await createAndStart(cmd, secrets, ctx, service);
    if (!run.oneShots.has(service)) await proveReplacement(cmd.name, service, ctx, run.deadline);
  } catch (e) {
    // It failed: no grace period to wait out.
    await engine.run(['rm', '-f', ...(engine.kind === 'podman' ? ['-t', '0'] : []), cmd.name]);
    const back = await engine.run(['rename', aside, old.name]);
    if (back.code === 0 && old.running) {
      await engine.run(['start', old.name]);
      // Those in its network namespace lost it when it stopped.
      for (const name of sharers) if ((await inspectOne(engine, name))?.running) await restartContainer(engine, name, `could not restart ${name}`);
    }
    progress.step(service, back.code === 0 ? `kept the previous container${old.running ? ', running' : ''}` : `the previous container is left as ${aside}`, true);
    if (!(e instanceof RunError)) throw e;
    throw new RunError(
      back.code === 0
        ? `kept the previous ${service} ${old.running ? 'running' : '(it was not running)'}: its replacement failed: ${e.message}`
        : `the replacement of ${service} failed (${e.message}), and the previous container could not take its name back: it is left as ${aside} (${engine.binary} rename ${aside} ${old.name})`,
    );
  }
  run.parked.push(aside);
}

/** Settle time for a replacement without a healthcheck: most broken configurations exit within it. */
const SETTLE_MS = 1000;

async function proveReplacement(name: string, service: string, ctx: RunContext, deadline: number): Promise<void> {
  const { engine, progress } = ctx;
  const o = await inspectOne(engine, name);
  if (o?.healthcheck) {
    progress.step(service, 'waiting for health');
    await waitHealthy(engine, name, service, service, { deadline, onCheck: (h) => progress.step(service, h === 'starting' ? 'waiting for health' : h) });
  } else await waitSettled(engine, name, service, { settleMs: SETTLE_MS });
}

/**
 * Stop, then start: `podman restart` races a container that is already stopping (one whose
 * network namespace owner just went away), failing with "container state improper".
 */
async function restartContainer(engine: Engine, name: string, what: string): Promise<void> {
  await must(engine, ['stop', name], what);
  await must(engine, ['start', name], what);
}
