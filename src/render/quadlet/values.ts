import { durationMs } from '../../run/duration.js';

/**
 * Readers for compose values that the canonical model leaves loosely typed: the schema allows a
 * string for most numbers and booleans (so they can be interpolated), and lists or mappings for
 * several keys.
 */

export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function asBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  if (['true', 'yes', 'on', '1', 'y'].includes(t)) return true;
  if (['false', 'no', 'off', '0', 'n', ''].includes(t)) return false;
  return undefined;
}

export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

export function asStrings(v: unknown): string[] {
  return asList(v)
    .map(asString)
    .filter((s): s is string => s !== undefined);
}

/** `{K: V}` or `["K=V", "K"]` as pairs; a value of null means "no value given". */
export function keyValues(v: unknown): [string, string | null][] {
  const record = asRecord(v);
  if (record) return Object.entries(record).map(([k, x]) => [k, x === null || x === undefined ? null : (asString(x) ?? JSON.stringify(x))]);
  return asStrings(v).map((item) => {
    const eq = item.indexOf('=');
    return eq < 0 ? [item, null] : [item.slice(0, eq), item.slice(eq + 1)];
  });
}

/** A compose duration ("1m30s", "500ms", "10s") in seconds, or undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const ms = durationMs(text);
  return ms === undefined ? undefined : ms / 1000;
}
