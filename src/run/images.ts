import type { ComposeProject } from '../model/compose.js';
import { qualifiedImage } from '../render/quadlet/names.js';
import type { Engine } from './engine.js';
import { must } from './engine.js';
import { RunError } from './errors.js';

/**
 * Every image the given services are created from is on this machine before anything starts: a
 * missing one is pulled now, said as it happens, rather than inside `create` after the stack's
 * dependencies are already up. `pull_policy: never` makes a missing image an error instead.
 */
export async function ensureImages(engine: Engine, project: ComposeProject, services: readonly string[], say: (line: string) => void): Promise<void> {
  const wanted = new Map<string, string>();
  for (const s of services) {
    const c = project.services[s]?.config;
    // Qualified as createCommand names it, so the image pulled is the one the container runs.
    const image = c?.image ? qualifiedImage(c.image) : undefined;
    if (image && !wanted.has(image)) wanted.set(image, s);
  }
  for (const [image, service] of wanted) {
    if ((await engine.run(['image', 'inspect', '--format', '{{.Id}}', image])).code === 0) continue;
    if (project.services[service]!.config.pull_policy === 'never') throw new RunError(`service ${service}: image ${image} is not on this machine and its pull_policy is never: build or load it first`);
    say(`pulling ${image} (for ${service})`);
    await must(engine, ['pull', image], `could not pull image ${image} for service ${service}`);
  }
}
