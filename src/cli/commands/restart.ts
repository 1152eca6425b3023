import type { Io } from '../io.js';
import type { ParsedArgs } from '../registry.js';
import { runOnStacks } from '../stack-command.js';
import { stopStack } from '../../run/down.js';
import { upStack } from '../../run/up.js';

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  return runOnStacks(args, io, 'restart', { verb: 'restart', doing: 'restarting' }, async (target, ctx) => {
    const stopped = await stopStack(target, ctx);
    // Starting again goes through up, so dependencies are waited for and changed services recreated.
    await upStack(target, ctx);
    io.out(`${target.stack.name}: restarted${stopped.length ? ` (stopped ${stopped.length} first)` : ''}\n`);
  });
}
