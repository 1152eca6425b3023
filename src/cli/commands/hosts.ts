import { table } from '../../util/table.js';
import { EXIT, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const r = loadForCli(repoDir(args, io), io);
  const failed = reportProblems(r, io);
  const hosts = r.repo?.hosts ?? [];
  if (args.values.json) {
    const list = hosts.map((h) => ({ name: h.name, address: h.address, user: h.user, engine: h.engine, mode: h.mode, profiles: h.profiles, roots: h.roots, stacks: h.stacks.map((s) => s.name) }));
    io.out(JSON.stringify(list, null, 2) + '\n');
  } else if (hosts.length === 0) {
    io.out('no hosts (add them to hosts.yml)\n');
  } else {
    io.out(table(['HOST', 'ADDRESS', 'USER', 'MODE', 'STACKS'], hosts.map((h) => [h.name, h.address, h.user, `${h.engine}/${h.mode}`, h.stacks.map((s) => s.name).join(', ')])) + '\n');
  }
  return failed ? EXIT.INVALID : EXIT.OK;
}
