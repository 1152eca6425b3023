import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';

/** One reverse-proxy host name (and path) on a host can route to one stack only. */
export function proxyHostConflicts(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const host of repo.hosts) {
    const seen = new Map<string, string>();
    for (const ref of host.stacks) {
      const stack = repo.stacks[ref.name];
      for (const p of stack?.manifest.proxy ?? []) {
        const key = `${p.host}${p.path ?? ''}`;
        const first = seen.get(key);
        if (first) {
          out.push(error('PROXY_HOST_CONFLICT', p.span, `host "${host.name}": proxy host ${key} is claimed by stack "${stack!.name}" and already by stack "${first}"`, 'give one of them another host name or path'));
        } else seen.set(key, stack!.name);
      }
    }
  }
  return out;
}
