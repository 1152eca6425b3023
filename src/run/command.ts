import { spawn } from 'node:child_process';
import { shQuote } from '../render/unit-file.js';
import { RunError, stderrGist } from './errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's stdin (how secret environment reaches `create --env-file /dev/stdin`). */
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

/** The command as a user could paste it into a shell. */
export function commandText(binary: string, args: readonly string[], maxChars = 300): string {
  const text = [binary, ...args].map(shQuote).join(' ');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** One line: what failed, the command, its exit code and the gist of its stderr. */
export function commandFailed(binary: string, args: readonly string[], what: string, r: ExecResult): RunError {
  const gist = stderrGist(r.stderr) || stderrGist(r.stdout) || 'no output';
  return new RunError(`${what}: \`${commandText(binary, args)}\` exited with ${r.code}: ${gist}`);
}
