import { relative } from 'node:path';
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';
import type { FileSource } from '../../source/files.js';
import { spanAt } from '../../source/tree.js';

/**
 * Files a stack references inside the repository must exist: its encrypted secrets, compose secret
 * and config files, env files, build contexts and bind-mount sources written as relative paths.
 * (A missing bind source would otherwise be created as an empty directory at start.)
 * Absolute host paths live on the host and are doctor's business, not the repository's.
 */
export function missingFiles(repo: Repo, source: FileSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rel = (p: string) => relative(repo.dir, p) || '.';
  const inRepo = (p: string) => !relative(repo.dir, p).startsWith('..');

  for (const stack of Object.values(repo.stacks)) {
    for (const s of stack.manifest.secrets) {
      if (!source.exists(s.file)) {
        out.push(error('SECRET_MISSING', s.span, `stack "${stack.name}" uses secret "${s.name}", but ${rel(s.file)} does not exist`, `encrypt a dotenv file to it: age -r <recipient> -o ${rel(s.file)} ${s.name}.env`));
      }
    }
  }

  for (const { project } of repo.deployments) {
    for (const kind of ['secrets', 'configs'] as const) {
      for (const res of Object.values(project[kind])) {
        const file = res.config.file;
        if (typeof file === 'string' && inRepo(file) && !source.exists(file)) {
          out.push(error(kind === 'secrets' ? 'SECRET_MISSING' : 'REFERENCED_FILE_MISSING', spanAt(project.root, [kind, res.name, 'file']), `${kind.slice(0, -1)} "${res.name}" reads ${rel(file)}, which does not exist`, `create ${rel(file)}; compose would fail to start the stack without it`));
        }
      }
    }
    for (const service of Object.values(project.services)) {
      const c = service.config;
      c.env_file.forEach((f, i) => {
        if (f.required && inRepo(f.path) && !source.exists(f.path)) {
          out.push(error('REFERENCED_FILE_MISSING', spanAt(service.node, ['env_file', i]), `service "${service.name}" reads env file ${rel(f.path)}, which does not exist`, 'create it, or mark it optional: env_file: [{ path: ..., required: false }]'));
        }
      });
      c.volumes.forEach((v, i) => {
        if (v.type === 'bind' && v.source && inRepo(v.source) && !source.exists(v.source)) {
          out.push(error('REFERENCED_FILE_MISSING', spanAt(service.node, ['volumes', i]), `service "${service.name}" bind-mounts ${rel(v.source)}, which does not exist in the repository`, 'add the file to the stack folder, or use a path under a root such as ${DATA_ROOT}'));
        }
      });
      const ctx = c.build?.context;
      if (typeof ctx === 'string' && inRepo(ctx) && !source.exists(ctx)) {
        out.push(error('REFERENCED_FILE_MISSING', spanAt(service.node, ['build']), `service "${service.name}" builds from ${rel(ctx)}, which does not exist`));
      }
    }
  }
  return out;
}
