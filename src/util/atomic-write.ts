import { mkdirSync, chownSync, closeSync, constants, accessSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A write berth refused or could not do: the user's problem to solve, not a bug. */
export class WriteError extends Error {}

/**
 * Writes a file so that readers see the old content or the new, never a part: a temp file beside
 * it, fsync, rename. An existing file keeps its mode and owner, a symlink's target is written (the
 * link stays), and a file the user cannot write is refused rather than replaced.
 */
export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  let target = file;
  let keep: { mode: number; uid: number; gid: number } | undefined;
  try {
    target = realpathSync(file);
    const st = statSync(target);
    keep = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    // a new file
  }
  if (keep) {
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new WriteError(`${file} is not writable; berth does not replace files it may not write`);
    }
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', keep?.mode ?? mode);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (keep && process.getuid?.() === 0) chownSync(tmp, keep.uid, keep.gid);
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing left behind
    }
    if (e instanceof WriteError) throw e;
    throw new WriteError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Creates a folder (and its parents) for output, or says clearly why it cannot. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new WriteError(`cannot create the folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
