import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { systemctlUser } from '../../run/systemd.js';
import { eachStack, engineFor, runContext, systemdUnitFor, targetsFor, timeoutSeconds, terminal } from '../../run/session.js';
import { upStack } from '../../run/up.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const targets = targetsFor(r.repo!, args.positionals, args.values.host as string | undefined);
  const timeout = timeoutSeconds(args.values.timeout as string | undefined);
  const term = terminal(io);
  const ok = await eachStack(targets, term, 'up', async (target) => {
    const name = target.stack.name;
    const unit = await systemdUnitFor(target, term);
    if (unit) {
      io.out(`${name}: starting ${unit.unit} (systemd)\n`);
      await systemctlUser('start', unit.unit);
      return;
    }
    io.out(`${io.style.bold(name)}: up on ${target.host.engine} (host ${target.host.name})\n`);
    const result = await upStack(target, runContext(term, engineFor(target.host.engine, io.env), timeout));
    const changed = result.actions.filter((a) => a.kind !== 'keep');
    io.out(`${name}: ${changed.length ? `${changed.length} changed (${changed.map((a) => `${a.service} ${PAST[a.kind]}`).join(', ')})` : 'nothing changed'}, ${result.actions.length - changed.length} up to date${result.removed.length ? `, removed ${result.removed.join(', ')}` : ''}\n`);
  });
  return ok ? EXIT.OK : EXIT.FAILED;
}

const PAST: Record<string, string> = { create: 'created', recreate: 'recreated', start: 'started', restart: 'restarted', keep: 'kept' };
