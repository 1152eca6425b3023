import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { humanDuration } from '../../run/duration.js';
import { installedUnit, unitActiveState, userManagerAnswers } from '../../run/systemd.js';
import { describeLeftovers, leftoverStack, leftoverStacks } from '../../run/leftovers.js';
import { engineFor, homeOf, localEngineKind, runtimeDirOf, targetsFor } from '../../run/session.js';
import { leftoverStatus, stackStatus, type StackStatus } from '../../run/status.js';
import { table } from '../../util/table.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const repo = r.repo!;
  const host = args.values.host as string | undefined;
  const engine = engineFor(localEngineKind(repo, host), io.env);
  // A name the repository no longer has may still have containers (a renamed or removed stack).
  const asked: StackStatus[] = [];
  for (const n of args.positionals.filter((x) => !repo.stacks[x])) {
    asked.push(leftoverStatus(await leftoverStack(engine, repo, n), Date.now()));
  }
  const known = args.positionals.filter((x) => repo.stacks[x]);
  const targets = known.length || !args.positionals.length ? targetsFor(repo, known, host) : [];
  const systemd = targets.some((t) => installedUnit(t.stack.name, homeOf(io.env))) && (await userManagerAnswers());
  const all: StackStatus[] = [];
  for (const target of targets) {
    const s = await stackStatus(target, engineFor(target.host.engine, io.env), runtimeDirOf(io.env));
    const unit = installedUnit(target.stack.name, homeOf(io.env));
    if (unit && systemd) s.unit = { name: unit.unit, active: await unitActiveState(unit.unit) };
    all.push(s);
  }
  all.push(...asked);
  // Exit 1 when anything is not as the repository wants it, so scripts and monitors can rely on it.
  const code = all.every((s) => s.services.every((x) => x.ok)) ? EXIT.OK : EXIT.FAILED;
  if (args.values.json) {
    io.out(JSON.stringify(all, null, 2) + '\n');
    return code;
  }
  const st = io.style;
  for (const s of all) {
    io.out(s.leftover ? `${st.bold(s.stack)} (${st.yellow('not in the repository')}; berth down ${s.stack} removes it)\n` : `${st.bold(s.stack)} (host ${s.host}${s.unit ? `, ${s.unit.name} ${s.unit.active}` : ''})\n`);
    const rows = s.services.map((x) => [
      x.service,
      x.state === 'running' ? st.green(x.state) : x.state === 'missing' ? st.red(x.state) : st.yellow(x.state),
      x.health === undefined ? '-' : x.health === 'healthy' ? st.green(x.health) : x.health === 'unhealthy' ? st.red(x.health) : st.yellow(`${x.health}${x.failingStreak ? ` (${x.failingStreak} failed)` : ''}`),
      x.restarts ? st.yellow(String(x.restarts)) : '0',
      x.uptimeSeconds === undefined ? '-' : humanDuration(x.uptimeSeconds * 1000),
      x.ports.join(', ') || '-',
      x.image ?? '-',
      x.drift ? st.yellow(x.drift) : (x.note ?? 'in sync'),
    ]);
    io.out(table(['SERVICE', 'STATE', 'HEALTH', 'RESTARTS', 'UPTIME', 'PORTS', 'IMAGE', 'REPOSITORY'], rows).replace(/^/gm, '  ') + '\n');
  }
  // Said, not counted in the exit code: they are not among the stacks the repository wants checked.
  if (args.positionals.length === 0) {
    const leftovers = await leftoverStacks(engine, repo);
    if (leftovers.length) io.out(`${st.yellow('not in the repository')}: ${describeLeftovers(leftovers)}; berth down ${leftovers.map((l) => l.stack).join(' ')} removes them\n`);
  }
  return code;
}
