import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { stopStack } from '../../run/down.js';
import { systemctlUser } from '../../run/systemd.js';
import { eachStack, engineFor, runContext, systemdUnitFor, targetsFor, timeoutSeconds, terminal } from '../../run/session.js';
import { upStack } from '../../run/up.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const targets = targetsFor(r.repo!, args.positionals, args.values.host as string | undefined);
  const timeout = timeoutSeconds(args.values.timeout as string | undefined);
  const term = terminal(io);
  const ok = await eachStack(targets, term, 'restart', async (target) => {
    const name = target.stack.name;
    const unit = await systemdUnitFor(target, term);
    if (unit) {
      io.out(`${name}: restarting ${unit.unit} (systemd)\n`);
      await systemctlUser('restart', unit.unit);
      return;
    }
    const engine = engineFor(target.host.engine, io.env);
    const stopped = await stopStack(target, runContext(term, engine, timeout));
    // Starting again goes through up, so dependencies are waited for and changed services recreated.
    await upStack(target, runContext(term, engine, timeout));
    io.out(`${name}: restarted${stopped.length ? ` (stopped ${stopped.length} first)` : ''}\n`);
  });
  return ok ? EXIT.OK : EXIT.FAILED;
}
