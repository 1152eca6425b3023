import type { Repo } from '../model/repo.js';
import type { Engine } from './engine.js';
import { RunError, SelectionError } from './errors.js';
import { observeAll, observeStack, removeContainer, type Observed } from './observe.js';
import type { Progress } from './progress.js';
import { removeResources } from './resources.js';
import { unknownStackMessage } from './target.js';

/**
 * A stack renamed or removed from the repository leaves its containers running: berth finds them
 * by the io.berth.stack label it put on them, which outlives the stack's folder.
 */
export interface Leftover {
  stack: string;
  containers: Observed[];
}

/** Stacks with containers on this engine that the repository has no folder for, by name. */
export async function leftoverStacks(engine: Engine, repo: Repo): Promise<Leftover[]> {
  const byStack = new Map<string, Observed[]>();
  for (const o of await observeAll(engine)) {
    if (o.stack === undefined || repo.stacks[o.stack]) continue;
    byStack.set(o.stack, [...(byStack.get(o.stack) ?? []), o]);
  }
  return [...byStack].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stack, containers]) => ({ stack, containers }));
}

/**
 * The containers of a stack named on the command line that the repository does not have. When
 * nothing carries its label, the name is simply unknown: a usage error, as for any other command.
 */
export async function leftoverStack(engine: Engine, repo: Repo, stack: string): Promise<Leftover> {
  let containers: Observed[];
  try {
    containers = await observeStack(engine, stack);
  } catch (e) {
    if (!(e instanceof RunError)) throw e;
    throw new SelectionError(`${unknownStackMessage(repo, stack)} (nor could the engine be asked for containers of a stack that was removed: ${e.message})`);
  }
  if (containers.length === 0) throw new SelectionError(unknownStackMessage(repo, stack));
  return { stack, containers };
}

/**
 * Removes a leftover stack's containers and the networks berth created for it (and with `volumes`
 * its volumes). Without the compose file there is no dependency order, but a container that joins
 * another's network namespace or takes its volumes was made after it: newest first is safe.
 */
export async function downLeftover(engine: Engine, left: Leftover, progress: Progress, opts: { volumes: boolean }): Promise<{ removed: string[]; kept: string[] }> {
  const removed: string[] = [];
  const newestFirst = [...left.containers].sort((a, b) => created(b) - created(a));
  for (const o of newestFirst) {
    progress.step(o.service ?? o.name, 'removing');
    await removeContainer(engine, o.name, { volumes: opts.volumes });
    progress.step(o.service ?? o.name, 'removed', true);
    removed.push(o.name);
  }
  const resources = await removeResources(engine, { stack: left.stack }, opts.volumes);
  progress.end();
  return { removed: [...removed, ...resources.removed], kept: resources.kept };
}

function created(o: Observed): number {
  return o.created ? Date.parse(o.created) || 0 : 0;
}

/** "rvf (3 containers), old (1 container)": the leftovers as one phrase. */
export function describeLeftovers(leftovers: readonly Leftover[]): string {
  return leftovers.map((l) => `${l.stack} (${l.containers.length} container${l.containers.length === 1 ? '' : 's'})`).join(', ');
}
