import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { serviceUnit } from '../../render/quadlet/names.js';
import { containerName } from '../../run/naming.js';
import type { Repo } from '../../model/repo.js';
import { spanAt } from '../../source/tree.js';
import { servicesByHost, where } from './per-host.js';

/**
 * Container names are global to an engine, and unit names to a user's systemd: two services on one
 * host with the same one cannot both run. berth's defaults (<stack>-<service>) can collide too.
 */
export function containerNameConflicts(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [host, services] of servicesByHost(repo)) {
    const containers = new Map<string, string>();
    const units = new Map<string, string>();
    for (const { deployment, service } of services) {
      const explicit = typeof service.config.container_name === 'string' ? service.config.container_name : undefined;
      const span = explicit ? spanAt(service.node, ['container_name']) : service.span;
      const here = where(deployment.stack, service.name, span);
      const name = containerName(deployment.project, service.name);
      const first = containers.get(name);
      if (first && explicit) {
        out.push(error('CONTAINER_NAME_CONFLICT', span, `host "${host}": container_name "${name}" is used by ${here} and already by ${first}`, 'rename one, or drop container_name and let berth name containers <stack>-<service>'));
      } else if (first) {
        out.push(error('UNIT_NAME_CONFLICT', span, `host "${host}": ${here} would be container "${name}", which is already ${first}`, 'rename one of the services, or set container_name'));
      } else containers.set(name, here);
      const unit = serviceUnit(deployment.stack, service.name);
      const firstUnit = units.get(unit);
      if (firstUnit && !first) out.push(error('UNIT_NAME_CONFLICT', service.span, `host "${host}": ${here} would be unit "${unit}", which is already ${firstUnit}`, 'rename one of the services'));
      else if (!firstUnit) units.set(unit, here);
    }
  }
  return out;
}
