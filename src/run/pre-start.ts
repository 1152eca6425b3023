import shellQuote from 'shell-quote';
import type { Stack } from '../model/repo.js';
import { commandFailed, runCommand } from './command.js';
import { RunError } from './errors.js';

/**
 * The stack's own pre-start steps (stack.yml preStart), run as the rendered units run them: each
 * a plain command line without a shell, an absolute program or a ./script of the stack folder,
 * from the stack folder, after secrets and directories, before any container starts.
 */
export async function runPreStart(stack: Stack, report: (line: string) => void): Promise<void> {
  for (const line of stack.manifest.preStart) {
    const words = shellQuote.parse(line, (name) => `$${name}`);
    if (words.length === 0 || !words.every((w): w is string => typeof w === 'string' && !w.includes('$'))) {
      throw new RunError(`preStart "${line}" is not a plain command line (no shell operators or variables): put it in a script in the stack folder`);
    }
    const program = words[0]!.startsWith('./') ? `${stack.dir}/${words[0]!.slice(2)}` : words[0]!;
    report(`pre-start: ${line}`);
    const r = await runCommand(program, words.slice(1), { cwd: stack.dir });
    if (r.code !== 0) throw commandFailed(program, words.slice(1), 'preStart step failed', r);
  }
}
