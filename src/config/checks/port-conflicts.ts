import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/span.js';
import type { Repo } from '../../model/repo.js';
import { spanAt } from '../../source/tree.js';
import { servicesByHost, where } from './per-host.js';

const ALL = new Set([undefined, '', '0.0.0.0', '::', '[::]']);

/** Two services on one host may not publish the same host port and protocol on overlapping addresses. */
export function portConflicts(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [host, services] of servicesByHost(repo)) {
    // By port and protocol: ranges of thousands of ports stay linear.
    const taken = new Map<string, { ip: string | undefined; owner: string; span: Span }[]>();
    for (const { deployment, service } of services) {
      // Joined to another container's network namespace: it publishes nothing (compose refuses its ports).
      if (/^(service|container):/.test(service.config.network_mode ?? '')) continue;
      service.config.ports.forEach((p, i) => {
        if (p.published === undefined) return;
        const span = spanAt(service.node, ['ports', i]);
        const key = `${p.published}/${p.protocol}`;
        const same = taken.get(key) ?? [];
        const clash = same.find((t) => ALL.has(t.ip) || ALL.has(p.host_ip) || t.ip === p.host_ip);
        const owner = where(deployment.stack, service.name, span);
        if (clash) {
          out.push(
            error(
              'PORT_CONFLICT',
              span,
              `host "${host}": port ${p.published}/${p.protocol} is published by ${owner} and already by ${clash.owner}`,
              'give one of them another host port, or bind each to a different address (e.g. "127.0.0.1:8081:80")',
            ),
          );
        } else taken.set(key, [...same, { ip: p.host_ip, owner, span }]);
      });
    }
  }
  return out;
}
