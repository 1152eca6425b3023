import { desiredStack, readStackInputs } from './desired.js';
import { must } from './engine.js';
import { observeProject, removeContainer, startedByPodmanCompose, type Observed } from './observe.js';
import { startOrder } from './plan.js';
import { removeResources } from './resources.js';
import type { StackTarget } from './target.js';
import type { RunContext } from './up.js';

/** The project's containers, dependents first: the order to stop or remove them in. */
async function stopOrder(target: StackTarget, ctx: RunContext): Promise<Observed[]> {
  const desired = desiredStack(target, readStackInputs(target), ctx.engine.kind, ctx.runtimeDir);
  const names = new Set(desired.services.map((s) => s.name));
  // Containers of the compose project that neither berth nor the stack's compose-mode unit
  // (podman-compose) made are not ours to remove.
  const observed = (await observeProject(ctx.engine, desired.project, [], target.stack.name)).filter((o) => o.stack === target.stack.name || names.has(o.name) || startedByPodmanCompose(o, desired.project));
  const order = startOrder(desired.services);
  const rank = (o: Observed) => {
    const i = order.indexOf(desired.services.find((d) => d.name === o.name)?.service ?? (startedByPodmanCompose(o, desired.project) ? (o.service ?? '') : ''));
    return i < 0 ? Infinity : i;
  };
  // Containers the repository no longer knows go first; then the reverse of the start order.
  return [...observed].sort((a, b) => rank(b) - rank(a));
}

/**
 * Removes the stack's containers and the networks berth made for it. Named volumes stay unless
 * `volumes` is set, and then only those berth created (external ones were never labelled); bind
 * mounted data on the host is never touched.
 */
export async function downStack(target: StackTarget, ctx: RunContext, opts: { volumes: boolean }): Promise<string[]> {
  const removed: string[] = [];
  for (const o of await stopOrder(target, ctx)) {
    ctx.progress.step(o.service ?? o.name, 'removing');
    await removeContainer(ctx.engine, o.name, { volumes: opts.volumes });
    ctx.progress.step(o.service ?? o.name, 'removed', true);
    removed.push(o.name);
  }
  const resources = await removeResources(ctx.engine, { project: target.deployment.project.name }, opts.volumes);
  removed.push(...resources.removed);
  for (const k of resources.kept) ctx.progress.line(`${target.stack.name}: kept ${k}`);
  ctx.progress.end();
  return removed;
}

/** Stops the stack's running containers, dependents first, keeping them for the next start. */
export async function stopStack(target: StackTarget, ctx: RunContext): Promise<string[]> {
  const stopped: string[] = [];
  for (const o of await stopOrder(target, ctx)) {
    if (!o.running) continue;
    ctx.progress.step(o.service ?? o.name, 'stopping');
    await must(ctx.engine, ['stop', o.name], `could not stop ${o.name}`);
    ctx.progress.step(o.service ?? o.name, 'stopped', true);
    stopped.push(o.name);
  }
  return stopped;
}
