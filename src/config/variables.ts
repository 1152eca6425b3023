/**
 * Variables berth provides on every host, beside the roots: the rootless user's runtime directory
 * (where the Podman socket lives), home, name and uid. Without a known uid, the usual first user's
 * 1000 stands in, as in seed 004.
 */
export function hostVariables(user: string, uid: number | undefined): Record<string, string> {
  const id = String(uid ?? 1000);
  return { XDG_RUNTIME_DIR: `/run/user/${id}`, HOME: `/home/${user}`, USER: user, UID: id };
}

/** Everything a host's compose files and stack.yml paths may read: host variables overlaid by the host's roots. */
export function hostEnv(host: { user: string; uid?: number | undefined; roots: Record<string, string> }): Record<string, string> {
  return { ...hostVariables(host.user, host.uid), ...host.roots };
}
