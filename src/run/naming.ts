import type { ComposeProject } from '../model/compose.js';

/**
 * Names and labels shared by everything that creates a stack's containers (the direct runner, the
 * rendered Quadlet and compose units), so `status` reads a stack the same way whoever started it.
 * They follow compose's own conventions, so podman-compose and docker compose see the same project.
 */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  stack: 'io.berth.stack',
  /** The service's config hash (config-hash.ts): a running container whose label differs has drifted. */
  config: 'io.berth.config',
  /** The digest of the stack's inputs (stack-common.ts), on rendered containers. */
  inputs: 'io.berth.inputs',
  /** Set by podman-compose (a compose-mode unit), which names containers `<project>_<service>_1` and sets no io.berth.* label. */
  podmanCompose: 'io.podman.compose.project',
} as const;

export function containerName(project: ComposeProject, service: string): string {
  return project.services[service]?.config.container_name ?? `${project.name}-${service}`;
}

/** The engine's name for a compose network: its `name:`, an external one's own name, else `<project>_<key>`. */
export function networkName(project: ComposeProject, key: string): string {
  return topLevelName(project.name, key, project.networks[key]?.config);
}

/** The engine's name for a named volume, by the same rule as networks. */
export function volumeName(project: ComposeProject, key: string): string {
  return topLevelName(project.name, key, project.volumes[key]?.config);
}

function topLevelName(projectName: string, key: string, config: Record<string, unknown> | undefined): string {
  if (typeof config?.name === 'string' && config.name !== '') return config.name;
  if (isExternal(config)) return key;
  return `${projectName}_${key}`;
}

export function isExternal(config: Record<string, unknown> | undefined): boolean {
  return config?.external === true || (typeof config?.external === 'object' && config.external !== null);
}

/** The networks a service joins: its own list, or the project's default network unless it uses another's namespace. */
export function serviceNetworkKeys(project: ComposeProject, service: string): string[] {
  const config = project.services[service]?.config;
  if (!config) return [];
  if (config.network_mode !== undefined) return [];
  const keys = Object.keys(config.networks);
  return keys.length ? keys : ['default'];
}
