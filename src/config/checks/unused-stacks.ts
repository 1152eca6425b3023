import { diag, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';

/** A stack no host runs is probably forgotten in hosts.yml; worth a note, not a failure. */
export function unusedStacks(repo: Repo): Diagnostic[] {
  const used = new Set(repo.hosts.flatMap((h) => h.stacks.map((s) => s.name)));
  return Object.values(repo.stacks)
    .filter((s) => !used.has(s.name))
    .map((s) => diag('STACK_UNUSED', 'info', s.span, `stack "${s.name}" is not run by any host`, 'add it to a host\'s stacks in hosts.yml, or remove the folder'));
}
