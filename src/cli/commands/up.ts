import type { Io } from '../io.js';
import type { ParsedArgs } from '../registry.js';
import { runOnStacks } from '../stack-command.js';
import { upStack } from '../../run/up.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  return runOnStacks(args, io, 'up', { verb: 'start', doing: 'starting' }, async (target, ctx) => {
    const name = target.stack.name;
    io.out(`${io.style.bold(name)}: up on ${target.host.engine} (host ${target.host.name})\n`);
    const result = await upStack(target, ctx);
    const changed = result.actions.filter((a) => a.kind !== 'keep');
    io.out(`${name}: ${changed.length ? `${changed.length} changed (${changed.map((a) => `${a.service} ${PAST[a.kind]}`).join(', ')})` : 'nothing changed'}, ${result.actions.length - changed.length} up to date${result.removed.length ? `, removed ${result.removed.join(', ')}` : ''}\n`);
  });
}

const PAST: Record<string, string> = { create: 'created', recreate: 'recreated', start: 'started', restart: 'restarted', keep: 'kept' };
