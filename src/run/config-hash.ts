import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../model/compose.js';

/**
 * The identity of what a service's container is made from: its canonical compose config plus the
 * bytes of the files it reads (env_file, secret files, compose secrets and configs). Two runs of
 * an unchanged repository give the same hash, so `up` leaves the container alone; any change gives
 * another, so `up` recreates that service alone and `status` reports drift. Pure: the renderer can
 * stamp the same value into the units it writes.
 *
 * Left out, as compose leaves them out: the order of starting (depends_on) and which profiles
 * enable the service; neither changes the container.
 */
export function serviceConfigHash(project: string, service: string, config: ServiceConfig, inputs: Readonly<Record<string, string>> = {}): string {
  const { depends_on: _d, profiles: _p, scale: _s, ...rest } = config;
  const payload = stableJson({ v: 1, project, service, config: rest, inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, digest(v)])) });
  return digest(payload);
}

/** The files a service reads besides the compose file: their contents go into the hash. */
export function serviceInputFiles(config: ServiceConfig, topLevelFiles: { secrets: Record<string, string>; configs: Record<string, string> }): string[] {
  const files = config.env_file.map((e) => e.path);
  for (const s of config.secrets) if (topLevelFiles.secrets[s.source]) files.push(topLevelFiles.secrets[s.source]!);
  for (const c of config.configs) if (topLevelFiles.configs[c.source]) files.push(topLevelFiles.configs[c.source]!);
  return [...new Set(files)].sort();
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with keys sorted at every level, so equal values give equal text whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
