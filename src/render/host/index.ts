import type { HostRenderContext, StackRender } from '../context.js';
import { renderCaddyfile } from './caddyfile.js';
import { renderFirewall } from './firewall.js';
import { renderMonitors } from './monitors.js';
import { renderPrerequisites } from './prerequisites.js';
import { renderTimers } from './timers.js';

export { engineSocket, isEngineSocket, socketUnitFor } from './engine.js';
export { renderStackTarget } from './stack-target.js';

/**
 * The files of a host as a whole, whatever its stacks: root's prerequisites script, the
 * maintenance timers, the firewall chain, the reverse proxy's Caddyfile and the monitors list.
 *
 * No containers.conf or storage.conf: nothing berth renders needs a setting there. Podman's
 * defaults (overlay storage, journald logs, the user's runtime dir) are what the units assume, and
 * the settings a machine may need (a runtime, ulimits) depend on that machine, not on the stacks.
 * The API socket is the distribution's podman.socket (see engine.ts), so no socket unit either.
 */
export function renderHostFiles(ctx: HostRenderContext): StackRender {
  const prerequisites = renderPrerequisites(ctx);
  const firewall = renderFirewall(ctx);
  const proxy = renderCaddyfile(ctx);
  return {
    artifacts: [...prerequisites.artifacts, ...renderTimers(ctx), firewall.artifact, ...(proxy.artifact ? [proxy.artifact] : []), renderMonitors(ctx)],
    notes: [...prerequisites.notes, ...firewall.notes, ...proxy.notes],
  };
}
