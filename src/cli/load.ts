import { existsSync } from 'node:fs';
import { isDir } from '../util/fs.js';
import { relative, resolve } from 'node:path';
import { loadRepo, type RepoLoad } from '../config/load-repo.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { formatDiagnostics } from '../diagnostics/format.js';
import { FileSource } from '../source/files.js';
import { UsageError, type Io } from './io.js';
import type { ParsedArgs } from './registry.js';

export interface CliRepo extends RepoLoad {
  source: FileSource;
  /** The repository directory as the user wrote it (for messages). */
  shown: string;
}

/** The repository directory: --repo, else a positional where the command takes one, else the current directory. */
export function repoDir(args: ParsedArgs, io: Io, positional?: string): string {
  const flag = args.values.repo as string | undefined;
  if (flag !== undefined && positional !== undefined && resolve(io.cwd, flag) !== resolve(io.cwd, positional)) {
    throw new UsageError(`two repositories given: ${positional} and --repo ${flag}; give one`);
  }
  const dir = resolve(io.cwd, flag ?? positional ?? '.');
  if (!existsSync(dir)) throw new UsageError(`${flag ?? positional ?? '.'} does not exist`);
  if (!isDir(dir)) throw new UsageError(`${flag ?? positional} is a file; give the repository's folder`);
  return dir;
}

export function loadForCli(dir: string, io: Io): CliRepo {
  const source = new FileSource();
  const loaded = loadRepo(dir, source);
  return { ...loaded, source, shown: relative(io.cwd, dir) || '.' };
}

/** For listing commands: problems go to stderr, so stdout stays the listing. */
export function reportProblems(r: CliRepo, io: Io): boolean {
  const problems = r.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length) {
    io.err(formatDiagnostics(problems, (f) => r.source.texts.get(f), io.errStyle, io.cwd) + '\n');
    io.err(`${io.errStyle.red('error')}: ${r.shown} has ${problems.length} error${problems.length === 1 ? '' : 's'}; run "berth validate" for details\n`);
  }
  return hasErrors(r.diagnostics);
}
