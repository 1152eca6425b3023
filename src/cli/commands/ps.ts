import { EXIT, type Io } from '../io.js';
import type { ParsedArgs } from '../registry.js';
import { humanDuration } from '../../run/duration.js';
import type { EngineKind } from '../../run/engine.js';
import { observeAll } from '../../run/observe.js';
import { engineFor } from '../../run/session.js';
import { table } from '../../util/table.js';
import { UsageError } from '../io.js';

/** Lists the containers of berth's stacks on this machine's engine: no repository needed. */
export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const kind = (args.values.engine as string | undefined) ?? 'podman';
  if (kind !== 'podman' && kind !== 'docker') throw new UsageError(`--engine is podman or docker, not "${kind}"`);
  const stacks = new Set(args.positionals);
  const now = Date.now();
  // A compose-mode unit's containers carry podman-compose's project label, not berth's: the project is the stack.
  const containers = (await observeAll(engineFor(kind as EngineKind, io.env), { podmanCompose: true }))
    .map((c) => ({ ...c, stack: c.stack ?? c.podmanComposeProject }))
    .filter((c) => stacks.size === 0 || (c.stack !== undefined && stacks.has(c.stack)))
    .sort((a, b) => `${a.stack}/${a.service}`.localeCompare(`${b.stack}/${b.service}`));
  if (args.values.json) {
    io.out(JSON.stringify(containers.map((c) => ({ name: c.name, id: c.id.slice(0, 12), stack: c.stack, service: c.service, state: c.state, health: c.health ?? null, startedAt: c.startedAt ?? null, ports: c.ports, image: c.image })), null, 2) + '\n');
    return EXIT.OK;
  }
  if (containers.length === 0) {
    io.out(stacks.size ? `no containers of ${[...stacks].join(', ')}\n` : 'no containers of berth stacks\n');
    return EXIT.OK;
  }
  const rows = containers.map((c) => [c.name, c.stack ?? '-', c.service ?? '-', c.running && c.startedAt ? `up ${humanDuration(now - Date.parse(c.startedAt))}` : c.state, c.health ?? '-', c.ports.join(', ') || '-', c.image, c.id.slice(0, 12)]);
  io.out(table(['NAME', 'STACK', 'SERVICE', 'STATE', 'HEALTH', 'PORTS', 'IMAGE', 'ID'], rows) + '\n');
  return EXIT.OK;
}
