import { normalize } from 'node:path';
import { warning, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Host, Repo } from '../../model/repo.js';
import type { FileSource } from '../../source/files.js';
import { nodeAt, spanAt } from '../../source/tree.js';
import { resolveDirPath } from '../../render/stack-common.js';
import { hostEnv } from '../variables.js';

/** User and group ids as a container sees them. */
interface ContainerIds {
  uid: number;
  gid?: number;
}

/**
 * A `dirs:` entry and a `:U` bind mount of the same directory must agree on its owner: berth (and
 * the rendered units, at every start) prepare the directory for the entry's owner, and Podman's
 * `:U` chowns it to the service's user whenever the container starts. Only a numeric `user:` can
 * be compared; without one, `:U` follows the image's user, which the repository does not say.
 */
export function dirOwnerConflicts(repo: Repo, source: FileSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const deployment of repo.deployments) {
    const stack = repo.stacks[deployment.stack];
    const host = repo.hosts.find((h) => h.name === deployment.host);
    if (!stack || !host) continue;
    const env = hostEnv(host);
    const manifestRoot = stack.manifestFile ? source.yaml(stack.manifestFile).root : undefined;
    stack.manifest.dirs.forEach((dir, i) => {
      const path = resolveDirPath(dir, env);
      if (path === undefined || !path.startsWith('/')) return;
      const owner = ownerIds(dir.owner, host);
      for (const service of Object.values(deployment.project.services)) {
        const user = userIds(service.config.user);
        if (!user) continue;
        const mounted = service.config.volumes.some((v) => v.type === 'bind' && v.source !== undefined && samePath(v.source, path) && v.options?.includes('U'));
        if (!mounted || (owner && owner.uid === user.uid && (user.gid === undefined || owner.gid === user.gid))) continue;
        const key = `${stack.name}\0${i}\0${service.name}`;
        if (seen.has(key) || !manifestRoot) continue;
        seen.add(key);
        const wanted = `container:${user.uid}${user.gid !== undefined && user.gid !== user.uid ? `:${user.gid}` : ''}`;
        out.push(
          warning(
            'DIR_OWNER_CONFLICT',
            // The owner when it is written, else the entry (its owner is the default, user).
            spanAt(manifestRoot, nodeAt(manifestRoot, ['dirs', i, 'owner']) ? ['dirs', i, 'owner'] : ['dirs', i]),
            `stack "${stack.name}": dirs entry ${dir.path} is prepared for owner ${dir.owner}${dir.owner === 'user' ? ' (container root)' : ''}, but service "${service.name}" mounts it with :U as user "${String(service.config.user)}", so Podman chowns it to container uid ${user.uid} at every start: the two fight over the directory`,
            `set owner: ${wanted} on the dirs entry to match the service's user, or remove the entry and let :U own the directory`,
          ),
        );
      }
    });
  }
  return out;
}

/** compose `user:` as numbers: "999" or "999:999"; a name needs the image's /etc/passwd, so undefined. */
function userIds(user: unknown): ContainerIds | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(typeof user === 'string' || typeof user === 'number' ? String(user).trim() : '');
  if (!m) return undefined;
  return m[2] === undefined ? { uid: Number(m[1]) } : { uid: Number(m[1]), gid: Number(m[2]) };
}

/**
 * The container ids a dirs owner stands for: "user" is container root (rootless, the user itself;
 * rootful, root); "container:N[:G]" is itself; host ids "UID:GID" map through the host's subuid range
 * when rootless. Undefined when a host id has no container id at all.
 */
function ownerIds(owner: string, host: Host): ContainerIds | undefined {
  if (owner === 'user') return { uid: 0, gid: 0 };
  const container = /^container:(\d+)(?::(\d+))?$/.exec(owner);
  if (container) return { uid: Number(container[1]), gid: Number(container[2] ?? container[1]) };
  const ids = /^(\d+):(\d+)$/.exec(owner);
  if (!ids) return undefined;
  const rootful = host.user === 'root' || host.uid === 0;
  if (rootful) return { uid: Number(ids[1]), gid: Number(ids[2]) };
  const toContainer = (id: number) => (id === host.uid ? 0 : id >= host.subuids.start && id < host.subuids.start + host.subuids.count ? id - host.subuids.start + 1 : undefined);
  const uid = toContainer(Number(ids[1]));
  const gid = toContainer(Number(ids[2]));
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

function samePath(a: string, b: string): boolean {
  return normalize(a).replace(/\/+$/, '') === normalize(b).replace(/\/+$/, '');
}
