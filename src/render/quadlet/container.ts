import type { Service } from '../../model/compose.js';
import { hasSecret } from '../../config/secret-placeholder.js';
import { socketUnitFor } from '../host/engine.js';
import { artifact } from '../artifact.js';
import type { StackRender } from '../context.js';
import { rel, stackUnitBase } from '../layout.js';
import { renderedBy } from '../stack-common.js';
import { specifierSafe, unitFile, type Entry } from '../unit-file.js';
import { renderBuild } from './build.js';
import { DEPENDS_RULE } from './dependencies.js';
import { HEALTH_RULE } from './keys-health.js';
import { LIMIT_RULES } from './keys-limits.js';
import { METADATA_RULE } from './keys-metadata.js';
import { NETWORK_RULES } from './keys-network.js';
import { PROCESS_RULES, restartPolicy } from './keys-process.js';
import { SECURITY_RULES } from './keys-security.js';
import { STORAGE_RULES } from './keys-storage.js';
import { containerName } from '../../run/naming.js';
import { containerFile, qualifiedImage } from './names.js';
import { ServiceRender, type KeyRule, type StackPlan } from './service-render.js';

/** Keys that need no rendering, and why: each still gets its note. */
const NOT_RENDERED: Record<string, ['ignored' | 'refused' | 'mapped', string]> = {
  extends: ['mapped', 'merged into this service by the loader'],
  develop: ['ignored', 'compose watch is a development feature'],
  attach: ['ignored', 'only decides whether `compose up` shows the logs; journald has them'],
  post_start: ['refused', 'Quadlet has no container lifecycle hooks; add ExecStartPost=/usr/bin/podman exec ... in a drop-in'],
  pre_stop: ['refused', 'Quadlet has no container lifecycle hooks; add ExecStop= in a drop-in'],
  label_file: ['refused', 'write the labels under labels:'],
  provider: ['refused', 'provider services are run by a compose plugin, which systemd cannot'],
  models: ['refused', 'AI models are a Docker Model Runner feature'],
  use_api_socket: ['refused', "mount the Podman socket explicitly (${XDG_RUNTIME_DIR}/podman/podman.sock)"],
};

const IMAGE_KEYS: KeyRule = { keys: ['image', 'build'], render: () => undefined };

/** Every rule, in the order their entries appear in the file. */
const RULES: KeyRule[] = [IMAGE_KEYS, ...PROCESS_RULES, HEALTH_RULE, METADATA_RULE, ...NETWORK_RULES, ...STORAGE_RULES, ...SECURITY_RULES, ...LIMIT_RULES, DEPENDS_RULE];

/** Every service key the renderer knows: a key outside this set is refused by name. */
export const KNOWN_SERVICE_KEYS: ReadonlySet<string> = new Set([...RULES.flatMap((r) => r.keys), ...Object.keys(NOT_RENDERED)]);

/** Seconds systemd waits for a container to start: an image pull, then a start period, can be long. */
const START_TIMEOUT = 900;

/** One compose service as a .container file (and a .build file when it builds its image). */
export function renderContainer(plan: StackPlan, svc: Service): StackRender {
  const s = new ServiceRender(plan, svc);
  const { ctx } = plan;
  for (const { key } of svc.node.entries) {
    // Secret values reach containers only through the env file in the runtime dir.
    if (key !== 'environment' && hasSecret(svc.config[key])) {
      s.blocked.add(key);
      s.note(key, 'refused', 'it reads a secret variable, which only environment: may use (berth writes those to a runtime env file); the key is not rendered');
    }
  }
  const image = imageOf(s);
  if (image === undefined) {
    for (const { key } of svc.node.entries) {
      if (!s.noted(key)) s.note(key, 'refused', 'not rendered: the service has no image it can run (see the note on image or build)');
    }
    return { artifacts: s.artifacts, notes: s.notes };
  }
  s.container.push(['Image', image]);
  s.set(s.container, 'ContainerName', 'container_name', containerName(plan.project, s.name));

  const oneshot = plan.completed.has(s.name);
  for (const rule of RULES) rule.render(s);
  restartPolicy(s, oneshot);
  for (const { key } of svc.node.entries) {
    if (s.blocked.has(key) || KNOWN_SERVICE_KEYS.has(key)) {
      const skip = NOT_RENDERED[key];
      if (skip && !s.blocked.has(key)) s.note(key, skip[0], skip[1]);
      else if (!s.noted(key) && isEmpty(s.config[key])) {
        s.note(key, 'ignored', 'empty: nothing to render (the loader leaves out entries it cannot read, such as ones with unset variables)');
      }
      continue;
    }
    if (key.startsWith('x-')) s.note(key, 'ignored', 'an extension field: compose ignores it too');
    else s.note(key, 'refused', `berth does not know the compose key ${key}, so it is not rendered`);
  }

  // dependencyFacts puts a service here only when a check will run in its container.
  if (plan.healthy.has(s.name)) s.container.push(['Notify', 'healthy']);

  const target = `${stackUnitBase(s.stack)}.target`;
  const unit: Entry[] = [['Description', specifierSafe(`${ctx.stack.manifest.description ?? s.stack}: ${s.name}`)], ...ctx.common.unitEntries];
  if (ctx.common.prepareUnit) unit.push(['Requires', ctx.common.prepareUnit], ['After', ctx.common.prepareUnit]);
  // The seed's lesson: a container that talks to the engine's API must not start before the socket listens.
  const socket = socketUnitFor(ctx);
  if (socket) unit.push(['Requires', socket], ['After', socket]);
  unit.push(...s.unit, ['PartOf', target]);
  const service: Entry[] = oneshot ? [['Type', 'oneshot'], ['RemainAfterExit', true]] : [['TimeoutStartSec', START_TIMEOUT]];
  service.push(...s.service);
  const text = unitFile(
    [
      { name: 'Unit', entries: unit },
      { name: 'Container', entries: [...s.container, ...s.podmanArgEntries()] },
      { name: 'Service', entries: service },
      { name: 'Install', entries: [['WantedBy', target]] },
    ],
    renderedBy(s.stack),
  );
  return { artifacts: [artifact(rel(`${ctx.layout.quadletDir}/${containerFile(s.stack, s.name)}`), text), ...s.artifacts], notes: s.notes };
}

/** Image=: the image, qualified as Docker would read it, or the .build unit that makes it. */
function imageOf(s: ServiceRender): string | undefined {
  if (s.config.build !== undefined && !s.blocked.has('build')) {
    const built = renderBuild(s);
    if (built === undefined) return undefined;
    if (s.has('image')) s.note('image', 'mapped', `the tag of the image built by ${built}`);
    return built;
  }
  const image = s.has('image') ? s.config.image : undefined;
  if (!image) {
    if (s.has('image')) s.note('image', 'refused', 'the image name is empty (a variable that is not set?), so the service has nothing to run');
    else if (!s.blocked.has('image')) s.note('image', 'refused', 'the service has neither an image nor a build section, so it has nothing to run');
    return undefined;
  }
  const qualified = qualifiedImage(image);
  const value = s.arg('image', qualified);
  if (value === undefined) return undefined;
  s.note('image', 'mapped', qualified === image ? `Image=${image}` : `Image=${qualified} (${image} names an image on Docker Hub, as compose reads it)`);
  return value;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}
