import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadRepo } from '../../config/load-repo.js';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { FileSource } from '../../source/files.js';
import { ensureDir, writeFileAtomic } from '../../util/atomic-write.js';
import { isDir, packageFolder } from '../../util/fs.js';
import { EXIT, UsageError, type Io } from '../io.js';
import type { ParsedArgs } from '../registry.js';

const SCHEMAS = ['audit.schema.json', 'berth.schema.json', 'hosts.schema.json', 'stack.schema.json'];

/** The files of a new repository, relative to its root. Schemas are copied in so editors complete offline. */
function files(schemaDir: string): Record<string, string> {
  return {
    'berth.yml': `# yaml-language-server: $schema=.berth/schemas/berth.schema.json
# Defaults for every host. See "berth help" and the README of berth.
engine: podman
mode: quadlet
user: homelab            # the rootless user that runs the containers
roots:                   # variables every compose file may use
  DATA_ROOT: /srv/containers
`,
    'hosts.yml': `# yaml-language-server: $schema=.berth/schemas/hosts.schema.json
hosts:
  local:
    address: local       # or an SSH destination such as admin@server.lan
    stacks: [whoami]
`,
    'stacks/whoami/compose.yml': `services:
  whoami:
    image: docker.io/traefik/whoami:v1.10
    restart: unless-stopped
    ports:
      - "127.0.0.1:8000:80"   # only this machine; publish through a reverse proxy
    labels:
      - io.containers.autoupdate=registry
`,
    'stacks/whoami/stack.yml': `# yaml-language-server: $schema=../../.berth/schemas/stack.schema.json
description: A tiny web service that answers with its request, to try berth out
`,
    ...Object.fromEntries(SCHEMAS.map((s) => [`.berth/schemas/${s}`, readFileSync(join(schemaDir, s), 'utf8')])),
  };
}

export async function run(args: ParsedArgs, io: Io): Promise<number> {
  const dir = resolve(io.cwd, args.positionals[0] ?? '.');
  if (existsSync(dir) && !isDir(dir)) throw new UsageError(`${relative(io.cwd, dir)} is a file, not a folder`);
  const plan = files(findSchemaDir());
  const existing = Object.keys(plan).filter((f) => existsSync(join(dir, f)));
  if (existing.length) {
    throw new UsageError(`${relative(io.cwd, dir) || '.'} already has ${existing.join(', ')}; berth init never overwrites files`);
  }
  for (const [file, content] of Object.entries(plan)) {
    ensureDir(dirname(join(dir, file)));
    writeFileAtomic(join(dir, file), content);
  }
  const shown = relative(io.cwd, dir) || '.';
  io.out(`Created a berth repository in ${shown}:\n${Object.keys(plan).filter((f) => !f.startsWith('.berth')).map((f) => `  ${f}`).join('\n')}\n\nNext: berth validate ${shown}\n`);
  // Stacks that were already in the folder may have problems of their own: say so, do not hide them.
  const source = new FileSource();
  const check = loadRepo(dir, source);
  if (hasErrors(check.diagnostics)) {
    io.err(formatDiagnostics(check.diagnostics.filter((d) => d.severity === 'error'), (f) => source.texts.get(f), io.errStyle, io.cwd) + '\n');
    io.err(`The folder already held files with problems (above); fix them, then run berth validate ${shown}\n`);
    return EXIT.INVALID;
  }
  return EXIT.OK;
}

function findSchemaDir(): string {
  const dir = packageFolder('schemas');
  if (!dir) throw new Error('berth cannot find its schemas folder; the installation is incomplete');
  return dir;
}
