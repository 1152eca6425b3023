import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { humanDuration } from '../../run/duration.js';
import { installedUnit, unitActiveState, userManagerAnswers } from '../../run/systemd.js';
import { engineFor, homeOf, runtimeDirOf, targetsFor } from '../../run/session.js';
import { stackStatus, type StackStatus } from '../../run/status.js';
import { table } from '../../util/table.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const targets = targetsFor(r.repo!, args.positionals, args.values.host as string | undefined);
  const systemd = targets.some((t) => installedUnit(t.stack.name, homeOf(io.env))) && (await userManagerAnswers());
  const all: StackStatus[] = [];
  for (const target of targets) {
    const s = await stackStatus(target, engineFor(target.host.engine, io.env), runtimeDirOf(io.env));
    const unit = installedUnit(target.stack.name, homeOf(io.env));
    if (unit && systemd) s.unit = { name: unit.unit, active: await unitActiveState(unit.unit) };
    all.push(s);
  }
  // Exit 1 when anything is not as the repository wants it, so scripts and monitors can rely on it.
  const code = all.every((s) => s.services.every((x) => x.ok)) ? EXIT.OK : EXIT.FAILED;
  if (args.values.json) {
    io.out(JSON.stringify(all, null, 2) + '\n');
    return code;
  }
  const st = io.style;
  for (const s of all) {
    io.out(`${st.bold(s.stack)} (host ${s.host}${s.unit ? `, ${s.unit.name} ${s.unit.active}` : ''})\n`);
    const rows = s.services.map((x) => [
      x.service,
      x.state === 'running' ? st.green(x.state) : x.state === 'missing' ? st.red(x.state) : st.yellow(x.state),
      x.health === undefined ? '-' : x.health === 'healthy' ? st.green(x.health) : x.health === 'unhealthy' ? st.red(x.health) : st.yellow(`${x.health}${x.failingStreak ? ` (${x.failingStreak} failed)` : ''}`),
      x.restarts ? st.yellow(String(x.restarts)) : '0',
      x.uptimeSeconds === undefined ? '-' : humanDuration(x.uptimeSeconds * 1000),
      x.ports.join(', ') || '-',
      x.image ?? '-',
      x.drift ? st.yellow(x.drift) : 'in sync',
    ]);
    io.out(table(['SERVICE', 'STATE', 'HEALTH', 'RESTARTS', 'UPTIME', 'PORTS', 'IMAGE', 'REPOSITORY'], rows).replace(/^/gm, '  ') + '\n');
  }
  return code;
}
