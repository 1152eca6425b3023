import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A folder shipped with berth (schemas, docs/rules), found above the running code: beside dist/ when
 * bundled, beside src/ when run from source.
 */
export function packageFolder(relativePath: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, relativePath))) return join(dir, relativePath);
    dir = dirname(dir);
  }
  return undefined;
}

/** Whether `path` is `dir` or lies below it (lexically: neither is resolved). */
export function isInside(dir: string, path: string): boolean {
  const r = relative(dir, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}
