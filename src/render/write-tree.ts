import { chmodSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WriteError } from '../util/atomic-write.js';
import type { Artifact } from './artifact.js';

/** Marks a folder as a render output, the only kind of folder berth replaces as a whole. */
export const MARKER = '.berth-render';

/** Refuses, before anything is written, a target that is not a new, empty or earlier render folder. */
export function checkWritable(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new WriteError(`${dir} is a file; give --out a folder`);
  if (existsSync(join(dir, MARKER))) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const renders = entries.filter((e) => existsSync(join(dir, e, MARKER)));
  throw new WriteError(
    renders.length
      ? `${dir} holds renders of ${renders.join(', ')}, not one render; give --out ${join(dir, renders[0]!)} for one host, or render all`
      : `${dir} exists and is not a berth render folder; give --out a new or empty folder`,
  );
}

/**
 * Writes a rendered tree into `dir`, replacing an earlier render there in one rename: readers see
 * the old tree or the new, and files from stacks that were removed do not linger. A folder that
 * is not an earlier render is refused unless empty, so a mistyped --out cannot delete anything.
 */
export function writeTree(target: string, artifacts: Artifact[], description: string): void {
  checkWritable(target);
  // A symlinked output folder stays a link: the folder it points at is replaced.
  const dir = existsSync(target) ? realpathSync(target) : target;
  try {
    mkdirSync(dirname(dir), { recursive: true });
  } catch (e) {
    throw new WriteError(`cannot create ${dirname(dir)}: ${(e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'a part of that path is a file' : (e as Error).message}`);
  }
  const staging = join(dirname(dir), `.${basename(dir)}.${process.pid}.new`);
  const old = join(dirname(dir), `.${basename(dir)}.${process.pid}.old`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging);
    writeFileSync(join(staging, MARKER), `${description}\n`);
    for (const a of artifacts) {
      const file = join(staging, a.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, a.content);
      // An explicit chmod: the process umask must not loosen or tighten what the host gets.
      chmodSync(file, a.mode ?? 0o644);
    }
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(staging, dir);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (e instanceof WriteError) throw e;
    throw new WriteError(`cannot write ${dir}: ${(e as Error).message}`);
  }
}
