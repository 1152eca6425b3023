import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { get, type LNode } from '../../source/tree.js';
import { calendarProblem } from '../calendar.js';

/**
 * berth.yml's timer schedules are systemd calendar expressions. One systemd refuses would leave
 * its timer without a trigger, silently: updates and pruning would never run.
 */
export function scheduleChecks(berthRoot: LNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const section of ['autoUpdate', 'prune']) {
    const node = get(get(berthRoot, section), 'schedule');
    if (node?.kind !== 'scalar' || typeof node.value !== 'string') continue;
    const problem = calendarProblem(node.value);
    if (problem === undefined) continue;
    out.push(
      error(
        'SCHEDULE_INVALID',
        node.span,
        `${section}.schedule "${node.value}" is not a systemd calendar expression: ${problem}`,
        'e.g. daily, weekly, "Sun *-*-* 03:00", "Mon..Fri 04:30", "*-*-01 02:00 UTC" (man systemd.time, "Calendar Events"; systemd-analyze calendar EXPR checks one)',
      ),
    );
  }
  return out;
}
