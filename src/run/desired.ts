import { readFileSync } from 'node:fs';
import type { SecretRef } from '../model/repo.js';
import { serviceConfigHash, serviceInputFiles } from './config-hash.js';
import { createCommand, type CreateCommand } from './container-args.js';
import type { EngineKind } from './engine.js';
import type { DesiredService } from './plan.js';
import { secretCiphertexts, secretEnvPath, secretsRead } from './secrets.js';
import type { StackTarget } from './target.js';

export interface DesiredStack {
  project: string;
  services: DesiredService[];
  commands: Record<string, CreateCommand>;
  /** The stack's secrets that some service's environment reads. */
  secrets: SecretRef[];
}

/** Bytes berth reads for a stack besides its compose file: env files, compose secret/config files, encrypted secrets. */
export function readStackInputs(target: StackTarget): Record<string, string> {
  const project = target.deployment.project;
  const files = new Set<string>();
  for (const s of Object.values(project.services)) for (const f of serviceInputFiles(s.config, topLevelFiles(target))) files.add(f);
  const out: Record<string, string> = {};
  for (const f of files) {
    try {
      out[f] = readFileSync(f, 'utf8');
    } catch {
      // missing: createCommand reports a required env_file; an optional one is skipped
    }
  }
  return { ...out, ...secretCiphertexts(target.stack.manifest.secrets) };
}

/** What the repository wants of each service, from the model and the bytes of its inputs. Pure. */
export function desiredStack(target: StackTarget, inputs: Readonly<Record<string, string>>, engine: EngineKind, runtimeDir: string): DesiredStack {
  const project = target.deployment.project;
  const services: DesiredService[] = [];
  const commands: Record<string, CreateCommand> = {};
  const read = new Set<string>();
  for (const [name, s] of Object.entries(project.services)) {
    const files = serviceInputFiles(s.config, topLevelFiles(target));
    const used = secretsRead(Object.values(s.config.environment).filter((v): v is string => typeof v === 'string'));
    const own: Record<string, string> = {};
    for (const f of files) if (inputs[f] !== undefined) own[f] = inputs[f]!;
    for (const ref of target.stack.manifest.secrets) {
      if (!used.has(ref.name)) continue;
      read.add(ref.name);
      if (inputs[ref.file] !== undefined) own[ref.file] = inputs[ref.file]!;
    }
    const configHash = serviceConfigHash(project.name, name, s.config, own);
    const envFiles = Object.fromEntries(s.config.env_file.map((f) => [f.path, inputs[f.path]]));
    const cmd = createCommand({ engine, project, stack: target.stack.name, service: name, configHash, envFiles, secretEnvFile: secretEnvPath(runtimeDir, target.stack.name, name) });
    commands[name] = cmd;
    const shared = /^service:(.+)$/.exec(s.config.network_mode ?? '');
    const volumesFrom = Array.isArray(s.config.volumes_from) ? (s.config.volumes_from as string[]).map((v) => v.replace(/^service:/, '')).filter((v) => project.services[v]) : [];
    const d: DesiredService = { service: name, name: cmd.name, configHash, image: cmd.image, dependsOn: s.config.depends_on, volumesFrom };
    if (shared) d.sharesNetworkOf = shared[1]!;
    services.push(d);
  }
  return { project: project.name, services, commands, secrets: target.stack.manifest.secrets.filter((s) => read.has(s.name)) };
}

function topLevelFiles(target: StackTarget) {
  const project = target.deployment.project;
  const files = (defs: typeof project.secrets) => Object.fromEntries(Object.entries(defs).flatMap(([k, d]) => (typeof d.config.file === 'string' ? [[k, d.config.file]] : [])));
  return { secrets: files(project.secrets), configs: files(project.configs) };
}
