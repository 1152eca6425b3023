import type { RunContext } from '../run/up.js';
import { systemctlUser } from '../run/systemd.js';
import { eachStack, engineFor, runContext, systemdUnitFor, targetsFor, timeoutSeconds, terminal } from '../run/session.js';
import type { StackTarget } from '../run/target.js';
import { EXIT, type Io } from './io.js';
import { loadForCli, repoDir, reportProblems } from './load.js';
import type { ParsedArgs } from './registry.js';

/**
 * What `up` and `restart` share: load the repository, pick the stacks, and hand each to its
 * systemd unit where one is installed and the user manager answers, else to `direct` on the engine.
 */
export async function runOnStacks(
  args: ParsedArgs,
  io: Io,
  verb: string,
  systemd: { verb: 'start' | 'restart'; doing: string },
  direct: (target: StackTarget, ctx: RunContext) => Promise<void>,
): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const targets = targetsFor(r.repo!, args.positionals, args.values.host as string | undefined);
  const timeout = timeoutSeconds(args.values.timeout as string | undefined);
  const term = terminal(io);
  const ok = await eachStack(targets, term, verb, async (target) => {
    const unit = await systemdUnitFor(target, term);
    if (unit) {
      io.out(`${target.stack.name}: ${systemd.doing} ${unit.unit} (systemd)\n`);
      await systemctlUser(systemd.verb, unit.unit);
      return;
    }
    await direct(target, runContext(term, engineFor(target.host.engine, io.env), timeout));
  });
  return ok ? EXIT.OK : EXIT.FAILED;
}
