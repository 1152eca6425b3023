/**
 * Ctrl-C (or a SIGTERM) in the middle of `up`: `finally` blocks never run when the process is
 * killed by a signal, so what must not outlive berth (decrypted env files, the stack's lock)
 * registers a cleanup here, and the handler runs them, says which containers the run left in which
 * state, and exits 130.
 */
const cleanups = new Set<() => void>();

/** Containers this run has touched, and what it was doing with them: for the interrupt's report. */
export const activity = new Map<string, string>();

/** Registers a cleanup for an interrupt; the returned function unregisters it (the normal path cleaned up itself). */
export function atInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Installs the SIGINT/SIGTERM handler for one command; the returned function removes it. */
export function handleInterrupts(report: (text: string) => void, exit: (code: number) => never = process.exit): () => void {
  const handler = (signal: NodeJS.Signals) => {
    for (const fn of cleanups) {
      try {
        fn();
      } catch {
        // keep cleaning up: the rest matters more than one failure
      }
    }
    cleanups.clear();
    const left = [...activity].map(([name, what]) => `${name} (${what})`);
    report(`interrupted (${signal}): decrypted env files removed; ${left.length ? `left as they are: ${left.join(', ')}; run up again to finish, or down to remove them` : 'no container was touched'}`);
    exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
