import type { ComposeProject, ServiceConfig } from '../model/compose.js';

/** The service whose network namespace a service joins (`network_mode: service:X`). */
export function sharedNetworkOf(config: ServiceConfig): string | undefined {
  return /^service:(.+)$/.exec(config.network_mode ?? '')?.[1];
}

/**
 * The services a service takes volumes from: `volumes_from: [X, X:ro]`. Entries naming a container
 * (`container:name`) are not services of the project and are left out.
 */
export function volumesFromServices(config: ServiceConfig, project: ComposeProject): string[] {
  const entries = Array.isArray(config.volumes_from) ? (config.volumes_from as unknown[]).filter((v): v is string => typeof v === 'string') : [];
  return entries.filter((v) => !v.startsWith('container:')).map((v) => v.replace(/^service:/, '').split(':')[0]!).filter((v) => project.services[v]);
}

/** Everything a service waits for before it starts: its depends_on, the service whose network it joins, those it takes volumes from. */
export function waitsFor(project: ComposeProject, service: string): string[] {
  const config = project.services[service]?.config;
  if (!config) return [];
  const shared = sharedNetworkOf(config);
  return [...new Set([...Object.keys(config.depends_on), ...(shared ? [shared] : []), ...volumesFromServices(config, project)])].filter((s) => project.services[s]).sort();
}
