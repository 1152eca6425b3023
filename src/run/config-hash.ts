import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { SECRET_PLACEHOLDER } from '../config/secret-placeholder.js';
import type { ComposeProject, ServiceConfig } from '../model/compose.js';
import type { SecretRef } from '../model/repo.js';

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

/**
 * The hash of one service of a project, as `up` stamps it and the renderer writes it into the
 * Quadlet file: its config, the files it reads and the encrypted secrets its environment reads.
 * `inputs` maps paths to what readStackInputs gives: files as UTF-8 text, encrypted secrets base64.
 * Files are named relative to the repository, so where it is checked out does not count.
 */
export function serviceIdentity(repoDir: string, project: ComposeProject, service: string, secrets: readonly SecretRef[], inputs: Readonly<Record<string, string>>): string {
  const config = project.services[service]!.config;
  const own: Record<string, string> = {};
  const add = (file: string) => {
    if (inputs[file] !== undefined) own[relative(repoDir, file)] = inputs[file]!;
  };
  for (const f of serviceInputFiles(config, topLevelFiles(project))) add(f);
  const read = new Set(Object.values(config.environment).flatMap((v) => (typeof v === 'string' ? [...v.matchAll(SECRET_PLACEHOLDER)].map((m) => m[1]!) : [])));
  for (const ref of secrets) if (read.has(ref.name)) add(ref.file);
  return serviceConfigHash(project.name, service, config, own);
}

/** The top-level secrets and configs that are files, by key. */
export function topLevelFiles(project: ComposeProject): { secrets: Record<string, string>; configs: Record<string, string> } {
  const files = (defs: ComposeProject['secrets']) => Object.fromEntries(Object.entries(defs).flatMap(([k, d]) => (typeof d.config.file === 'string' ? [[k, d.config.file]] : [])));
  return { secrets: files(project.secrets), configs: files(project.configs) };
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
function stableJson(value: unknown): string {
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
