/**
 * What render produces: files as they must exist on a host, with paths relative to the host's
 * root ("home/homelab/.config/systemd/user/x.service"), so one outer step can write the tree into
 * any folder, compare it with what is deployed, or ship it over SSH.
 */
export interface Artifact {
  /** Relative to the host's root, '/'-separated, no leading slash. */
  path: string;
  /** Text, or bytes for files shipped as they are (a stack's assets may be binary). */
  content: string | Uint8Array;
  /** 0o644 unless said otherwise: 0o755 for scripts, 0o600 for what only the user may read. */
  mode?: number;
}

/** How faithfully a compose key reached the rendered files: the per-key report of `render --explain`. */
export type Fidelity = 'mapped' | 'approximated' | 'refused' | 'ignored';

export interface FidelityNote {
  stack: string;
  /** Absent for keys of the project as a whole (top-level networks, volumes, ...). */
  service?: string;
  /** The compose key, dotted for nested keys ("deploy.resources.limits.cpus"). */
  key: string;
  fidelity: Fidelity;
  /** What became of it, or why not: one line a user can act on. */
  message: string;
}

export function artifact(path: string, content: string | Uint8Array, mode?: number): Artifact {
  return mode === undefined ? { path, content } : { path, content, mode };
}
