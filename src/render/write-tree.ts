import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WriteError } from '../util/atomic-write.js';
import type { Artifact } from './artifact.js';

/** Marks a folder as a render output, the only kind of folder berth replaces as a whole. */
export const MARKER = '.berth-render';

/**
 * Writes a rendered tree into `dir`, replacing an earlier render there in one rename: readers see
 * the old tree or the new, and files from stacks that were removed do not linger. A folder that
 * is not an earlier render is refused unless empty, so a mistyped --out cannot delete anything.
 */
export function writeTree(dir: string, artifacts: Artifact[], description: string): void {
  if (existsSync(dir) && !existsSync(join(dir, MARKER)) && readdirSync(dir).length > 0) {
    throw new WriteError(`${dir} exists and is not a berth render folder; give --out a new or empty folder`);
  }
  mkdirSync(dirname(dir), { recursive: true });
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
