import type { Host } from '../../model/repo.js';
import type { StackRenderContext } from '../context.js';
import type { HostLayout } from '../layout.js';

/**
 * The engine's API socket on a host and the user unit that provides it.
 *
 * Podman: the distribution's own `podman.socket` user unit (Debian, Fedora, Arch and openSUSE ship
 * it; it listens on %t/podman/podman.sock and starts `podman system service` on the first
 * connection). berth renders no socket of its own: a second unit listening on the same path would
 * fight the distribution's for it, and a different path would not be the one compose files mount
 * (`${XDG_RUNTIME_DIR}/podman/podman.sock`). Units that need it get Requires=/After= on it, which
 * starts it without `systemctl enable`.
 * Docker (rootless): `dockerd-rootless-setuptool.sh` installs `docker.service` as a user unit,
 * serving %t/docker.sock.
 */
export interface EngineSocket {
  unit: string;
  path: string;
}

export function engineSocket(host: Pick<Host, 'engine'>, layout: HostLayout): EngineSocket {
  return host.engine === 'docker' ? { unit: 'docker.service', path: `${layout.runtimeDir}/docker.sock` } : { unit: 'podman.socket', path: layout.podmanSocket };
}

/** Where containers usually expect the Docker API; on a rootless host they mean the user's socket. */
const DOCKER_STYLE_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock', '/var/run/podman/podman.sock', '/run/podman/podman.sock'];

/** Whether a bind source is the engine's API socket (the user's, or a rootful path that stands for it). */
export function isEngineSocket(source: string, host: Pick<Host, 'engine'>, layout: HostLayout): boolean {
  return source === engineSocket(host, layout).path || source === layout.podmanSocket || DOCKER_STYLE_SOCKETS.includes(source);
}

/**
 * The unit a stack's container units must Require= and order After=, because one of its active
 * services bind-mounts the engine's API socket; undefined when none does. Both render modes call it.
 */
export function socketUnitFor(ctx: Pick<StackRenderContext, 'host' | 'layout' | 'deployment'>): string | undefined {
  const mounts = Object.values(ctx.deployment.project.services).some((s) => s.config.volumes.some((v) => v.type === 'bind' && v.source !== undefined && isEngineSocket(v.source, ctx.host, ctx.layout)));
  return mounts ? engineSocket(ctx.host, ctx.layout).unit : undefined;
}
