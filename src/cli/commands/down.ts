import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { downStack } from '../../run/down.js';
import { systemctlUser } from '../../run/systemd.js';
import { eachStack, engineFor, runContext, systemdUnitFor, targetsFor, terminal } from '../../run/session.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const term = terminal(io);
  const volumes = args.values.volumes === true;
  // Dependents stop first: stacks in the reverse of their start order.
  const ok = await eachStack(targetsFor(r.repo!, args.positionals, args.values.host as string | undefined).reverse(), term, 'down', async (target) => {
    const name = target.stack.name;
    const unit = await systemdUnitFor(target, term);
    if (unit) {
      io.out(`${name}: stopping ${unit.unit} (systemd)\n`);
      await systemctlUser('stop', unit.unit);
      if (!volumes) return;
    }
    const removed = await downStack(target, runContext(term, engineFor(target.host.engine, io.env), 60), { volumes });
    io.out(`${name}: ${removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove'}${volumes ? '' : ' (named volumes and data kept; --volumes removes volumes)'}\n`);
  });
  return ok ? EXIT.OK : EXIT.FAILED;
}
