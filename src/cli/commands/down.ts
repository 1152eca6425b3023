import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { downStack } from '../../run/down.js';
import { downLeftover, leftoverStack, type Leftover } from '../../run/leftovers.js';
import { installedUnit, systemctlUser, userManagerAnswers } from '../../run/systemd.js';
import { eachJob, engineFor, homeOf, localEngineKind, progressFor, runContext, systemdUnitFor, targetsFor, terminal } from '../../run/session.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const repo = r.repo!;
  const host = args.values.host as string | undefined;
  const term = terminal(io);
  const volumes = args.values.volumes === true;
  const kept = volumes ? '' : ' (named volumes and data kept; --volumes removes volumes)';

  // A name the repository no longer has is a stack renamed or removed: its containers still carry its label.
  const engine = engineFor(localEngineKind(repo, host), io.env);
  const leftovers: Leftover[] = [];
  for (const n of args.positionals.filter((x) => !repo.stacks[x])) leftovers.push(await leftoverStack(engine, repo, n));
  const known = args.positionals.filter((n) => repo.stacks[n]);
  const targets = known.length || !args.positionals.length ? targetsFor(repo, known, host) : [];

  const leftoverJobs = leftovers.map((left) => ({
    stack: left.stack,
    run: async () => {
      io.out(`${left.stack}: a stack no longer in the repository; removing its ${left.containers.length} container${left.containers.length === 1 ? '' : 's'} (labelled io.berth.stack=${left.stack})\n`);
      // Its units, if still installed, would start the containers again.
      const unit = installedUnit(left.stack, homeOf(io.env));
      if (unit && (await userManagerAnswers())) {
        io.out(`${left.stack}: stopping ${unit.unit} (systemd); its unit files are still installed: remove them\n`);
        await systemctlUser('stop', unit.unit);
      }
      const done = await downLeftover(engine, left, progressFor(term), { volumes });
      for (const k of done.kept) io.out(`${left.stack}: kept ${k}\n`);
      io.out(`${left.stack}: removed ${done.removed.join(', ')}${kept}\n`);
    },
  }));
  // Dependents stop first: stacks in the reverse of their start order.
  const stackJobs = targets.reverse().map((target) => ({
    stack: target.stack.name,
    run: async () => {
      const name = target.stack.name;
      const unit = await systemdUnitFor(target, term);
      // Stopping the unit is not enough: compose mode's stop leaves its containers, and Quadlet
      // leaves the networks its .network units made. Then the same removal as without systemd.
      if (unit) {
        io.out(`${name}: stopping ${unit.unit} (systemd)\n`);
        await systemctlUser('stop', unit.unit);
      }
      const removed = await downStack(target, runContext(term, engineFor(target.host.engine, io.env), 60), { volumes });
      io.out(`${name}: ${removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove'}${kept}\n`);
    },
  }));
  const ok = await eachJob([...leftoverJobs, ...stackJobs], term, 'down');
  return ok ? EXIT.OK : EXIT.FAILED;
}
