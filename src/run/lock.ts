import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { RunError } from './errors.js';
import { atInterrupt } from './interrupt.js';

/**
 * One berth at a time per stack: two `up` runs side by side would both create the same container.
 * The lock is a file in the runtime dir made with O_EXCL holding the pid; a lock whose process is
 * gone (killed, the machine rebooted) is stale and taken over. Returns the release function.
 */
export function lockStack(runtimeDir: string, stack: string, verb: string): () => void {
  const dir = `${runtimeDir}/berth/locks`;
  const file = `${dir}/${stack}.lock`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new RunError(`could not make the lock directory ${dir} (is XDG_RUNTIME_DIR=${runtimeDir} right?): ${(e as Error).message}`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid} ${verb}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw new RunError(`could not lock stack ${stack} (${file}): ${(e as Error).message}`);
      const [pid, other] = readLock(file);
      if (pid !== undefined && alive(pid)) throw new RunError(`another berth ${other ?? 'run'} of ${stack} is running (pid ${pid}); wait for it, or stop it`);
      rmSync(file, { force: true });
    }
  }
  const release = () => rmSync(file, { force: true });
  const unregister = atInterrupt(release);
  return () => {
    unregister();
    release();
  };
}

function readLock(file: string): [number | undefined, string | undefined] {
  try {
    const [pid, verb] = readFileSync(file, 'utf8').trim().split(' ');
    const n = Number(pid);
    return [Number.isInteger(n) && n > 0 ? n : undefined, verb];
  } catch {
    return [undefined, undefined];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
