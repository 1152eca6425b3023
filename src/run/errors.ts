/**
 * A run-time operation that failed: the engine refused a command, a service never turned healthy,
 * a directory could not be prepared. The CLI prints the message as one line and exits 1, so the
 * message must say what failed and, when a command failed, which one and the gist of its stderr.
 */
export class RunError extends Error {
  override readonly name = 'RunError';
}

/** A choice the user must make or correct (an unknown stack, an ambiguous host): a usage error, exit 2. */
export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

/** The lines of an engine's stderr worth showing: its "Error:" lines, else the last two, without log noise. */
export function stderrGist(stderr: string, maxChars = 400): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !NOISE.some((n) => n.test(l)));
  const errors = lines.filter((l) => /^Error\b/i.test(l));
  const picked = (errors.length ? errors.slice(-2) : lines.slice(-2)).join(' | ');
  return picked.length > maxChars ? `…${picked.slice(-maxChars)}` : picked;
}

// Rootless Podman without a systemd session logs these on every command; they never explain a failure.
const NOISE = [/unable to get systemd connection/, /^failed to connect to syslog/, /level=warning msg="The cgroupv2 manager is set to systemd/];
