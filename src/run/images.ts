import type { ComposeProject } from '../model/compose.js';
import type { Engine } from './engine.js';
import { must } from './engine.js';
import { RunError } from './errors.js';

/**
 * Every image the given services are created from is on this machine before anything starts: a
 * missing one is pulled now, said as it happens, rather than inside `create` after the stack's
 * dependencies are already up. `pull_policy: never` makes a missing image an error instead.
 * `present` is what the caller already found locally (image → ID): nothing is inspected twice.
 */
export async function ensureImages(engine: Engine, project: ComposeProject, wanted: readonly { service: string; image: string }[], present: Readonly<Record<string, string>>, say: (line: string) => void): Promise<void> {
  const pulled = new Set<string>();
  for (const { service, image } of wanted) {
    if (!image || present[image] !== undefined || pulled.has(image)) continue;
    if (project.services[service]!.config.pull_policy === 'never') throw new RunError(`service ${service}: image ${image} is not on this machine and its pull_policy is never: build or load it first`);
    say(`pulling ${image} (for ${service})`);
    await must(engine, ['pull', image], `could not pull image ${image} for service ${service}`);
    pulled.add(image);
  }
}
