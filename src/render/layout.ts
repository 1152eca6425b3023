import type { Host } from '../model/repo.js';
import { hostVariables } from '../config/variables.js';

/**
 * Where everything berth renders lives on a host. Absolute paths are what units and scripts use;
 * `rel()` turns one into an artifact path. The rootless user's files stay in the user's home, so
 * `apply` writes as that user and root only touches /etc (firewall, prerequisites).
 */
export interface HostLayout {
  user: string;
  uid: number;
  home: string;
  /** The user's runtime dir: the only place decrypted secrets are written. */
  runtimeDir: string;
  /** Quadlet files, read by the user instance of the Quadlet generator. */
  quadletDir: string;
  /** Plain user units (.service, .timer, .target, .socket). */
  userUnitDir: string;
  /** berth's deployed copy of each stack folder, scripts and encrypted secrets. */
  shareDir: string;
  binDir: string;
  /** Encrypted secrets as shipped (secrets/<name>.env.age). */
  secretsDir: string;
  /** The age identity the host decrypts with: placed by the user, never rendered. */
  identityFile: string;
  /** Decrypted secrets at run time (tmpfs, gone at reboot or logout without linger). */
  runtimeSecretsDir: string;
  podmanSocket: string;
  /** Root-owned, host-wide files. */
  etcDir: string;
}

export function hostLayout(host: Pick<Host, 'user' | 'uid'>): HostLayout {
  const vars = hostVariables(host.user, host.uid);
  const home = vars.HOME!;
  const runtimeDir = vars.XDG_RUNTIME_DIR!;
  const shareDir = `${home}/.local/share/berth`;
  return {
    user: host.user,
    uid: Number(vars.UID),
    home,
    runtimeDir,
    quadletDir: `${home}/.config/containers/systemd`,
    userUnitDir: `${home}/.config/systemd/user`,
    shareDir,
    binDir: `${shareDir}/bin`,
    secretsDir: `${shareDir}/secrets`,
    identityFile: `${home}/.config/berth/age.key`,
    runtimeSecretsDir: `${runtimeDir}/berth/secrets`,
    podmanSocket: `${runtimeDir}/podman/podman.sock`,
    etcDir: '/etc/berth',
  };
}

/** A stack's deployed folder: its compose file and every file beside it (Caddyfile, init.sql, ...). */
export function stackDir(layout: HostLayout, stack: string): string {
  return `${layout.shareDir}/stacks/${stack}`;
}

/** The artifact path of an absolute host path. */
export function rel(absolute: string): string {
  if (!absolute.startsWith('/')) throw new Error(`not an absolute host path: ${absolute}`);
  return absolute.replace(/^\/+/, '');
}

/** The unit that stands for a stack as a whole: a .target in Quadlet mode, a .service in compose mode. */
export function stackUnitBase(stack: string): string {
  return `berth-${stack}`;
}
