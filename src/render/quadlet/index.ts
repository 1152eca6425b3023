import type { Artifact, FidelityNote } from '../artifact.js';
import { identityInputs } from './keys-metadata.js';
import type { StackRender, StackRenderContext } from '../context.js';
import { renderContainer } from './container.js';
import { dependencyFacts } from './dependencies.js';
import { renderResources } from './resources.js';
import type { StackPlan } from './service-render.js';

export { KNOWN_SERVICE_KEYS } from './container.js';

/** Top-level compose keys other than services, networks and volumes (rendered with them). */
const PROJECT_KEYS: Record<string, [FidelityNote['fidelity'], string]> = {
  version: ['ignored', 'obsolete: compose ignores it too'],
  name: ['mapped', 'the project name of containers, networks and volumes'],
  include: ['mapped', 'the included files are merged into the project by the loader'],
  secrets: ['mapped', 'rendered where services use them'],
  configs: ['mapped', 'rendered where services use them'],
  models: ['refused', 'AI models are a Docker Model Runner feature'],
};

/**
 * A stack's compose project as Podman Quadlet files: one .container per active service (and a
 * .build where it builds its image), a .network per network in use (the default one included)
 * and a .volume per named volume. Every compose key used gets a fidelity note: mapped,
 * approximated, refused (with the reason) or ignored; nothing is dropped silently.
 */
export function renderQuadletStack(ctx: StackRenderContext): StackRender {
  const project = ctx.deployment.project;
  const notes: FidelityNote[] = [];
  const note = (key: string, fidelity: FidelityNote['fidelity'], message: string, service?: string) =>
    notes.push(service === undefined ? { stack: ctx.stack.name, key, fidelity, message } : { stack: ctx.stack.name, service, key, fidelity, message });

  for (const { key } of project.root.entries) {
    if (key === 'services' || key === 'networks' || key === 'volumes') continue;
    const known = PROJECT_KEYS[key];
    if (known) note(key, known[0], known[1]);
    else if (key.startsWith('x-')) note(key, 'ignored', 'an extension field: compose ignores it too');
    else note(key, 'refused', `berth does not know the top-level compose key ${key}`);
  }

  const resources = renderResources(ctx, note);
  const plan: StackPlan = { ctx, project, networkRefs: resources.networkRefs, volumeRefs: resources.volumeRefs, ...dependencyFacts(project), identityInputs: identityInputs(ctx) };
  const artifacts: Artifact[] = [...resources.artifacts];
  for (const svc of Object.values(project.services)) {
    const out = renderContainer(plan, svc);
    artifacts.push(...out.artifacts);
    notes.push(...out.notes);
  }
  const profiles = ctx.host.profiles.length ? `active profiles: ${ctx.host.profiles.join(', ')}` : 'no profile is active there';
  for (const name of project.inactiveServices) note('profiles', 'ignored', `not run on ${ctx.host.name}: none of its profiles is active (${profiles})`, name);
  return { artifacts, notes };
}
