import { readFileSync, statSync } from 'node:fs';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';
import { fileSpan } from '../diagnostics/span.js';

/** Compose files and berth files are hand-written; anything this large is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export type ReadResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

/** Reads a configuration file, refusing oversized files before reading them. */
export function readConfigFile(file: string, maxBytes = MAX_CONFIG_BYTES): ReadResult {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) {
      return { ok: false, diagnostic: error('FILE_UNREADABLE', fileSpan(file), `${file} is a directory, not a file`) };
    }
    size = st.size;
  } catch {
    return {
      ok: false,
      diagnostic: error('FILE_NOT_FOUND', fileSpan(file), `${file} does not exist`),
    };
  }
  if (size > maxBytes) {
    return {
      ok: false,
      diagnostic: error(
        'FILE_TOO_LARGE',
        fileSpan(file),
        `${file} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} berth accepts for a configuration file`,
        'split the file, or check that it is the file you meant: compose files are rarely larger than 100 KB',
      ),
    };
  }
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return {
      ok: false,
      diagnostic: error('FILE_UNREADABLE', fileSpan(file), `${file} cannot be read: ${(e as Error).message}`),
    };
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
