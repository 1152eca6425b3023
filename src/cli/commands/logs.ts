import { EXIT, UsageError, type Io } from '../io.js';
import { loadForCli, repoDir, reportProblems } from '../load.js';
import type { ParsedArgs } from '../registry.js';
import { containerName } from '../../run/naming.js';
import { observeProject, serviceContainer } from '../../run/observe.js';
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
  const tail = args.values.tail as string | undefined;
  if (tail !== undefined && !/^\d+$/.test(tail)) throw new UsageError(`--tail takes a number of lines, not "${tail}"`);
  const wanted = (services.length ? services : Object.keys(project.services)).map((s) => ({ service: s, name: containerName(project, s) }));
  const engine = engineFor(target!.host.engine, io.env);
  // By name, or by podman-compose's labels for a compose-mode unit's containers (`<project>_<service>_1`).
  const observed = await observeProject(engine, project.name, wanted.map((w) => w.name), stack);
  const existing = wanted.flatMap((w) => serviceContainer(observed, project.name, w)?.name ?? []);
  if (existing.length === 0) {
    io.err(`${stack}: no container to show logs of (is the stack up? berth up ${stack})\n`);
    return EXIT.FAILED;
  }
  const flags = [...(args.values.follow ? ['--follow'] : []), ...(tail !== undefined ? ['--tail', tail] : []), ...(args.values.timestamps ? ['--timestamps'] : [])];
  // docker logs takes one container: several are shown one after another, and cannot be followed together.
  if (engine.kind === 'docker' && existing.length > 1) {
    if (args.values.follow) io.err(`${stack}: docker logs follows one container at a time; showing each container's logs without following (name one SERVICE to follow it)\n`);
    for (const n of existing) await engine.attach(['logs', ...flags.filter((f) => f !== '--follow'), n]);
    return EXIT.OK;
  }
  // Several containers: prefix each line with its container, as compose does.
  const prefixed = existing.length > 1 ? ['--names'] : [];
  const code = await engine.attach(['logs', ...prefixed, ...flags, ...existing]);
  return code === 0 ? EXIT.OK : EXIT.FAILED;
}
