import type { ComposeProject } from '../model/compose.js';
import type { Engine } from './engine.js';
import { must } from './engine.js';
import { RunError } from './errors.js';
import { isExternal, LABEL, networkName, serviceNetworkKeys, volumeName } from './naming.js';

/** The networks and named volumes a project's services use, with the engine's names. */
function projectResources(project: ComposeProject): { networks: Map<string, string>; volumes: Map<string, string> } {
  const networks = new Map<string, string>();
  const volumes = new Map<string, string>();
  for (const name of Object.keys(project.services)) {
    for (const key of serviceNetworkKeys(project, name)) networks.set(key, networkName(project, key));
    for (const v of project.services[name]!.config.volumes) if (v.type === 'volume' && v.source) volumes.set(v.source, volumeName(project, v.source));
  }
  return { networks, volumes };
}

/**
 * Creates the project's networks and volumes that do not exist yet, labelled with the project so
 * `down` finds them; an external one must exist already. Existing ones are left as they are.
 */
export async function ensureResources(engine: Engine, project: ComposeProject, stack: string): Promise<string[]> {
  const created: string[] = [];
  const { networks, volumes } = projectResources(project);
  const labels = ['--label', `${LABEL.project}=${project.name}`, '--label', `${LABEL.stack}=${stack}`];
  for (const [key, name] of networks) {
    if (await exists(engine, 'network', name)) continue;
    const config = project.networks[key]?.config ?? {};
    if (isExternal(config)) throw new RunError(`network ${name} is external (declared outside the stack) and does not exist: create it first (${engine.binary} network create ${name})`);
    const args = ['network', 'create', ...labels];
    if (typeof config.driver === 'string') args.push('--driver', config.driver);
    if (config.internal === true) args.push('--internal');
    if (config.enable_ipv6 === true) args.push('--ipv6');
    for (const [k, v] of Object.entries((config.driver_opts as Record<string, string> | undefined) ?? {})) args.push('--opt', `${k}=${v}`);
    for (const [k, v] of Object.entries((config.labels as Record<string, string> | undefined) ?? {})) args.push('--label', `${k}=${v}`);
    for (const pool of ((config.ipam as { config?: { subnet?: string; gateway?: string; ip_range?: string }[] } | undefined)?.config ?? [])) {
      if (pool.subnet) args.push('--subnet', pool.subnet);
      if (pool.gateway) args.push('--gateway', pool.gateway);
      if (pool.ip_range) args.push('--ip-range', pool.ip_range);
    }
    await must(engine, [...args, name], `could not create network ${name}`);
    created.push(`network ${name}`);
  }
  for (const [key, name] of volumes) {
    if (await exists(engine, 'volume', name)) continue;
    const config = project.volumes[key]?.config ?? {};
    if (isExternal(config)) throw new RunError(`volume ${name} is external (declared outside the stack) and does not exist: create it first (${engine.binary} volume create ${name})`);
    const args = ['volume', 'create', ...labels];
    if (typeof config.driver === 'string') args.push('--driver', config.driver);
    for (const [k, v] of Object.entries((config.driver_opts as Record<string, string> | undefined) ?? {})) args.push('--opt', `${k}=${v}`);
    for (const [k, v] of Object.entries((config.labels as Record<string, string> | undefined) ?? {})) args.push('--label', `${k}=${v}`);
    await must(engine, [...args, name], `could not create volume ${name}`);
    created.push(`volume ${name}`);
  }
  return created;
}

/**
 * Removes the networks (and with `volumes`, the volumes) berth created for the project (or, with
 * `{ stack }`, for a stack whatever its project was); external ones were never labelled. A network
 * another stack's containers still use (a shared `name:`) is kept and named in `kept`.
 */
export async function removeResources(engine: Engine, owner: { project: string } | { stack: string }, volumes: boolean): Promise<{ removed: string[]; kept: string[] }> {
  const removed: string[] = [];
  const kept: string[] = [];
  const filter = ['--filter', 'project' in owner ? `label=${LABEL.project}=${owner.project}` : `label=${LABEL.stack}=${owner.stack}`];
  const nets = (await must(engine, ['network', 'ls', ...filter, '--format', '{{.Name}}'], 'could not list networks')).split('\n').map((s) => s.trim()).filter(Boolean);
  for (const n of nets) {
    const users = (await must(engine, ['ps', '-a', '--filter', `network=${n}`, '--format', '{{.Names}}'], `could not list the containers on network ${n}`)).split('\n').map((s) => s.trim()).filter(Boolean);
    if (users.length) {
      kept.push(`network ${n} (still used by ${users.join(', ')})`);
      continue;
    }
    await must(engine, ['network', 'rm', n], `could not remove network ${n}`);
    removed.push(`network ${n}`);
  }
  if (volumes) {
    const vols = (await must(engine, ['volume', 'ls', ...filter, '--format', '{{.Name}}'], 'could not list volumes')).split('\n').map((s) => s.trim()).filter(Boolean);
    for (const v of vols) {
      await must(engine, ['volume', 'rm', v], `could not remove volume ${v}`);
      removed.push(`volume ${v}`);
    }
  }
  return { removed, kept };
}

async function exists(engine: Engine, kind: 'network' | 'volume', name: string): Promise<boolean> {
  return (await engine.run([kind, 'inspect', name])).code === 0;
}
