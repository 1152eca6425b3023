import { EXIT, UsageError, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { containerName } from '../../run/naming.js';
import { engineFor, targetsFor } from '../../run/session.js';
import { didYouMean } from '../../util/suggest.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const [stack, ...services] = args.positionals;
  if (stack === undefined) throw new UsageError('name the stack: berth logs STACK [SERVICE...]');
  const r = loadForCli(repoDir(args, io), io);
  if (reportProblems(r, io)) return EXIT.INVALID;
  const [target] = targetsFor(r.repo!, [stack], args.values.host as string | undefined);
  const project = target!.deployment.project;
  for (const s of services) {
    if (!project.services[s]) throw new UsageError(`stack ${stack} has no service "${s}"; ${didYouMean(s, Object.keys(project.services)) ?? `services: ${Object.keys(project.services).join(', ')}`}`);
  }
  const names = (services.length ? services : Object.keys(project.services)).map((s) => containerName(project, s));
  const engine = engineFor(target!.host.engine, io.env);
  const existing = [];
  for (const n of names) if ((await engine.run(['container', 'inspect', '--format', '{{.Id}}', n])).code === 0) existing.push(n);
  if (existing.length === 0) {
    io.err(`${stack}: no container to show logs of (is the stack up? berth up ${stack})\n`);
    return EXIT.FAILED;
  }
  const flags = [...(args.values.follow ? ['--follow'] : []), ...(args.values.tail ? ['--tail', String(args.values.tail)] : []), ...(args.values.timestamps ? ['--timestamps'] : [])];
  // Several containers: prefix each line with its container, as compose does.
  const names2 = existing.length > 1 && engine.kind === 'podman' ? ['--names'] : [];
  if (engine.kind === 'docker' && existing.length > 1) {
    for (const n of existing) await engine.attach(['logs', ...flags.filter((f) => f !== '--follow'), n]);
    return EXIT.OK;
  }
  const code = await engine.attach(['logs', ...names2, ...flags, ...existing]);
  return code === 0 ? EXIT.OK : EXIT.FAILED;
}
