import { readFileSync } from 'node:fs';
import { sharedNetworkOf, volumesFromServices } from '../compose/waits.js';
import type { SecretRef } from '../model/repo.js';
import { serviceIdentity, serviceInputFiles, topLevelFiles } from './config-hash.js';
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
  for (const s of Object.values(project.services)) for (const f of serviceInputFiles(s.config, topLevelFiles(project))) files.add(f);
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
    const used = secretsRead(Object.values(s.config.environment).filter((v): v is string => typeof v === 'string'));
    for (const ref of target.stack.manifest.secrets) if (used.has(ref.name)) read.add(ref.name);
    const configHash = serviceIdentity(target.repo.dir, project, name, target.stack.manifest.secrets, inputs);
    const envFiles = Object.fromEntries(s.config.env_file.map((f) => [f.path, inputs[f.path]]));
    const cmd = createCommand({ engine, project, stack: target.stack.name, service: name, configHash, envFiles, secretEnvFile: secretEnvPath(runtimeDir, target.stack.name, name) });
    commands[name] = cmd;
    const shared = sharedNetworkOf(s.config);
    const d: DesiredService = { service: name, name: cmd.name, configHash, image: cmd.image, dependsOn: s.config.depends_on, volumesFrom: volumesFromServices(s.config, project) };
    if (shared) d.sharesNetworkOf = shared;
    services.push(d);
  }
  return { project: project.name, services, commands, secrets: target.stack.manifest.secrets.filter((s) => read.has(s.name)) };
}
