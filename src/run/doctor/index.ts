import type { StackTarget } from '../target.js';
import type { CheckResult, MachineCheck, MachineFacts, StackCheck } from './check.js';
import { ageTool, apiSocket, engineVersion } from './engine.js';
import { containersHealthy, dataDirs, firewallPorts, requiredMounts, stackUnit } from './stacks.js';
import { idMappers, linger, runtimeDir, subordinateIds, tunDevice } from './user-namespace.js';

export type { CheckResult, MachineFacts, Verdict } from './check.js';

/** seed 004's troubleshooting and gotchas that a program can check, machine first, in the order a person would look. */
const MACHINE_CHECKS: readonly MachineCheck[] = [engineVersion, apiSocket];
/** What only rootless containers need: skipped for root, whose containers are rootful. */
const ROOTLESS_CHECKS: readonly MachineCheck[] = [idMappers, subordinateIds, runtimeDir, linger, tunDevice];
const STACK_CHECKS: readonly StackCheck[] = [dataDirs, requiredMounts, firewallPorts, stackUnit, containersHealthy];
/** Stack checks whose answer depends on who runs doctor (owners, the user's engine and units). */
const PER_USER: ReadonlySet<StackCheck> = new Set([dataDirs, stackUnit, containersHealthy]);

/** Runs every check against the facts; a check that throws is reported as failed, never as a crash. */
export async function runDoctor(facts: MachineFacts, targets: readonly StackTarget[] = []): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const guard = async (name: string, fn: () => CheckResult[] | Promise<CheckResult[]>) => {
    try {
      out.push(...(await fn()));
    } catch (e) {
      out.push({ check: name, verdict: 'fail', message: `the check itself failed: ${(e as Error).message}`, fix: 'run it again with --debug and report it' });
    }
  };
  const hostUser = targets[0]?.host.user;
  // Run as someone else, the user's checks would look at the wrong engine, runtime dir and owners.
  const otherUser = hostUser !== undefined && hostUser !== facts.user;
  if (otherUser) out.push({ check: 'user', verdict: 'fail', message: `doctor runs as ${facts.user}, but host ${targets[0]!.host.name} runs its stacks as ${hostUser}: the checks of ${hostUser}'s engine, directories and containers are skipped`, fix: `run doctor as ${hostUser}: sudo -iu ${hostUser} berth doctor` });
  for (const check of MACHINE_CHECKS) await guard(check.name, () => check(facts));
  await guard('age', () => ageTool(facts, targets.some((t) => t.stack.manifest.secrets.length > 0)));
  if (facts.uid === 0 && !otherUser) out.push({ check: 'rootless', verdict: 'warn', message: 'running as root: containers would be rootful, so the rootless checks are skipped', fix: `run berth as the stacks' user (berth.yml user:), e.g. sudo -iu ${hostUser ?? 'USER'} berth doctor` });
  else if (!otherUser) for (const check of ROOTLESS_CHECKS) await guard(check.name, () => check(facts));
  for (const t of targets) for (const check of STACK_CHECKS) if (!otherUser || !PER_USER.has(check)) await guard(`${t.stack.name}: ${check.name}`, () => check(t, facts));
  return out;
}
