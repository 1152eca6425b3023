import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';
import { spanAt } from '../../source/tree.js';
import { servicesByHost, where } from './per-host.js';

/** container_name is global to an engine: two services on one host with the same one cannot both run. */
export function containerNameConflicts(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [host, services] of servicesByHost(repo)) {
    const seen = new Map<string, string>();
    for (const { deployment, service } of services) {
      const name = service.config.container_name;
      if (typeof name !== 'string') continue;
      const span = spanAt(service.node, ['container_name']);
      const first = seen.get(name);
      if (first) {
        out.push(error('CONTAINER_NAME_CONFLICT', span, `host "${host}": container_name "${name}" is used by ${where(deployment.stack, service.name, span)} and already by ${first}`, 'rename one, or drop container_name and let berth name containers <stack>-<service>'));
      } else seen.set(name, where(deployment.stack, service.name, span));
    }
  }
  return out;
}
