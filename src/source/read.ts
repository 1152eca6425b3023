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
    const bytes = readFileSync(file);
    try {
      return { ok: true, text: UTF8.decode(bytes) };
    } catch {
      const at = firstInvalidByte(bytes);
      const before = bytes.subarray(0, at);
      const line = before.filter((b) => b === 0x0a).length + 1;
      const col = at - (before.lastIndexOf(0x0a) + 1) + 1;
      return {
        ok: false,
        diagnostic: error('FILE_UNREADABLE', { file, line, col, endLine: line, endCol: col + 1 }, `${file} is not UTF-8 text: byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at line ${line}, column ${col}`, 'save the file as UTF-8; compose and YAML read nothing else'),
      };
    }
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

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const extra = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += extra;
  }
  return bytes.length;
}
