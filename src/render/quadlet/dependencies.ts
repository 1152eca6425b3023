import type { ComposeProject } from '../../model/compose.js';
import { renderedHealth, type RenderedHealth } from './keys-health.js';
import type { KeyRule } from './service-render.js';

/**
 * Which services others wait for as healthy, and which they wait for to complete. A service
 * waited for as healthy reports "started" to systemd only once healthy (Notify=healthy), so a
 * plain After= on its unit waits for health; one waited for to complete runs as a oneshot unit,
 * which is "started" once its container exited 0.
 */
export function dependencyFacts(project: ComposeProject): { healthy: Set<string>; completed: Set<string> } {
  const healthy = new Set<string>();
  const completed = new Set<string>();
  for (const svc of Object.values(project.services)) {
    for (const [dep, d] of Object.entries(svc.config.depends_on)) {
      const target = project.services[dep];
      if (!target) continue;
      if (d.condition === 'service_healthy' && runsCheck(renderedHealth(target.config.healthcheck))) healthy.add(dep);
      if (d.condition === 'service_completed_successfully') completed.add(dep);
    }
  }
  // A oneshot unit never sends a readiness notification: completion is what others wait for.
  for (const s of completed) healthy.delete(s);
  return { healthy, completed };
}

/**
 * depends_on as unit dependencies on the dependency's unit: Requires= (Wants= when required is
 * false) and After=. restart: true also restarts this service when the dependency is restarted
 * or updated: PartOf=, which propagates exactly stop and restart (BindsTo= would also stop it when
 * the dependency merely crashes, and leave it down after the dependency's own restart).
 */
export const DEPENDS_RULE: KeyRule = {
  keys: ['depends_on'],
  render(s) {
    if (!s.has('depends_on')) return;
    const project = s.plan.project;
    for (const [dep, d] of Object.entries(s.config.depends_on)) {
      const target = project.services[dep];
      if (!target) {
        s.note('depends_on', 'ignored', `${dep} is not part of the project on ${s.ctx.host.name} (required: false)`);
        continue;
      }
      const unit = s.unitOf(dep);
      s.unit.push([d.required ? 'Requires' : 'Wants', unit], ['After', unit]);
      if (d.restart && !d.required) s.unit.push(['PartOf', unit]);
      const how = d.required ? `Requires=+After=${unit}` : `Wants=+After=${unit}`;
      let waits: string;
      let exact = true;
      if (d.condition === 'service_healthy') {
        const health = renderedHealth(target.config.healthcheck);
        if (health.kind === 'disabled') {
          waits = `${dep} has its healthcheck disabled, so this waits for it to start only`;
          exact = false;
        } else if (s.plan.completed.has(dep)) {
          waits = `${dep} runs to completion for another service, so this waits for it to exit 0`;
          exact = false;
        } else if (health.kind === 'refused') {
          waits = `${dep}'s healthcheck is not rendered (${health.key} is refused: ${health.reason}), so nothing would report it healthy: this waits for it to start only`;
          exact = false;
        } else if (health.kind === 'image') {
          waits = `${dep} reports started once healthy (Notify=healthy), which relies on its image's own HEALTHCHECK: none there, and ${dep} fails to start`;
          exact = false;
        } else waits = `${dep} reports started only once healthy (Notify=healthy)`;
      } else if (d.condition === 'service_completed_successfully') {
        waits = `${dep} runs as a oneshot unit (Type=oneshot, RemainAfterExit=yes), started once its container exited 0`;
      } else waits = `starts after ${dep} started`;
      let propagation = '';
      if (d.required && !d.restart) {
        propagation = `; systemd also stops and restarts this service with ${dep}, which compose does only with restart: true`;
        exact = false;
      } else if (d.restart) propagation = `; restarted with ${dep} (restart: true${d.required ? ', through Requires=' : ', PartOf='})`;
      s.note('depends_on', exact ? 'mapped' : 'approximated', `${dep}: ${how}, ${waits}${propagation}`);
    }
  },
};

/**
 * Whether a health check runs in the service's container, so that Notify=healthy can ever report
 * it started: the compose test, or the image's own HEALTHCHECK when no test is given (compose
 * also uses that one). A refused test is neither: waiting for it would keep the service from ever
 * starting, and everything that requires it with it.
 */
function runsCheck(health: RenderedHealth): boolean {
  return health.kind === 'test' || health.kind === 'image';
}
