import { spawn } from 'node:child_process';
import { shQuote } from '../render/unit-file.js';
import { RunError, stderrGist } from './errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's stdin. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program directly (no shell) and collects its output in memory. */
export function runCommand(binary: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => reject(spawnError(binary, e)));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    // A command that exits before reading its input closes the pipe: not an error of ours.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a program with the terminal's own streams (`logs -f`), returning its exit code. */
export function attachCommand(binary: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: 'inherit' });
    child.on('error', (e: NodeJS.ErrnoException) => reject(spawnError(binary, e)));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function spawnError(binary: string, e: NodeJS.ErrnoException): RunError {
  if (e.code === 'ENOENT') return new RunError(`${binary} is not installed or not in PATH (run "berth doctor" to check this machine)`);
  return new RunError(`could not run ${binary}: ${e.message}`);
}

/**
 * The command as a user could paste it into a shell, short enough for one line: labels and
 * annotations (berth's own, the config hash) are left out, and a long command keeps its start
 * (subcommand, name) and its end (image, command), the parts that explain a failure.
 */
export function commandText(binary: string, args: readonly string[], maxChars = 300): string {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--label' || args[i] === '--annotation') i++;
    else words.push(shQuote(args[i]!));
  }
  const all = [shQuote(binary), ...words];
  const text = all.join(' ');
  if (text.length <= maxChars) return text;
  const head = all.slice(0, 4).join(' ');
  const tail: string[] = [];
  let room = maxChars - head.length - 3;
  for (let i = all.length - 1; i >= 4 && room - all[i]!.length - 1 >= 0; i--) {
    tail.unshift(all[i]!);
    room -= all[i]!.length + 1;
  }
  return `${head} … ${tail.join(' ')}`.slice(0, maxChars + 40);
}

/** One line: what failed, the command, its exit code and the gist of its stderr. */
export function commandFailed(binary: string, args: readonly string[], what: string, r: ExecResult): RunError {
  const gist = stderrGist(r.stderr) || stderrGist(r.stdout) || 'no output';
  return new RunError(`${what}: \`${commandText(binary, args)}\` exited with ${r.code}: ${gist}`);
}
