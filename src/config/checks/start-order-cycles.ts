import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ComposeProject } from '../../model/compose.js';
import type { Repo } from '../../model/repo.js';
import { spanAt } from '../../source/tree.js';
import { waitsFor } from '../../compose/waits.js';

/**
 * Services that wait for each other in a circle cannot start: systemd would break the ordering
 * cycle at an arbitrary unit, `berth up` refuses it. A service waits for its depends_on, the
 * service whose network namespace it joins, and those it takes volumes from.
 */
export function startOrderCycles(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = stackCycle(repo);
  const seen = new Set<string>();
  for (const deployment of repo.deployments) {
    const cycle = findCycle(deployment.project);
    if (!cycle) continue;
    const key = `${deployment.stack}:${[...cycle].sort().join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const first = deployment.project.services[cycle[0]!]!;
    out.push(
      error(
        'START_ORDER_CYCLE',
        cycle.length > 1 ? waitSpan(deployment.project, cycle[0]!, cycle[1]!) : first.span,
        `stack "${deployment.stack}": services wait for each other in a circle: ${[...cycle, cycle[0]].join(' → ')}`,
        'remove one of these waits (a depends_on entry, network_mode: service:..., or volumes_from)',
      ),
    );
  }
  return out;
}

function findCycle(project: ComposeProject): string[] | undefined {
  return cycleIn(Object.keys(project.services), (name) => waitsFor(project, name));
}

/** Stacks ordered after each other (after: in stack.yml) in a circle: systemd would break it anywhere. */
function stackCycle(repo: Repo): Diagnostic[] {
  const after = (name: string) => (repo.stacks[name]?.manifest.after ?? []).map((a) => a.name).filter((a) => repo.stacks[a]);
  const cycle = cycleIn(Object.keys(repo.stacks), after);
  if (!cycle) return [];
  const first = repo.stacks[cycle[0]!]!;
  const span = first.manifest.after.find((a) => a.name === (cycle[1] ?? cycle[0]))?.span ?? first.span;
  return [error('START_ORDER_CYCLE', span, `stacks wait for each other in a circle through after: ${[...cycle, cycle[0]].join(' → ')}`, 'remove one of these after: entries')];
}

/** The first circle in a graph, as the nodes on it in order; names are visited sorted, so the answer is stable. */
function cycleIn(nodes: string[], next: (node: string) => string[]): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return path.slice(path.indexOf(name));
    state.set(name, 'visiting');
    for (const dep of [...next(name)].sort()) {
      const cycle = visit(dep, [...path, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of [...nodes].sort()) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Where `service` says it waits for `on`. */
function waitSpan(project: ComposeProject, service: string, on: string) {
  const s = project.services[service]!;
  if (s.config.depends_on[on]) return spanAt(s.node, ['depends_on', on]);
  return spanAt(s.node, [s.config.network_mode === `service:${on}` ? 'network_mode' : 'volumes_from']);
}
