import type { Dependency } from '../model/compose.js';
import { identityFile, decryptSecrets, secretEnvText, secretsRead, withSecretEnvFile, type SecretValues } from './secrets.js';
import { bindSources, dirSteps, makeBindSources, prepareDirs } from './dirs.js';
import { desiredStack, readStackInputs, type DesiredStack } from './desired.js';
import type { Engine } from './engine.js';
import { must } from './engine.js';
import { RunError } from './errors.js';
import { waitCompleted, waitHealthy } from './health.js';
import { missingMounts } from './mounts.js';
import { imageIds, observeProject, removeContainer } from './observe.js';
import { runPreStart } from './pre-start.js';
import { planUp, prerequisites, type Action, type UpPlan } from './plan.js';
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
  if (missing.length) throw new RunError(`stack ${stack} needs ${missing.join(', ')} mounted (stack.yml mounts.required), and ${missing.length === 1 ? 'it is' : 'they are'} not: mount ${missing.length === 1 ? 'it' : 'them'} first`);

  const desired = desiredStack(target, readStackInputs(target), engine.kind, ctx.runtimeDir);
  for (const [service, cmd] of Object.entries(desired.commands)) {
    if (cmd.errors.length) throw new RunError(`service ${service} of stack ${stack} cannot run: ${cmd.errors.join('; ')}`);
    for (const note of cmd.notes) ctx.warn(`${stack}/${service}: ${note}`);
  }

  const observed = await observeProject(engine, desired.project, desired.services.map((s) => s.name));
  const plan = planUp(desired.project, desired.services, observed, await imageIds(engine, desired.services.map((s) => s.image)));
  const changing = plan.order.filter((s) => plan.actions[s]!.kind !== 'keep');

  await prepareDirs(dirSteps(target.repo, target.host, target.stack), { engine, uid: ctx.uid, warn: ctx.warn });
  makeBindSources(bindSources(target.deployment.project));
  for (const r of await ensureResources(engine, target.deployment.project, stack)) progress.line(`created ${r}`);

  const creating = changing.filter((s) => ['create', 'recreate'].includes(plan.actions[s]!.kind));
  const needed = desired.secrets.filter((ref) => creating.some((s) => secretNames(desired, s).has(ref.name)));
  const secrets = await decryptSecrets(needed, identityFile(target.repo.config.secrets.identity, target.repo.dir, ctx.home));
  // Like the rendered units, but only when something is to start: an unchanged stack is left untouched.
  if (changing.length) await runPreStart(target.stack, (l) => progress.line(l));

  const removed: string[] = [];
  for (const o of plan.orphans) {
    progress.step(o.service ?? o.name, `removing (no longer in stack ${stack})`);
    await removeContainer(engine, o.name);
    removed.push(o.name);
    progress.step(o.service ?? o.name, 'removed', true);
  }
  // Dependents first: the engine refuses to remove a container whose namespace another one joined.
  for (const s of [...plan.order].reverse()) {
    const a = plan.actions[s]!;
    if (a.kind !== 'recreate') continue;
    progress.step(s, `replacing: ${a.reason}`);
    await removeContainer(engine, a.existing!.name);
  }

  await runPlan(target, desired, plan, secrets, ctx);
  return { stack, actions: plan.order.map((s) => plan.actions[s]!), removed };
}

function secretNames(desired: DesiredStack, service: string): Set<string> {
  return secretsRead(Object.values(desired.commands[service]!.secretEnv));
}

class Blocked extends Error {
  constructor(readonly service: string, readonly by: string) {
    super(`${service} waits for ${by}`);
  }
}

async function runPlan(target: StackTarget, desired: DesiredStack, plan: UpPlan, secrets: SecretValues, ctx: RunContext): Promise<void> {
  const { engine, progress } = ctx;
  const deadline = Date.now() + ctx.timeoutMs;
  const byService = new Map(desired.services.map((s) => [s.service, s]));
  const started: string[] = [];
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
          progress.step(dep, 'running to completion');
          await waitCompleted(engine, name, dep, { deadline });
          progress.step(dep, 'completed', true);
        }
      });
      p.catch((e: unknown) => {
        if (!(e instanceof Blocked)) failed = true;
      });
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
            if (s.dependsOn[dep]?.required === false && !(e instanceof Blocked)) {
              progress.line(`${target.stack.name}/${service}: optional dependency ${dep} failed (${(e as Error).message}); starting anyway`);
              return;
            }
            throw e instanceof Blocked || e instanceof RunError ? new Blocked(service, dep) : e;
          }
        }),
      );
      if (failed) throw new Blocked(service, 'a failure elsewhere');
      await perform(plan.actions[service]!, desired, secrets, ctx, started);
    })();
    p.catch((e: unknown) => {
      if (!(e instanceof Blocked)) failed = true;
    });
    tasks.set(service, p);
    return p;
  };

  const results = await Promise.allSettled(plan.order.map(task));
  // Wait for the conditions too: a failed health wait is the root cause dependents report.
  const condResults = await Promise.allSettled(conditions.values());
  const errors = [...results, ...condResults].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const roots = [...new Set(errors.filter((e) => !(e instanceof Blocked)))];
  if (roots.length === 0) {
    progress.end();
    return;
  }
  const rootErr = roots[0]!;
  if (!(rootErr instanceof RunError)) throw rootErr;
  const blocked = plan.order.filter((s) => errors.some((e) => e instanceof Blocked && e.service === s));
  for (const s of blocked) progress.step(s, 'not started', true);
  const stopped: string[] = [];
  for (const name of [...started].reverse()) {
    const r = await engine.run(['stop', name]);
    if (r.code === 0) stopped.push(name);
  }
  progress.end();
  const parts = [rootErr.message];
  if (blocked.length) parts.push(`not started: ${blocked.join(', ')}`);
  if (stopped.length) parts.push(`stopped what this run started, left for inspection: ${stopped.join(', ')} (berth logs ${target.stack.name} SERVICE)`);
  throw new RunError(parts.join('; '));
}

async function perform(action: Action, desired: DesiredStack, secrets: SecretValues, ctx: RunContext, started: string[]): Promise<void> {
  const { engine, progress } = ctx;
  const service = action.service;
  const cmd = desired.commands[service]!;
  switch (action.kind) {
    case 'keep':
      progress.step(service, action.reason === 'completed' ? 'completed earlier, kept' : 'up to date', true);
      return;
    case 'start':
      progress.step(service, `starting (${action.reason})`);
      await must(engine, ['start', cmd.name], `could not start service ${service}`);
      started.push(cmd.name);
      break;
    case 'restart':
      progress.step(service, `restarting (${action.reason})`);
      await must(engine, ['restart', cmd.name], `could not restart service ${service}`);
      started.push(cmd.name);
      break;
    case 'create':
    case 'recreate': {
      progress.step(service, action.kind === 'create' ? 'creating' : `recreating (${action.reason})`);
      const create = () => must(engine, cmd.args, `could not create service ${service}`);
      if (Object.keys(cmd.secretEnv).length) await withSecretEnvFile(cmd.secretEnvFile, secretEnvText(cmd.secretEnv, secrets), create);
      else await create();
      progress.step(service, 'starting');
      await must(engine, ['start', cmd.name], `could not start service ${service}`);
      started.push(cmd.name);
      break;
    }
  }
  progress.step(service, 'started', true);
}
